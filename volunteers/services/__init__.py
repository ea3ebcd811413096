"""Write paths of the volunteers app, split by sub-domain: registration (volunteers),
organisations (review, members), activities (publishing, sign-ups, waitlist) and hours
(attendance, confirmation).

Every function checks its invariants and permissions, writes inside one transaction and
records an audit entry. Errors are VolunteerError (400), VolunteerConflict (409) or
NotAllowed (403), with Chinese messages and the field at fault.
"""

from volunteers.services.activities import (
    activities_reindex,
    activity_cancel,
    activity_publish,
    signup_cancel,
    signup_create,
    signup_decide,
)
from volunteers.services.certificates import certificate_issue, certificate_revoke
from volunteers.services.common import require_manager, require_owner, require_volunteer
from volunteers.services.contact import signup_contact_reveal
from volunteers.services.disputes import (
    dispute_deadline,
    hour_dispute_raise,
    hour_dispute_resolve,
)
from volunteers.services.hours import (
    CheckinCode,
    attendance_record,
    checkin_code_at,
    checkin_code_current,
    checkin_code_valid,
    code_checkin,
    code_grace,
    hours_confirm,
)
from volunteers.services.organisations import member_add, organisation_decide, organisation_register
from volunteers.services.recognition import (
    commendation_record,
    grantable_levels,
    may_commend,
    require_commender,
)
from volunteers.services.registration import volunteer_register
from volunteers.services.timebank import (
    redemption_cancel,
    redemption_contact_reveal,
    redemption_create,
    redemption_fulfil,
    timebank_expire,
    timebank_reconcile,
    timebank_service_create,
    timebank_service_update,
    timebank_sync_record,
    timebank_transfer,
    transaction_post,
)

__all__ = [
    "CheckinCode",
    "activities_reindex",
    "activity_cancel",
    "activity_publish",
    "attendance_record",
    "certificate_issue",
    "certificate_revoke",
    "checkin_code_at",
    "checkin_code_current",
    "checkin_code_valid",
    "code_checkin",
    "code_grace",
    "commendation_record",
    "dispute_deadline",
    "grantable_levels",
    "hour_dispute_raise",
    "hour_dispute_resolve",
    "hours_confirm",
    "may_commend",
    "member_add",
    "organisation_decide",
    "organisation_register",
    "redemption_cancel",
    "redemption_contact_reveal",
    "redemption_create",
    "redemption_fulfil",
    "require_commender",
    "require_manager",
    "require_owner",
    "require_volunteer",
    "signup_cancel",
    "signup_contact_reveal",
    "signup_create",
    "signup_decide",
    "timebank_expire",
    "timebank_reconcile",
    "timebank_service_create",
    "timebank_service_update",
    "timebank_sync_record",
    "timebank_transfer",
    "transaction_post",
    "volunteer_register",
]
