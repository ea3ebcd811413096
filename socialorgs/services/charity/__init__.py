"""Write paths of charity transparency: fundraising projects, the ledger as a hash chain
(donations, disbursements, audited reads of real names), residents' online donations as
pledges confirmed by the charity, and information disclosure."""

from socialorgs.services.charity.disclosures import (
    annual_disclosures_ensure,
    disclosure_publish,
    disclosures_flag_overdue,
)
from socialorgs.services.charity.ledger import (
    ANONYMOUS_NAME,
    LEDGER_PURPOSE,
    SUPERVISION_PURPOSE,
    disbursement_record,
    donation_record,
    ledger_entries_reveal,
    receipt_code_clean,
)
from socialorgs.services.charity.pledges import (
    pledge_cancel,
    pledge_confirm,
    pledge_create,
    pledge_donors_reveal,
    pledge_require_decider,
)
from socialorgs.services.charity.projects import (
    project_close,
    project_create,
    projects_close_for_organisation,
    require_fundraiser,
)

__all__ = [
    "ANONYMOUS_NAME",
    "LEDGER_PURPOSE",
    "SUPERVISION_PURPOSE",
    "annual_disclosures_ensure",
    "disbursement_record",
    "disclosure_publish",
    "disclosures_flag_overdue",
    "donation_record",
    "ledger_entries_reveal",
    "pledge_cancel",
    "pledge_confirm",
    "pledge_create",
    "pledge_donors_reveal",
    "pledge_require_decider",
    "project_close",
    "project_create",
    "projects_close_for_organisation",
    "receipt_code_clean",
    "require_fundraiser",
]
