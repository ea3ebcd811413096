"""Certificates of volunteer service (志愿服务证明): issued by the volunteer over a period of
their confirmed hours, a snapshot with a verification code anyone can check; revoked by them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record
from volunteers.certificate_codes import certificate_code_new
from volunteers.errors import NotAllowed, VolunteerConflict, VolunteerError
from volunteers.models import Certificate, HourRecord, Volunteer
from volunteers.services.common import require_volunteer

MAX_PERIOD_YEARS = 5
# Older dates cannot hold any record here (and would not survive time-zone arithmetic).
EARLIEST_DATE = dt.date(2000, 1, 1)


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start of `first`, start of the day after `last`) in the portal's time zone."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _check_period(period_start, period_end) -> None:
    if period_start is None:
        raise VolunteerError(_("请填写起始日期。"), code="required", field="period_start")
    if period_end is None:
        raise VolunteerError(_("请填写截止日期。"), code="required", field="period_end")
    if period_start < EARLIEST_DATE:
        raise VolunteerError(
            _("起始日期不能早于 %(date)s。") % {"date": EARLIEST_DATE.isoformat()},
            code="invalid",
            field="period_start",
        )
    if period_end < period_start:
        raise VolunteerError(_("截止日期不能早于起始日期。"), code="invalid", field="period_end")
    if period_end > timezone.localdate():
        raise VolunteerError(_("截止日期不能晚于今天。"), code="future_period", field="period_end")
    if period_start < _years_before(period_end, MAX_PERIOD_YEARS):
        raise VolunteerError(
            _("证明期间最长 %(n)s 年，请分段出具。") % {"n": MAX_PERIOD_YEARS},
            code="period_too_long",
            field="period_start",
        )


def _lines(volunteer: Volunteer, period_start: dt.date, period_end: dt.date) -> list[dict]:
    """The volunteer's confirmed records whose counted time starts within the period."""
    start, end = day_bounds(period_start, period_end)
    records = (
        HourRecord.objects.filter(
            volunteer=volunteer,
            status=HourRecord.Status.CONFIRMED,
            period__startswith__gte=start,
            period__startswith__lt=end,
        )
        .select_related("activity__organisation")
        .order_by("period__startswith", "id")
    )
    return [
        {
            "date": timezone.localtime(r.period.lower).date().isoformat(),
            "activity": r.activity.title,
            "organisation": r.activity.organisation.name,
            "domain": r.activity.domain,
            "minutes": r.minutes,
        }
        for r in records
    ]


def _require_daily_allowance(volunteer: Volunteer) -> None:
    """At most VOLUNTEER_CERTIFICATES_PER_DAY certificates a volunteer a day (Asia/Shanghai),
    revoked ones included: each is a public code, and a loop of issues is not a use. Called
    with the volunteer's row locked, so two issues at once count each other."""
    today = timezone.localdate()  # the portal's time zone, Asia/Shanghai
    start, end = day_bounds(today, today)
    issued = Certificate.objects.filter(
        volunteer=volunteer, issued_at__gte=start, issued_at__lt=end
    ).count()
    limit = settings.VOLUNTEER_CERTIFICATES_PER_DAY
    if issued >= limit:
        raise VolunteerConflict(
            _("每天最多出具 %(n)s 份志愿服务证明，请明天再试。") % {"n": limit},
            code="daily_limit",
        )


def certificate_issue(*, user: User, period_start: dt.date, period_end: dt.date) -> Certificate:
    """The volunteer certifies their confirmed hours between two dates (Asia/Shanghai, both
    included, at most five years, not in the future); a period without any is refused, and
    so is a certificate past the day's allowance (VOLUNTEER_CERTIFICATES_PER_DAY)."""
    volunteer = require_volunteer(user)
    _check_period(period_start, period_end)
    lines = _lines(volunteer, period_start, period_end)
    if not lines:
        raise VolunteerError(_("该期间内没有已确认的服务时长，无法出具证明。"), code="empty_period")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                Volunteer.objects.select_for_update().filter(pk=volunteer.pk).first()
                _require_daily_allowance(volunteer)
                certificate = Certificate.objects.create(
                    volunteer=volunteer,
                    code=certificate_code_new(),
                    period_start=period_start,
                    period_end=period_end,
                    minutes=sum(line["minutes"] for line in lines),
                    # One record per sign-up and one sign-up per activity: a line is an activity.
                    activity_count=len(lines),
                    lines=lines,
                )
                audit_record(
                    actor=user,
                    action="volunteer_certificate.issued",
                    target=certificate,
                    detail={
                        "period_start": period_start.isoformat(),
                        "period_end": period_end.isoformat(),
                        "minutes": certificate.minutes,
                    },
                )
            return certificate
        except IntegrityError:  # the code was taken (1 in 2^60 per certificate): draw again
            continue
    raise VolunteerConflict(_("暂时无法生成验证码，请稍后再试。"), code="code_unavailable")


def certificate_revoke(*, certificate: Certificate, user: User) -> Certificate:
    """The holder voids a certificate (lost, or issued by mistake): the public check then
    says 已作废."""
    if certificate.volunteer.user_id != getattr(user, "pk", None):
        raise NotAllowed(_("只能作废本人的证明。"), code="not_own_certificate")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.revoked_at is not None:
            raise VolunteerConflict(_("该证明已作废。"), code="already_revoked")
        certificate.revoked_at = timezone.now()
        certificate.save(update_fields=["revoked_at"])
        audit_record(actor=user, action="volunteer_certificate.revoked", target=certificate)
    return certificate
