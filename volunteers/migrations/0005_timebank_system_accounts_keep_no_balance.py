"""Posting to a system account of the time bank (service given, service received, expired)
no longer updates that account's row.

Every confirmation city-wide posts to the one "service given" account: updating its balance
took that row's lock until commit, so all confirmations waited on each other. Now only
personal and family accounts keep a balance (needed there: the non-negative check refuses an
overdraft at once); a system account's balance stays 0 and its total is the sum of its
postings (volunteers.services.timebank.account_total, timebank_reconcile).

Reversing restores migration 0003's function and the system accounts' balances from their
postings.
"""

from django.db import migrations

HOLDER_ONLY = """
CREATE OR REPLACE FUNCTION volunteers_timebank_apply() RETURNS trigger AS $$
BEGIN
    UPDATE volunteers_timebankaccount
       SET balance_minutes = balance_minutes + NEW.minutes
     WHERE id = NEW.account_id AND kind IN ('personal', 'family');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

UPDATE volunteers_timebankaccount
   SET balance_minutes = 0
 WHERE kind NOT IN ('personal', 'family') AND balance_minutes <> 0;
"""

EVERY_ACCOUNT = """
CREATE OR REPLACE FUNCTION volunteers_timebank_apply() RETURNS trigger AS $$
BEGIN
    UPDATE volunteers_timebankaccount
       SET balance_minutes = balance_minutes + NEW.minutes
     WHERE id = NEW.account_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

UPDATE volunteers_timebankaccount AS account
   SET balance_minutes = COALESCE(
           (SELECT SUM(posting.minutes) FROM volunteers_timebankposting AS posting
             WHERE posting.account_id = account.id), 0)
 WHERE account.kind NOT IN ('personal', 'family');
"""


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0004_activity_search_tokens")]

    operations = [migrations.RunSQL(HOLDER_ONLY, EVERY_ACCOUNT)]
