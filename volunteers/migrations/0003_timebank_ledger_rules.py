"""The time bank's ledger rules, in the database:

- every transaction balances: a deferred constraint trigger checks at commit that the postings
  of each touched transaction sum to zero;
- postings are append-only (no UPDATE or DELETE), so history cannot be rewritten;
- each posting moves its account's balance in the same statement, so `balance_minutes` is
  always the sum of the postings and the non-negative check on personal and family accounts
  refuses an overdraft whatever code wrote the posting.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION volunteers_timebank_balanced() RETURNS trigger AS $$
DECLARE
    total bigint;
BEGIN
    SELECT COALESCE(SUM(minutes), 0) INTO total
      FROM volunteers_timebankposting WHERE transaction_id = NEW.transaction_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'time-bank transaction % does not balance (sum %)',
              NEW.transaction_id, total USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER timebank_transaction_balanced
    AFTER INSERT ON volunteers_timebankposting
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION volunteers_timebank_balanced();

CREATE FUNCTION volunteers_timebank_apply() RETURNS trigger AS $$
BEGIN
    UPDATE volunteers_timebankaccount
       SET balance_minutes = balance_minutes + NEW.minutes
     WHERE id = NEW.account_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER timebank_posting_applies
    AFTER INSERT ON volunteers_timebankposting
    FOR EACH ROW EXECUTE FUNCTION volunteers_timebank_apply();

CREATE FUNCTION volunteers_timebank_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'time-bank postings are append-only' USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER timebank_posting_append_only
    BEFORE UPDATE OR DELETE ON volunteers_timebankposting
    FOR EACH ROW EXECUTE FUNCTION volunteers_timebank_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS timebank_posting_append_only ON volunteers_timebankposting;
DROP FUNCTION IF EXISTS volunteers_timebank_append_only();
DROP TRIGGER IF EXISTS timebank_posting_applies ON volunteers_timebankposting;
DROP FUNCTION IF EXISTS volunteers_timebank_apply();
DROP TRIGGER IF EXISTS timebank_transaction_balanced ON volunteers_timebankposting;
DROP FUNCTION IF EXISTS volunteers_timebank_balanced();
"""


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0002_records_and_timebank")]

    operations = [migrations.RunSQL(CREATE, DROP)]
