"""Complaints and reports (投诉举报) about social organisations, handled in ratings' complaint
case workflow: the same filing rules, stages, working-day deadlines, officials' board and
escalation job as a complaint about a provider.

- A complaint about a registered organisation (`org_complaint_file`) is a ratings Complaint with
  subject_kind social_org, the credit code as subject_ref, routed to the officials covering the
  organisation's division; its owner and managers answer inside the case.
- A report of a suspected 非法社会组织 (`illegal_org_report`) is one with subject_kind
  unregistered_org, routed to the officials covering the division the resident chose; nobody
  answers for the body.
- When the officials decide a social-organisation complaint upheld, ratings sends
  `complaint_upheld`; `credit_after_complaint_upheld` (connected in SocialOrgsConfig.ready())
  records a complaint_upheld credit event once (source "complaint:<id>").

`register_complaint_subjects()` tells ratings, through ratings.complaint_subjects, who answers
for these subjects: ratings never imports socialorgs.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.accounts.models import Division, User
from portal.accounts.permissions import is_resident
from ratings import complaint_subjects
from ratings.errors import RatingsForbidden
from ratings.models import Complaint
from ratings.services import complaints as ratings_complaints
from socialorgs.errors import SocialOrgError
from socialorgs.models import OrgMembership, SocialOrganisation
from socialorgs.services.common import ACTING_ROLES
from socialorgs.services.credit import org_credit_record, org_profile_link

SOCIAL_ORG = Complaint.SubjectKind.SOCIAL_ORG
UNREGISTERED_ORG = Complaint.SubjectKind.UNREGISTERED_ORG
# Where a suspected illegal body acts: a district (county level) or a street inside one.
REPORT_LEVELS = (Division.Level.COUNTY, Division.Level.TOWNSHIP)


# --- Filing -------------------------------------------------------------------------------------


def org_complaint_file(
    *,
    resident,
    organisation: SocialOrganisation,
    category: str,
    description: str,
    desired_outcome: str = "",
    files: Sequence = (),
) -> Complaint:
    """A resident's complaint about a registered social organisation (normal, revoked or
    deregistered: a complaint may concern what it did before), routed to the officials
    covering its division with ratings' deadlines."""
    return ratings_complaints.complaint_file_about(
        resident=resident,
        subject_kind=SOCIAL_ORG,
        subject_ref=organisation.credit_code,
        subject_name=organisation.name,
        division_code=organisation.division_id,
        category=category,
        description=description,
        desired_outcome=desired_outcome,
        files=files,
    )


def illegal_org_report(
    *,
    resident,
    name: str,
    division_code: str,
    description: str,
    files: Sequence = (),
) -> Complaint:
    """A resident reports a body suspected of acting as a social organisation without
    registration (举报非法社会组织): the officials covering the chosen district or street get
    the case."""
    # The caller's role before the input (ratings asks the same again).
    if not is_resident(resident):
        raise RatingsForbidden(_("只有居民可以投诉。"), code="not_resident")
    if (
        not isinstance(division_code, str)
        or not Division.objects.filter(code=division_code, level__in=REPORT_LEVELS).exists()
    ):
        raise SocialOrgError(
            _("请选择该组织活动所在的区县或街道。"), code="unknown_division", field="division"
        )
    return ratings_complaints.complaint_file_about(
        resident=resident,
        subject_kind=UNREGISTERED_ORG,
        subject_ref="",
        subject_name=name,
        division_code=division_code,
        category=Complaint.Category.OTHER,
        description=description,
        files=files,
    )


# --- Who answers for an organisation ------------------------------------------------------------


def complaint_answerers(complaint: Complaint) -> QuerySet[User]:
    """The organisation's owner and managers answer a complaint about it."""
    return User.objects.filter(
        is_active=True,
        socialorg_memberships__organisation__credit_code=complaint.subject_ref,
        socialorg_memberships__role__in=ACTING_ROLES,
    )


def complaint_readers(complaint: Complaint) -> QuerySet[User]:
    """Every account of the organisation reads the complaints about it."""
    return User.objects.filter(
        is_active=True, socialorg_memberships__organisation__credit_code=complaint.subject_ref
    )


def is_complaint_answerer(user, complaint: Complaint) -> bool:
    return (
        complaint.subject_kind == SOCIAL_ORG
        and OrgMembership.objects.filter(
            user=user,
            organisation__credit_code=complaint.subject_ref,
            role__in=ACTING_ROLES,
        ).exists()
    )


def _org_link(complaint: Complaint) -> str:
    organisation = SocialOrganisation.objects.filter(credit_code=complaint.subject_ref).first()
    return org_profile_link(organisation) if organisation is not None else ""


def register_complaint_subjects() -> None:
    """Called from SocialOrgsConfig.ready()."""
    complaint_subjects.register(
        SOCIAL_ORG,
        complaint_subjects.SubjectHandler(
            answerers=complaint_answerers,
            label=gettext_lazy("被投诉社会组织"),
            link=_org_link,
            answer_link=lambda complaint: reverse(
                "socialorgs:org-complaint", kwargs={"pk": complaint.pk}
            ),
            is_answerer=is_complaint_answerer,
            # Social organisations are supervised by 民政 alone.
            departments=(User.Department.CIVIL_AFFAIRS,),
        ),
    )
    complaint_subjects.register(
        UNREGISTERED_ORG,
        complaint_subjects.SubjectHandler(
            # Nobody answers for a body without registration; a report is not an exposure,
            # so the case links to no public page.
            answerers=lambda complaint: [],
            label=gettext_lazy("被举报组织"),
            departments=(User.Department.CIVIL_AFFAIRS,),
        ),
    )


# --- Credit ---------------------------------------------------------------------------------


def credit_after_complaint_upheld(sender, complaint: Complaint, **kwargs) -> None:
    """ratings.signals.complaint_upheld: an upheld complaint about a registered organisation
    costs it a complaint_upheld credit event, once per complaint."""
    if complaint.subject_kind != SOCIAL_ORG:
        return
    organisation = SocialOrganisation.objects.filter(credit_code=complaint.subject_ref).first()
    if organisation is None:
        return
    closed = complaint.closed_at or timezone.now()
    org_credit_record(
        organisation=organisation,
        kind="complaint_upheld",
        occurred_on=timezone.localdate(closed),
        source=f"complaint:{complaint.pk}",
        note=_("投诉 %(reference)s 经查属实") % {"reference": complaint.reference},
    )
