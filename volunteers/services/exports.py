"""What officials take out of the portal about volunteers: the masked roster of their
jurisdiction. Personal data leaves, so every export is audit-logged twice over: one entry for
the export, and one read per volunteer in it, which each volunteer sees on their "who looked
at my data" page."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.audit.services import audit_personal_data_reads, audit_record
from volunteers.models import Volunteer
from volunteers.selectors.stats import RosterRow

# Why an official reads the roster (portal.audit PURPOSE_LABELS), and what it holds.
ROSTER_PURPOSE = "volunteer_supervision"
ROSTER_FIELD_LABELS = {
    "volunteer_number": _("志愿者编号"),
    "name_masked": _("姓名（脱敏）"),
    "id_number_masked": _("身份证号（脱敏）"),
    "division": _("所在区划"),
    "volunteer_hours": _("志愿服务时长"),
}
ROSTER_FIELDS = list(ROSTER_FIELD_LABELS)


def roster_export_record(*, official: User, year: int, rows: list[RosterRow], request=None) -> None:
    """Log an official's export of the roster `rows` (before they leave): the export, and
    one read of personal data per volunteer in it (bulk-written)."""
    with transaction.atomic():
        audit_record(
            actor=official,
            action="volunteer.roster_export",
            target=official.jurisdiction,
            detail={"year": year, "rows": len(rows), "masked": True, "fields": ROSTER_FIELDS},
            request=request,
        )
        audit_personal_data_reads(
            viewer=official,
            target_model=Volunteer,
            reads=((row.user_id, row.volunteer_id) for row in rows),
            fields=ROSTER_FIELDS,
            purpose=ROSTER_PURPOSE,
            detail={"year": year},
            request=request,
        )
