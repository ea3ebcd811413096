"""Write paths of the volunteers app, split by sub-domain: registration (volunteers),
organisations (review, members), activities (publishing, sign-ups, waitlist) and hours
(attendance, confirmation).

Every function checks its invariants and permissions, writes inside one transaction and
records an audit entry. Errors are VolunteerError (400), VolunteerConflict (409) or
NotAllowed (403), with Chinese messages and the field at fault.
"""

from volunteers.services.activities import (
    activity_publish,
    signup_cancel,
    signup_create,
    signup_decide,
)
from volunteers.services.common import require_manager, require_owner
from volunteers.services.hours import attendance_record, code_checkin, code_grace, hours_confirm
from volunteers.services.organisations import member_add, organisation_decide, organisation_register
from volunteers.services.registration import volunteer_register

__all__ = [
    "activity_publish",
    "attendance_record",
    "code_checkin",
    "code_grace",
    "hours_confirm",
    "member_add",
    "organisation_decide",
    "organisation_register",
    "require_manager",
    "require_owner",
    "signup_cancel",
    "signup_create",
    "signup_decide",
    "volunteer_register",
]
