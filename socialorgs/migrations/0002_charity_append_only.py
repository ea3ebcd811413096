"""The charity chain is append-only in the database itself: any UPDATE or DELETE of a chain
entry is refused, whatever code (or person at a SQL prompt) tries it. The one change let
through is an account's link set to NULL (ON DELETE SET NULL of `donor` and `recorded_by`):
neither is part of an entry's hash, and refusing it would make an account impossible to
delete. Verification (socialorgs.selectors.charity.chain_verify) still detects whatever
someone who disables this trigger does."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION socialorgs_chain_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) - 'donor_id' - 'recorded_by_id')
           = (to_jsonb(OLD) - 'donor_id' - 'recorded_by_id')
       AND (NEW.donor_id IS NULL OR NEW.donor_id = OLD.donor_id)
       AND (NEW.recorded_by_id IS NULL OR NEW.recorded_by_id = OLD.recorded_by_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'charity chain entries are append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER socialorgs_chainentry_append_only BEFORE UPDATE OR DELETE ON socialorgs_chainentry
    FOR EACH ROW EXECUTE FUNCTION socialorgs_chain_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS socialorgs_chainentry_append_only ON socialorgs_chainentry;
DROP FUNCTION IF EXISTS socialorgs_chain_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("socialorgs", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
