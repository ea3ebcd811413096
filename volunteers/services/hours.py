"""Attendance and hours: check-in/out by the organiser or by code, confirmation.

The code shown at the place changes every VOLUNTEER_CODE_ROTATE_SECONDS: six digits of an
HMAC-SHA256 keyed by the site's secret over the activity, its secret seed
(Activity.checkin_code, never shown) and the number of the period, like a TOTP. The current
and the previous code are accepted, and only around the activity's time.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record
from volunteers.errors import VolunteerConflict, VolunteerError
from volunteers.models import Activity, HourRecord, Signup, Volunteer
from volunteers.services.common import locked_signup, require_manager, require_not_own
from volunteers.services.timebank import timebank_sync_record


def code_grace() -> dt.timedelta:
    return dt.timedelta(minutes=settings.VOLUNTEER_CODE_GRACE_MINUTES)


def _in_window(activity: Activity, at: dt.datetime) -> bool:
    return activity.starts_at - code_grace() <= at <= activity.ends_at + code_grace()


# --- The rotating code --------------------------------------------------------------------------


def _period(at: dt.datetime) -> int:
    return int(at.timestamp()) // settings.VOLUNTEER_CODE_ROTATE_SECONDS


def _period_start(period: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(period * settings.VOLUNTEER_CODE_ROTATE_SECONDS, dt.UTC)


def _code_of_period(activity: Activity, period: int) -> str:
    digest = salted_hmac(
        "volunteers.checkin-code",
        f"{activity.pk}:{activity.checkin_code}:{period}",
        algorithm="sha256",
    ).digest()
    # RFC 4226's dynamic truncation to six digits.
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 10**6:06d}"


def checkin_code_at(activity: Activity, at: dt.datetime) -> str:
    """The six-digit code shown at the place at `at`."""
    return _code_of_period(activity, _period(at))


def checkin_code_valid(activity: Activity, code: str, at: dt.datetime) -> bool:
    """Whether `code` is the code shown at `at` or just before it (constant-time compare)."""
    typed = (code or "").strip().encode()
    current = _period(at)
    matches = [
        hmac.compare_digest(typed, _code_of_period(activity, period).encode())
        for period in (current, current - 1)
    ]
    return any(matches)


@dataclass(frozen=True)
class CheckinCode:
    """The code to show now: the period it belongs to (for cache-busting the QR image), when
    the next one replaces it and until when it is still accepted."""

    code: str
    period: int
    changes_at: dt.datetime
    expires_at: dt.datetime
    valid_from: dt.datetime
    valid_until: dt.datetime


def checkin_code_current(activity: Activity, at: dt.datetime | None = None) -> CheckinCode:
    """The code for the organiser to show (callers check that the user manages the
    activity), with its times; valid_from/valid_until bound every code of the activity."""
    at = at or timezone.now()
    period = _period(at)
    valid_until = activity.ends_at + code_grace()
    return CheckinCode(
        code=_code_of_period(activity, period),
        period=period,
        changes_at=_period_start(period + 1),
        expires_at=min(_period_start(period + 2), valid_until),
        valid_from=activity.starts_at - code_grace(),
        valid_until=valid_until,
    )


def _check_in(signup: Signup, at: dt.datetime) -> HourRecord:
    if signup.status != Signup.Status.ACCEPTED:
        raise VolunteerConflict(_("只有已录用的志愿者可以签到。"), code="not_accepted")
    if HourRecord.objects.filter(signup=signup).exists():
        raise VolunteerConflict(_("已签到，请勿重复签到。"), code="already_checked_in")
    return HourRecord.objects.create(
        signup=signup,
        volunteer=signup.volunteer,
        activity=signup.activity,
        window_start=signup.activity.starts_at,
        window_end=signup.activity.ends_at,
        checked_in_at=at,
    )


def _check_out(record: HourRecord, at: dt.datetime) -> HourRecord:
    if record.status != HourRecord.Status.OPEN:
        raise VolunteerConflict(_("已签退，请勿重复签退。"), code="already_checked_out")
    if at < record.checked_in_at:
        raise VolunteerError(_("签退时间不能早于签到时间。"), code="invalid", field="at")
    # Only the time inside the activity counts (early arrival and late leaving do not).
    start = max(record.checked_in_at, record.window_start)
    end = min(at, record.window_end)
    record.checked_out_at = at
    record.status = HourRecord.Status.PENDING
    if end > start:
        record.period = DateTimeTZRange(start, end, "[)")
        record.minutes = int((end - start).total_seconds() // 60)
    else:
        record.period, record.minutes = None, 0
    record.save(update_fields=["checked_out_at", "status", "period", "minutes"])
    return record


def attendance_record(
    *, signup: Signup, actor: User, action: str, at: dt.datetime | None = None
) -> HourRecord:
    """The organiser checks an accepted volunteer in or out (at `at`, default now), within
    the activity's time and its grace minutes. Never one's own sign-up."""
    require_manager(actor, signup.activity.organisation)
    require_not_own(actor, signup.volunteer)
    if action not in ("check_in", "check_out"):
        raise VolunteerError(_("未知的操作。"), code="invalid_choice", field="action")
    at = at or timezone.now()
    if not _in_window(signup.activity, at) or at > timezone.now() + dt.timedelta(minutes=5):
        raise VolunteerError(
            _("签到、签退时间必须在活动时间前后 %(n)s 分钟之内，且不能晚于现在。")
            % {"n": settings.VOLUNTEER_CODE_GRACE_MINUTES},
            code="outside_window",
            field="at",
        )
    with transaction.atomic():
        signup = locked_signup(signup)
        if action == "check_in":
            record = _check_in(signup, at)
        else:
            record = HourRecord.objects.filter(signup=signup).first()
            if record is None:
                raise VolunteerConflict(_("尚未签到，不能签退。"), code="not_checked_in")
            record = _check_out(record, at)
        audit_record(actor=actor, action=f"volunteer_hours.{action}", target=record)
    return record


def code_checkin(*, activity: Activity, user: User, code: str) -> HourRecord:
    """A volunteer enters the code shown at the place: the first use checks in, the second
    checks out. The code works only around the activity's time.

    The code is checked last, and only for a volunteer accepted for the activity inside its
    time: anyone else gets the same answer whatever they type, so the answers never tell a
    right code from a wrong one (the callers limit wrong codes, volunteers.throttles)."""
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        raise VolunteerError(_("请先完成志愿者实名注册。"), code="not_a_volunteer", field="code")
    now = timezone.now()
    with transaction.atomic():
        signup = (
            Signup.objects.select_for_update(of=("self",))
            .select_related("activity", "volunteer")
            .filter(activity=activity, volunteer=volunteer, status=Signup.Status.ACCEPTED)
            .first()
        )
        if signup is None:
            raise VolunteerConflict(_("您未被该活动录用。"), code="not_accepted")
        if activity.status != Activity.Status.PUBLISHED or not _in_window(activity, now):
            raise VolunteerError(
                _("签到码仅在活动开始前后 %(n)s 分钟内有效。")
                % {"n": settings.VOLUNTEER_CODE_GRACE_MINUTES},
                code="code_expired",
                field="code",
            )
        if not checkin_code_valid(activity, code, now):
            raise VolunteerError(_("签到码不正确。"), code="invalid_code", field="code")
        record = HourRecord.objects.filter(signup=signup).first()
        record = _check_in(signup, now) if record is None else _check_out(record, now)
        audit_record(actor=user, action="volunteer_hours.code", target=record)
    return record


def hours_confirm(*, record: HourRecord, actor: User) -> HourRecord:
    """The organiser confirms a checked-out record; the database refuses a period that
    overlaps another confirmed one of the same volunteer (no hour counted twice). Never
    one's own hours."""
    require_manager(actor, record.activity.organisation)
    require_not_own(actor, record.volunteer)
    with transaction.atomic():
        record = HourRecord.objects.select_for_update().get(pk=record.pk)
        if record.status != HourRecord.Status.PENDING:
            raise VolunteerConflict(_("只能确认已签退、待确认的记录。"), code="invalid_transition")
        if record.period is None or record.minutes <= 0:
            raise VolunteerConflict(_("该记录没有活动时间内的服务时长，不能确认。"), code="no_time")
        record.status = HourRecord.Status.CONFIRMED
        record.confirmed_by = actor
        record.confirmed_at = timezone.now()
        try:
            with transaction.atomic():
                record.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        except IntegrityError:
            raise VolunteerConflict(
                _("该时段已计入其他服务记录，不能重复计时。"), code="overlap"
            ) from None
        audit_record(actor=actor, action="volunteer_hours.confirmed", target=record)
        # Eldercare hours go to the volunteer's time-bank account in the same transaction.
        timebank_sync_record(record=record, actor=actor)
    return record
