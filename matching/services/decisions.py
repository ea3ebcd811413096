"""Decisions on candidates: the need's owner accepts one (it becomes a booking through the
services app, or a referral for a 代办 need) or declines it with a reason; for a referral the
provider answers within RESPOND_HOURS.

A candidate can be acted on only while it is proposed and belongs to the need's latest
succeeded run: an older run's proposals are stale (the slot or the listing may have changed).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import selectors
from matching.errors import MatchingConflict, MatchingError, MatchingForbidden
from matching.models import Candidate, Need
from portal.accounts.permissions import is_staff_of
from portal.audit.services import audit_personal_data_read, audit_record
from portal.notifications.services import notify
from services.errors import BookingError
from services.services.bookings import booking_create

RESPOND_HOURS = 24  # a provider answers a referral within a day
# Booking refusals that mean "this candidate's slot is gone": the next candidate is proposed.
SLOT_GONE = {"slot_full", "slot_past", "unknown_slot", "provider_suspended"}


def _locked(candidate: Candidate) -> tuple[Candidate, Need]:
    need = Need.objects.select_for_update().get(pk=candidate.need_id)
    candidate = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("listing", "provider")
        .get(pk=candidate.pk)
    )
    return candidate, need


def _check_decidable(candidate: Candidate, need: Need, resident) -> None:
    if need.resident_id != getattr(resident, "pk", None):
        raise MatchingForbidden(_("只能处理您自己发布的需求。"), code="not_owner")
    if need.status not in Need.OPEN_STATES:
        raise MatchingConflict(
            _("该需求当前状态为“%(status)s”，不能再选择推荐。")
            % {"status": need.get_status_display()},
            code="need_closed",
        )
    if candidate.status != Candidate.Status.PROPOSED:
        raise MatchingConflict(_("这条推荐已失效或已处理。"), code="not_proposed")
    latest = selectors.run_latest_for_need(need)
    if latest is None or candidate.run_id != latest.pk:
        raise MatchingConflict(
            _("这条推荐来自较早的匹配，请查看最新的推荐。"), code="stale_candidate"
        )


def _notify_provider(candidate: Candidate, need: Need, what: str, title: str) -> None:
    recipients = [m.user for m in candidate.provider.memberships.select_related("user")]
    notify(
        recipients=recipients,
        kind=f"matching.{what}",
        title=title,
        body=f"{candidate.listing.title} · {need.get_domain_display()}",
        link=reverse("matching:leads", kwargs={"pk": candidate.provider_id}),
        dedupe_key=f"candidate:{candidate.pk}:{what}",
    )


def _supersede_others(candidate: Candidate) -> None:
    Candidate.objects.filter(need_id=candidate.need_id, status=Candidate.Status.PROPOSED).exclude(
        pk=candidate.pk
    ).update(status=Candidate.Status.SUPERSEDED)


def candidate_accept(
    *, candidate: Candidate, resident, now: dt.datetime | None = None
) -> Candidate:
    """The owner accepts a proposed candidate. A resident's need books the candidate's slot
    (the services app's capacity rules apply: a slot taken meanwhile lapses this candidate and
    answers 409 `slot_full`, the next one stays proposed); a 代办 need becomes a referral the
    provider must answer within RESPOND_HOURS."""
    now = now or timezone.now()
    gone: BookingError | None = None
    with transaction.atomic():
        candidate, need = _locked(candidate)
        _check_decidable(candidate, need, resident)
        if need.proxy_name:
            candidate.status = Candidate.Status.ACCEPTED
            candidate.provider_decision = Candidate.ProviderDecision.PENDING
            candidate.respond_by = now + dt.timedelta(hours=RESPOND_HOURS)
            candidate.save(update_fields=["status", "provider_decision", "respond_by"])
            need.status = Need.Status.REFERRED
            _supersede_others(candidate)
            what, title = "referral", _("新的转介需求，请在 24 小时内答复")
        else:
            try:
                booking = _book(candidate, need, resident, now)
            except BookingError as exc:
                if exc.code not in SLOT_GONE:
                    raise MatchingConflict(exc.message, code=exc.code) from exc
                gone = exc
                candidate.status = Candidate.Status.SUPERSEDED
                candidate.save(update_fields=["status"])
                next_left = Candidate.objects.filter(
                    need=need, status=Candidate.Status.PROPOSED
                ).exists()
                if not next_left:
                    need.status = Need.Status.OPEN
                    need.save(update_fields=["status", "updated_at"])
                what = None
            else:
                candidate.status = Candidate.Status.ACCEPTED
                candidate.booking = booking
                candidate.save(update_fields=["status", "booking"])
                need.status = Need.Status.BOOKED
                _supersede_others(candidate)
                what, title = "booked", _("居民接受了匹配推荐并已预约")
        if what is not None:
            need.version = F("version") + 1
            need.save(update_fields=["status", "version", "updated_at"])
            need.refresh_from_db(fields=["version"])
            audit_record(
                actor=resident,
                action=f"candidate.accept.{what}",
                target=candidate,
                detail={"need": need.pk},
            )
            transaction.on_commit(
                lambda: _notify_provider(candidate, need, what, title), robust=True
            )
    if gone is not None:
        if gone.code == "slot_full":
            message = _("该时段刚刚约满，未能预约。")
        else:
            message = _("这条推荐已无法预约：%(reason)s") % {"reason": gone.message}
        if next_left:
            message += _("请查看下一个推荐。")
        else:
            message += _("暂无其他推荐，请稍后重新发布需求。")
        raise MatchingConflict(
            message, code="slot_full" if gone.code == "slot_full" else "slot_gone"
        )
    return candidate


def _book(candidate: Candidate, need: Need, resident, now: dt.datetime):
    if candidate.slot_id is None:
        raise BookingError(_("这条推荐没有可预约的时段。"), code="unknown_slot")
    return booking_create(
        resident=resident,
        slot_id=candidate.slot_id,
        idempotency_key=f"match:{candidate.pk}",
        dependant=need.dependant,
        address=need.address,
        note=_("来自供需匹配"),
        now=now,
    )


def candidate_decline(*, candidate: Candidate, resident, reason: str) -> Candidate:
    """The owner declines a proposed candidate with a reason; the next-ranked one stays
    proposed. When none is left the need goes back to open."""
    reason = (reason or "").strip()
    if not reason:
        raise MatchingError(_("请说明婉拒的原因。"), code="reason_required", field="reason")
    if len(reason) > 300:
        raise MatchingError(_("原因不能超过 300 字。"), code="reason_too_long", field="reason")
    with transaction.atomic():
        candidate, need = _locked(candidate)
        _check_decidable(candidate, need, resident)
        candidate.status = Candidate.Status.DECLINED
        candidate.decline_reason = reason
        candidate.save(update_fields=["status", "decline_reason"])
        if not Candidate.objects.filter(need=need, status=Candidate.Status.PROPOSED).exists():
            need.status = Need.Status.OPEN
            need.save(update_fields=["status", "updated_at"])
        audit_record(actor=resident, action="candidate.decline", target=candidate)
    return candidate


def lead_respond(
    *, candidate: Candidate, actor, accept: bool, reason: str = "", now: dt.datetime | None = None
) -> Candidate:
    """The provider's staff answer a referral before its `respond_by`. Declining (with a
    reason) reopens the need for the community worker and queues a new run."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not is_staff_of(actor, candidate.provider_id):
        raise MatchingForbidden(_("您不是该服务机构的工作人员。"), code="not_staff")
    if not accept and not reason:
        raise MatchingError(_("请说明婉拒的原因。"), code="reason_required", field="reason")
    if len(reason) > 300:
        raise MatchingError(_("原因不能超过 300 字。"), code="reason_too_long", field="reason")
    with transaction.atomic():
        candidate, need = _locked(candidate)
        if (
            not need.proxy_name
            or candidate.status != Candidate.Status.ACCEPTED
            or candidate.provider_decision != Candidate.ProviderDecision.PENDING
        ):
            raise MatchingConflict(_("这条转介不在待答复状态。"), code="not_pending")
        if candidate.respond_by is None or now > candidate.respond_by:
            raise MatchingConflict(_("答复期限已过，不能再答复。"), code="expired")
        if accept:
            candidate.provider_decision = Candidate.ProviderDecision.ACCEPTED
            candidate.save(update_fields=["provider_decision"])
            title = _("服务机构已接受转介，将与服务对象联系")
        else:
            candidate.provider_decision = Candidate.ProviderDecision.DECLINED
            candidate.decline_reason = reason
            candidate.save(update_fields=["provider_decision", "decline_reason"])
            need.status = Need.Status.OPEN
            need.version = F("version") + 1
            need.save(update_fields=["status", "version", "updated_at"])
            title = _("服务机构婉拒了转介，已重新匹配")
            transaction.on_commit(lambda: _rerun(need, actor), robust=True)
        audit_record(
            actor=actor,
            action="lead.accept" if accept else "lead.decline",
            target=candidate,
            detail={"reason": reason} if reason else None,
        )
        notify(
            recipients=[need.resident],
            kind="matching.lead_answer",
            title=title,
            body=f"{candidate.provider.name} · {candidate.listing.title}",
            link=reverse("matching:proxy-need", kwargs={"pk": need.pk}),
            dedupe_key=f"candidate:{candidate.pk}:answer",
        )
    return candidate


def _rerun(need: Need, actor) -> None:
    from matching.services import engine

    engine.run_request(need=need, requested_by=actor)


def lead_reads_record(*, viewer, leads, request=None) -> int:
    """Audit each referral whose person's contact the provider is shown (name, phone, address):
    a read of personal data by provider staff."""
    logged = 0
    for lead in leads:
        if selectors.lead_person(lead)["revealed"]:
            # A 代办 person has no account, so there is no subject to show the entry to; the
            # entry still names who read what and why (for the officials and the admin).
            audit_personal_data_read(
                viewer=viewer,
                subject=None,
                target=lead.need,
                fields=["proxy_name", "proxy_phone", "proxy_address"],
                purpose="referral_follow_up",
                organisation=lead.provider.name,
                request=request,
            )
            logged += 1
    return logged
