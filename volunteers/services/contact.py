"""An organiser reads an accepted volunteer's contact details, on purpose and on the record."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_personal_data_read
from volunteers.errors import VolunteerConflict
from volunteers.models import Signup
from volunteers.services.common import require_manager

CONTACT_PURPOSE = "volunteer_contact"


def signup_contact_reveal(*, signup: Signup, actor: User, request=None) -> dict:
    """The real name and phone of an accepted volunteer for a manager of the organisation,
    who needs them to reach the person; each read is audit-logged with its purpose. Names
    stay masked everywhere else on the organiser's pages."""
    require_manager(actor, signup.activity.organisation)
    if signup.status != Signup.Status.ACCEPTED:
        raise VolunteerConflict(
            _("只能查看已录用志愿者的联系方式。"), code="not_accepted", field="signup"
        )
    volunteer = signup.volunteer
    audit_personal_data_read(
        viewer=actor,
        subject=volunteer.user,
        target=signup,
        fields=["name", "phone"],
        purpose=CONTACT_PURPOSE,
        organisation=signup.activity.organisation.name,
        request=request,
    )
    return {"name": volunteer.real_name, "phone": volunteer.phone}
