"""Attendance and hours: check-in/out by the organiser or by code, confirmation."""

from __future__ import annotations

import datetime as dt
import hmac

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record
from volunteers.errors import VolunteerConflict, VolunteerError
from volunteers.models import Activity, HourRecord, Signup, Volunteer
from volunteers.services.common import locked_signup, require_manager
from volunteers.services.timebank import timebank_sync_record


def code_grace() -> dt.timedelta:
    return dt.timedelta(minutes=settings.VOLUNTEER_CODE_GRACE_MINUTES)


def _in_window(activity: Activity, at: dt.datetime) -> bool:
    return activity.starts_at - code_grace() <= at <= activity.ends_at + code_grace()


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
    the activity's time and its grace minutes."""
    require_manager(actor, signup.activity.organisation)
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
    checks out. The code works only around the activity's time."""
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        raise VolunteerError(_("请先完成志愿者实名注册。"), code="not_a_volunteer", field="code")
    if not hmac.compare_digest((code or "").strip().encode(), activity.checkin_code.encode()):
        raise VolunteerError(_("签到码不正确。"), code="invalid_code", field="code")
    now = timezone.now()
    if activity.status != Activity.Status.PUBLISHED or not _in_window(activity, now):
        raise VolunteerError(
            _("签到码仅在活动开始前后 %(n)s 分钟内有效。")
            % {"n": settings.VOLUNTEER_CODE_GRACE_MINUTES},
            code="code_expired",
            field="code",
        )
    with transaction.atomic():
        signup = (
            Signup.objects.select_for_update()
            .select_related("activity", "volunteer")
            .filter(activity=activity, volunteer=volunteer, status=Signup.Status.ACCEPTED)
            .first()
        )
        if signup is None:
            raise VolunteerConflict(_("您未被该活动录用。"), code="not_accepted")
        record = HourRecord.objects.filter(signup=signup).first()
        record = _check_in(signup, now) if record is None else _check_out(record, now)
        audit_record(actor=user, action="volunteer_hours.code", target=record)
    return record


def hours_confirm(*, record: HourRecord, actor: User) -> HourRecord:
    """The organiser confirms a checked-out record; the database refuses a period that
    overlaps another confirmed one of the same volunteer (no hour counted twice)."""
    require_manager(actor, record.activity.organisation)
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
