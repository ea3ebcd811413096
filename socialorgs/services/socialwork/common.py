"""Input rules shared by the social-work services: coordinates in China, whole numbers, dates,
choices and the divisions a service happens in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from portal.accounts.models import Division
from socialorgs.errors import SocialOrgError
from socialorgs.geo import LAT_MAX, LAT_MIN, LNG_MAX, LNG_MIN
from socialorgs.models import ServiceRequest, SocialOrganisation
from socialorgs.services.common import division_of

SIX_PLACES = Decimal("0.000001")
# Where a project runs or a resident lives: a district (county level) or a street (township).
LOCAL_LEVELS = (Division.Level.COUNTY, Division.Level.TOWNSHIP)


def coordinates_input(latitude, longitude) -> tuple[Decimal, Decimal]:
    """GCJ-02 latitude and longitude inside the mainland's bounding box, to six places."""
    lat = _decimal(latitude, "latitude")
    lng = _decimal(longitude, "longitude")
    if not LAT_MIN <= lat <= LAT_MAX:
        raise SocialOrgError(
            _("纬度不在中国境内（应在 3.8 到 53.6 之间），请检查是否填反了经纬度。"),
            code="outside_china",
            field="latitude",
        )
    if not LNG_MIN <= lng <= LNG_MAX:
        raise SocialOrgError(
            _("经度不在中国境内（应在 73.4 到 135.1 之间），请检查是否填反了经纬度。"),
            code="outside_china",
            field="longitude",
        )
    return lat.quantize(SIX_PLACES), lng.quantize(SIX_PLACES)


def _decimal(value, field: str) -> Decimal:
    if value in (None, "") or isinstance(value, bool):
        raise SocialOrgError(_("此项为必填项。"), code="required", field=field)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise SocialOrgError(_("请输入数字。"), code="invalid", field=field) from None
    if not number.is_finite():
        raise SocialOrgError(_("请输入数字。"), code="invalid", field=field)
    return number


def int_input(value, field: str, *, minimum: int, maximum: int) -> int:
    """A whole number from `minimum` to `maximum`."""
    if value in (None, "") or isinstance(value, bool):
        raise SocialOrgError(_("此项为必填项。"), code="required", field=field)
    try:
        number = int(str(value).strip())
    except ValueError:
        raise SocialOrgError(_("请输入整数。"), code="invalid", field=field) from None
    if not minimum <= number <= maximum:
        raise SocialOrgError(
            _("应在 %(min)s 到 %(max)s 之间。") % {"min": minimum, "max": maximum},
            code="out_of_range",
            field=field,
        )
    return number


def choice_input(value, choices, field: str) -> str:
    allowed = [value for value, _label in choices]
    if value not in allowed:
        raise SocialOrgError(_("请选择有效的选项。"), code="invalid_choice", field=field)
    return value


def date_value(value, field: str) -> dt.date:
    """A date (or an ISO date string), any day."""
    if value in (None, ""):
        raise SocialOrgError(_("此项为必填项。"), code="required", field=field)
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise SocialOrgError(
                _("请输入有效的日期（如 2024-05-31）。"), code="invalid_date", field=field
            ) from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise SocialOrgError(_("请输入有效的日期（如 2024-05-31）。"), code="invalid", field=field)
    return value


def local_division(code, field: str = "division") -> Division:
    """A district or street: where a project runs or a resident lives."""
    division = division_of(code, field)
    if division.level not in LOCAL_LEVELS:
        raise SocialOrgError(
            _("请选择区（县）或街道（乡镇）。"), code="division_too_wide", field=field
        )
    return division


def county_code(division_code: str) -> str:
    """The district (county-level code) a division lies in: the scope of a match run."""
    return division_code[:6]


def organisation_serves_q(prefix: str = "organisation__") -> Q:
    """Organisations whose projects residents are matched to and shown on the map and in the
    public project list: registration 正常 (not 撤销 or 注销) and not on the 严重违法失信名单.
    An organisation on the 活动异常名录 still serves: its lower credit grade only lowers its
    match score (the list is a warning that ends with the anomaly; the serious list and a
    revocation mean it must not take new cases)."""
    return Q(**{f"{prefix}status": SocialOrganisation.Status.NORMAL}) & ~Q(
        **{f"{prefix}standing": SocialOrganisation.Standing.SERIOUS}
    )


def organisation_not_serving(organisation: SocialOrganisation) -> str:
    """Why the organisation takes no new cases (a sentence for the resident), or ""."""
    if organisation.status != SocialOrganisation.Status.NORMAL:
        return _("“%(name)s”的登记状态为%(status)s") % {
            "name": organisation.name,
            "status": organisation.get_status_display(),
        }
    if organisation.standing == SocialOrganisation.Standing.SERIOUS:
        return _("“%(name)s”已被列入严重违法失信名单") % {"name": organisation.name}
    return ""


def proposal_deadline(service_request: ServiceRequest) -> dt.datetime | None:
    """When a proposal not yet answered is released (SOCIALWORK_PROPOSAL_DAYS after the match
    run proposed it), or None when nothing is proposed."""
    if service_request.status != ServiceRequest.Status.PROPOSED or not service_request.matched_at:
        return None
    return service_request.matched_at + dt.timedelta(days=settings.SOCIALWORK_PROPOSAL_DAYS)


def request_reopen(service_request: ServiceRequest, *, project_id: int, reason: str) -> None:
    """A proposal that will not be served: back to open, that project excluded for good."""
    excluded = list(service_request.excluded_projects or [])
    if project_id not in excluded:
        excluded.append(project_id)
    service_request.status = ServiceRequest.Status.OPEN
    service_request.project = None
    service_request.match_score = None
    service_request.match_explanation = {}
    service_request.unmatched_reason = ""
    service_request.matched_at = None
    service_request.excluded_projects = excluded
    service_request.closed_reason = str(reason)[:300]
    service_request.save(
        update_fields=[
            "status",
            "project",
            "match_score",
            "match_explanation",
            "unmatched_reason",
            "matched_at",
            "excluded_projects",
            "closed_reason",
        ]
    )


def rematch_after_commit(division_code: str) -> None:
    """Queue a match run of the district's waiting requests once the transaction commits."""

    def send() -> None:
        from portal.dispatch import enqueue
        from socialorgs.tasks import socialwork_match

        enqueue(socialwork_match, division_code=division_code)

    transaction.on_commit(send, robust=True)
