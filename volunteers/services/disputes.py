"""Hour disputes (时长异议): a volunteer objects to a recorded time, the organiser upholds
(correcting the record) or dismisses it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record
from portal.notifications.services import notify
from volunteers.errors import NotAllowed, VolunteerConflict, VolunteerError
from volunteers.models import HourDispute, HourRecord
from volunteers.services.common import (
    managers_of,
    require_manager,
    require_not_own,
    required_text,
)
from volunteers.services.timebank import timebank_sync_record

DECISIONS = {"uphold": HourDispute.Status.UPHELD, "dismiss": HourDispute.Status.DISMISSED}


def dispute_deadline(record: HourRecord) -> dt.datetime:
    """Disputes are taken until VOLUNTEER_DISPUTE_DAYS after check-out (or check-in, for a
    record never checked out)."""
    anchor = record.checked_out_at or record.checked_in_at
    return anchor + dt.timedelta(days=settings.VOLUNTEER_DISPUTE_DAYS)


def _claimed_period(
    record: HourRecord, start, end, *, fields: tuple[str, str]
) -> tuple[dt.datetime, dt.datetime]:
    """A claimed [start, end) inside the activity's time, at least one minute long."""
    start_field, end_field = fields
    if start is None:
        raise VolunteerError(_("此项为必填项。"), code="required", field=start_field)
    if end is None:
        raise VolunteerError(_("此项为必填项。"), code="required", field=end_field)
    if end <= start:
        raise VolunteerError(_("结束时间必须晚于开始时间。"), code="invalid", field=end_field)
    window = (
        timezone.localtime(record.window_start).strftime("%Y-%m-%d %H:%M"),
        timezone.localtime(record.window_end).strftime("%H:%M"),
    )
    if start < record.window_start:
        raise VolunteerError(
            _("服务时间必须在活动时间（%(from)s–%(to)s）之内。")
            % {"from": window[0], "to": window[1]},
            code="outside_activity",
            field=start_field,
        )
    if end > record.window_end:
        raise VolunteerError(
            _("服务时间必须在活动时间（%(from)s–%(to)s）之内。")
            % {"from": window[0], "to": window[1]},
            code="outside_activity",
            field=end_field,
        )
    if (end - start) < dt.timedelta(minutes=1):
        raise VolunteerError(_("服务时间至少为 1 分钟。"), code="invalid", field=end_field)
    return start, end


def hour_dispute_raise(
    *,
    record: HourRecord,
    user: User,
    reason: str,
    claimed_start: dt.datetime | None,
    claimed_end: dt.datetime | None,
) -> HourDispute:
    """The record's own volunteer objects to it, within VOLUNTEER_DISPUTE_DAYS, claiming a
    period inside the activity's time. One open dispute per record."""
    if record.volunteer.user_id != getattr(user, "pk", None):
        raise NotAllowed(_("只能对本人的服务时长提出异议。"), code="not_own_record")
    if timezone.now() > dispute_deadline(record):
        raise VolunteerConflict(
            _("已超过异议期限（签退后 %(n)s 天内），不能再提出异议。")
            % {"n": settings.VOLUNTEER_DISPUTE_DAYS},
            code="dispute_window_closed",
        )
    reason = required_text(reason, "reason", 1000)
    claimed_start, claimed_end = _claimed_period(
        record, claimed_start, claimed_end, fields=("claimed_start", "claimed_end")
    )
    try:
        with transaction.atomic():
            dispute = HourDispute.objects.create(
                record=record,
                volunteer=record.volunteer,
                reason=reason,
                claimed_start=claimed_start,
                claimed_end=claimed_end,
            )
            audit_record(
                actor=user,
                action="volunteer_hours.dispute_raised",
                target=dispute,
                detail={
                    "record": record.pk,
                    "claimed_start": claimed_start.isoformat(),
                    "claimed_end": claimed_end.isoformat(),
                },
            )
            notify(
                recipients=managers_of(record.activity.organisation_id),
                kind="volunteer_dispute",
                title=_("志愿活动“%(title)s”有新的时长异议待处理")
                % {"title": record.activity.title},
                link=reverse("volunteers:org-disputes", args=[record.activity.organisation_id]),
                dedupe_key=f"voldispute:{dispute.pk}:raised",
            )
    except IntegrityError:
        raise VolunteerConflict(_("该记录已有待处理的异议。"), code="dispute_open") from None
    return dispute


def hour_dispute_resolve(
    *,
    dispute: HourDispute,
    actor: User,
    decision: str,
    resolution: str,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> HourDispute:
    """A manager of the activity's organisation upholds the dispute (the record takes the
    given or claimed period and is confirmed; overlapping confirmed time is still refused)
    or dismisses it. Either way with a resolution the volunteer reads."""
    record = dispute.record
    require_manager(actor, record.activity.organisation)
    require_not_own(actor, record.volunteer)
    if decision not in DECISIONS:
        raise VolunteerError(_("请选择处理结果。"), code="invalid_choice", field="decision")
    resolution = required_text(resolution, "resolution", 1000)
    with transaction.atomic():
        dispute = HourDispute.objects.select_for_update().get(pk=dispute.pk)
        if dispute.status != HourDispute.Status.OPEN:
            raise VolunteerConflict(_("该异议已处理。"), code="invalid_transition")
        record = (
            HourRecord.objects.select_for_update(of=("self",))
            .select_related("activity", "volunteer__user")
            .get(pk=dispute.record_id)
        )
        detail = {"decision": decision, "record": record.pk, "minutes_before": record.minutes}
        now = timezone.now()
        if decision == "uphold":
            period_start, period_end = _claimed_period(
                record,
                start or dispute.claimed_start,
                end or dispute.claimed_end,
                fields=("start", "end"),
            )
            record.period = DateTimeTZRange(period_start, period_end, "[)")
            record.minutes = int((period_end - period_start).total_seconds() // 60)
            record.checked_out_at = period_end
            fields = ["period", "minutes", "checked_out_at", "status", "confirmed_by"]
            if period_end < record.checked_in_at:
                # The corrected time lies wholly before the recorded check-in: the check-in
                # was wrong too (a check-out never precedes it).
                record.checked_in_at = period_start
                fields.append("checked_in_at")
            record.status = HourRecord.Status.CONFIRMED
            record.confirmed_by = actor
            record.confirmed_at = now
            try:
                with transaction.atomic():
                    record.save(update_fields=[*fields, "confirmed_at"])
            except IntegrityError:
                raise VolunteerConflict(
                    _("该时段已计入其他服务记录，不能重复计时。"), code="overlap"
                ) from None
            # The time bank follows the correction (a deposit, or an adjustment up or down);
            # a correction down that would take back hours already spent is refused there.
            timebank_sync_record(record=record, actor=actor)
            detail.update(
                minutes_after=record.minutes,
                start=period_start.isoformat(),
                end=period_end.isoformat(),
            )
        dispute.status = DECISIONS[decision]
        dispute.resolution = resolution
        dispute.resolved_by = actor
        dispute.resolved_at = now
        dispute.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
        audit_record(
            actor=actor,
            action=f"volunteer_hours.dispute_{dispute.status}",
            target=dispute,
            subject=record.volunteer.user,
            detail=detail,
        )
        notify(
            recipients=[record.volunteer.user],
            kind="volunteer_dispute",
            title=_("您对“%(title)s”服务时长的异议：%(status)s")
            % {"title": record.activity.title, "status": dispute.get_status_display()},
            body=resolution,
            link=reverse("volunteers:dispute-raise", args=[record.pk]),
            dedupe_key=f"voldispute:{dispute.pk}:{dispute.status}",
        )
    return dispute
