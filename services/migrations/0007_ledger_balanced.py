"""Every journal entry balances: a deferred constraint trigger checks, at commit, that the
postings of each touched entry sum to zero (and that an entry has postings at all)."""

from django.db import migrations

CREATE = """
CREATE FUNCTION services_entry_balanced() RETURNS trigger AS $$
DECLARE
    total bigint;
    lines integer;
BEGIN
    SELECT COALESCE(SUM(amount_fen), 0), COUNT(*) INTO total, lines
      FROM services_posting WHERE entry_id = NEW.entry_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance (sum %)', NEW.entry_id, total
              USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER posting_entry_balanced
    AFTER INSERT OR UPDATE ON services_posting
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION services_entry_balanced();
"""

DROP = """
DROP TRIGGER IF EXISTS posting_entry_balanced ON services_posting;
DROP FUNCTION IF EXISTS services_entry_balanced();
"""


class Migration(migrations.Migration):
    dependencies = [("services", "0006_bookings_payments")]

    operations = [migrations.RunSQL(CREATE, DROP)]
