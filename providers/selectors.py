"""Read paths of the providers app: what each viewer may see, the review queue, public
verification, and the query pieces other apps use (services reads providers only here)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Round, TruncDate
from django.db.models.lookups import Regex
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import open_data
from portal.accounts.permissions import in_jurisdiction, is_official, is_provider_staff
from portal.identifiers import LANDLINE_RE, SERVICE_LINE_RE
from portal.privacy import mask_name
from providers.domains import Domain, domains_of_department
from providers.models import (
    Branch,
    Certificate,
    Licence,
    Membership,
    Provider,
    ReviewEvent,
    StaffMember,
)

# --- Visibility ---------------------------------------------------------------------------


def public_provider_q(prefix: str = "") -> Q:
    """Organisations the public may see: approved and not suspended or black-listed."""
    return Q(**{f"{prefix}status": Provider.Status.APPROVED, f"{prefix}standing": "normal"})


def valid_licence_exists(*, provider_ref, kind: str, today: dt.date) -> Exists:
    """EXISTS a licence of `kind`, valid on `today`, for the provider at `provider_ref`."""
    return Exists(
        Licence.objects.filter(provider=provider_ref, kind=kind, valid_from__lte=today).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )
    )


def valid_certificates_prefetch(today: dt.date | None = None) -> Prefetch:
    """Staff members' certificates that are valid today (for public badges)."""
    today = today or timezone.localdate()
    return Prefetch(
        "certificates",
        queryset=Certificate.objects.filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today), revoked_at__isnull=True
        ),
    )


def provider_list_public() -> QuerySet[Provider]:
    return Provider.objects.filter(public_provider_q()).select_related("division")


def provider_get_public(*, pk) -> Provider | None:
    return provider_list_public().filter(pk=pk).first()


def provider_list_for_official(*, official) -> QuerySet[Provider]:
    """Organisations inside the official's jurisdiction, any status."""
    return in_jurisdiction(Provider.objects.select_related("division"), official)


def provider_get_for_official(*, official, pk) -> Provider | None:
    return (
        provider_list_for_official(official=official)
        .prefetch_related(
            "branches__division",
            "licences",
            Prefetch("staff", queryset=StaffMember.objects.prefetch_related("certificates")),
            Prefetch("review_events", queryset=ReviewEvent.objects.select_related("actor")),
        )
        .filter(pk=pk)
        .first()
    )


def provider_list_for_staff(*, user) -> QuerySet[Provider]:
    if not is_provider_staff(user):
        return Provider.objects.none()
    return Provider.objects.filter(memberships__user=user).select_related("division")


def provider_get_for_staff(*, user, pk) -> Provider | None:
    return provider_list_for_staff(user=user).filter(pk=pk).first()


def provider_list_visible(*, viewer) -> QuerySet[Provider]:
    """What the viewer may list: officials their jurisdiction, staff their own, others approved."""
    if is_official(viewer):
        return provider_list_for_official(official=viewer)
    if is_provider_staff(viewer):
        return provider_list_for_staff(user=viewer)
    return provider_list_public()


def membership_role(*, user, provider) -> str | None:
    return (
        Membership.objects.filter(user=user, provider=provider)
        .values_list("role", flat=True)
        .first()
    )


# --- The review queue ------------------------------------------------------------------------


def review_queue(*, official, domain: str | None = None) -> QuerySet[Provider]:
    """Submitted organisations the official may decide: in their jurisdiction, in a domain
    their department supervises; oldest submission first."""
    domains = domains_of_department(official.department) if is_official(official) else []
    if domain:
        domains = [d for d in domains if d == domain]
    # Still waiting for this department: one of its domains is not yet approved.
    pending = Q(pk__in=[])
    for d in domains:
        pending |= Q(domains__contains=[d]) & ~Q(approved_domains__contains=[d])
    return (
        provider_list_for_official(official=official)
        .filter(pending, status=Provider.Status.SUBMITTED)
        .order_by("submitted_at", "name")
    )


def review_queue_summary(*, official, now=None) -> dict:
    """Counts by domain and by age of submission, for the head of the queue page."""
    now = now or timezone.now()
    queue = review_queue(official=official)
    by_domain = []
    for domain in domains_of_department(official.department):
        by_domain.append((Domain(domain).label, queue.filter(domains__contains=[domain]).count()))
    ages = queue.aggregate(
        under_3=Count("pk", filter=Q(submitted_at__gte=now - dt.timedelta(days=3))),
        days_3_to_7=Count(
            "pk",
            filter=Q(submitted_at__lt=now - dt.timedelta(days=3))
            & Q(submitted_at__gte=now - dt.timedelta(days=7)),
        ),
        over_7=Count("pk", filter=Q(submitted_at__lt=now - dt.timedelta(days=7))),
    )
    return {"by_domain": by_domain, "ages": ages, "total": queue.count()}


# --- Public verification ----------------------------------------------------------------------

REGISTRATION_STATE = {
    Provider.Status.SUBMITTED: ("under_review", _("已申请登记，审核中")),
    Provider.Status.RETURNED: ("under_review", _("已申请登记，审核中")),
    Provider.Status.REJECTED: ("not_approved", _("登记申请未通过")),
    Provider.Status.APPROVED: ("approved", _("已审核通过")),
    Provider.Status.SUSPENDED: ("suspended", _("已被暂停")),
    Provider.Status.REVOKED: ("revoked", _("已被撤销")),
}


def verification_lookup(*, code: str, today: dt.date | None = None) -> list[dict]:
    """Public facts about a credit code or certificate number, and nothing more: no phone,
    no ID number, holders' names masked. An empty list means not registered here."""
    today = today or timezone.localdate()
    code = (code or "").strip().upper()
    if not code or len(code) > 60:
        return []
    results: list[dict] = []
    provider = (
        Provider.objects.filter(credit_code=code)
        .exclude(status=Provider.Status.DRAFT)
        .prefetch_related("licences")
        .first()
    )
    if provider is not None:
        state, label = REGISTRATION_STATE[provider.status]
        results.append(
            {
                "type": "organisation",
                "name": provider.name,
                "credit_code": provider.credit_code,
                "domains": provider.get_domains_display(),
                "state": state,
                "state_label": str(label),
                "licences": [
                    {
                        "kind": lic.get_kind_display(),
                        "valid_until": lic.valid_until,
                        "state": "valid" if lic.is_valid_on(today) else "expired",
                    }
                    for lic in provider.licences.all()
                ],
            }
        )
    # Only what a registered, approved organisation vouches for: a draft cannot make a number
    # look valid, and a worker who left is not shown as working there.
    certificates = Certificate.objects.filter(
        public_provider_q("staff__provider__"), number__iexact=code, staff__is_active=True
    ).select_related("staff__provider")
    for cert in certificates:
        if cert.revoked_at is not None:
            state, label = "revoked", _("已撤销")
        elif cert.expires_on is not None and cert.expires_on < today:
            state, label = "expired", _("已过期")
        else:
            state, label = "valid", _("有效")
        org = cert.staff.provider
        results.append(
            {
                "type": "certificate",
                "kind": cert.get_kind_display(),
                "number": cert.number,
                "holder": mask_name(cert.staff.name),
                "level": cert.level,
                "issuer": cert.issuer,
                "expires_on": cert.expires_on,
                "state": state,
                "state_label": str(label),
                "provider": org.name,
            }
        )
    return results


# --- Personal data ----------------------------------------------------------------------------


def memberships_export(user) -> list[dict]:
    return [
        {
            "provider": m.provider.name,
            "credit_code": m.provider.credit_code,
            "role": m.role,
            "since": m.created_at.isoformat(),
        }
        for m in user.provider_memberships.select_related("provider")
    ]


# --- Open data --------------------------------------------------------------------------------
# Row sets the openData app publishes. Each is one SELECT that PostgreSQL can run as
# `COPY (<sql>) TO STDOUT WITH CSV`, so every column is computed in SQL, in the order of its
# keys, ordered by the primary key. Only what the organisation publishes about itself.

SHANGHAI = ZoneInfo("Asia/Shanghai")

OPEN_PROVIDER_KEYS = (
    "id",
    "name",
    "credit_code",
    "domains",
    "division_code",
    "description",
    "contact_phone",
    "official_grade",
    "official_grade_until",
    "credit_grade",
    "quality_score",
    "review_count",
    "approved_on",
)
OPEN_BRANCH_KEYS = (
    "id",
    "provider_id",
    "name",
    "address",
    "division_code",
    "latitude",
    "longitude",
    "opening_hours",
    "beds",
    "places",
    "staff_capacity",
    "accessibility",
)


def _public_phone(field: str) -> Case:
    """The number, spaces removed, when it is a landline or a 400/800 service line; else ''.
    The validator also accepts a mobile, usually one person's own phone: not republished."""
    compact = Func(
        F(field),
        Value(r"\s"),
        Value(""),
        Value("g"),
        function="regexp_replace",
        output_field=CharField(),
    )
    return Case(
        When(
            Regex(compact, LANDLINE_RE.pattern) | Regex(compact, SERVICE_LINE_RE.pattern),
            then=compact,
        ),
        default=Value(""),
        output_field=CharField(),
    )


def open_provider_rows() -> QuerySet:
    """Public organisations as the directory shows them: identity, domains, public phone,
    grades and score. Not the legal representative, review notes, licences or members."""
    return open_data.open_rows(
        provider_list_public(),
        OPEN_PROVIDER_KEYS,
        domains=open_data.joined("domains"),
        division_code=F("division_id"),
        contact_phone=_public_phone("contact_phone"),
        quality_score=Round("quality_score", 2),
        approved_on=TruncDate("decided_at", tzinfo=SHANGHAI),
    )


def open_branch_rows() -> QuerySet:
    """Service points of public organisations: where they receive people, hours, capacity
    and accessibility. The address is the branch's public one, not anybody's home."""
    return open_data.open_rows(
        Branch.objects.filter(public_provider_q("provider__")),
        OPEN_BRANCH_KEYS,
        division_code=F("division_id"),
        accessibility=open_data.joined("accessibility"),
    )


def person_names() -> set[str]:
    """Every person's name the providers app holds (staff, legal representatives), whatever
    the organisation's state: the open-data gate searches release files for them."""
    names = set(StaffMember.objects.values_list("name", flat=True).distinct())
    names |= set(Provider.objects.values_list("legal_representative", flat=True).distinct())
    return {name.strip() for name in names if name and name.strip()}
