"""Credit supervision (信用监管): credit events and the grade they make, red and black lists,
credit repair (信用修复) and the nightly refresh.

Points of each kind of event (`POINTS`):

    =====================  ======  ======================================================
    kind                   points  recorded by
    =====================  ======  ======================================================
    complaint_upheld          −10  receiver of ratings.signals.complaint_upheld
    inspection_failed         −15  receiver of ratings.signals.inspection_completed
    rectification_overdue     −20  nightly job: rectification not done by its deadline
    licence_lapsed            −10  nightly job: a licence a domain requires has expired
    good_inspection            +5  receiver: passed with ≥ 90 % of the checklist maximum
    commendation              +10  an official covering the provider, by hand
    =====================  ======  ======================================================

Credit score = 100 + the points of the events of the last three years that no granted
appeal voided, clamped to 0..120. Grade A ≥ 95, B ≥ 85, C ≥ 70, D below 70; it is written to
`Provider.credit_grade`, which the providers app only shows.

Worked example: this year an upheld complaint (−10) and a good inspection (+5), four years ago
a failed inspection (−15, too old to count): 100 − 10 + 5 = 95 → A. A second upheld complaint:
85 → B. Then an overdue rectification: 65 → D. An appeal granted for the overdue rectification
voids it: 85 → B again.

A black-list entry sets `Provider.standing` to black-listed and sends
providers.signals.provider_compliance_changed, so services hides the listings at once and
refuses bookings; when the entry ends or is removed the standing goes back to normal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.permissions import is_staff_of, official_covers
from portal.audit.services import audit_record
from portal.notifications.services import notify
from portal.uploads import DOCUMENT_KINDS, MB, private_name, sniff
from providers.domains import REQUIRED_LICENCE
from providers.models import Licence, Provider
from providers.selectors import valid_licence_exists
from providers.signals import provider_compliance_changed
from ratings.errors import RatingsConflict, RatingsError, RatingsForbidden
from ratings.models import CreditAppeal, CreditEvent, CreditListEntry, Inspection

K = CreditEvent.Kind

POINTS: dict[str, int] = {
    K.COMPLAINT_UPHELD: -10,
    K.INSPECTION_FAILED: -15,
    K.RECTIFICATION_OVERDUE: -20,
    K.LICENCE_LAPSED: -10,
    K.GOOD_INSPECTION: 5,
    K.COMMENDATION: 10,
}
WINDOW_YEARS = 3
BASE_SCORE, MIN_SCORE, MAX_SCORE = 100, 0, 120
GRADE_FLOORS = (("A", 95), ("B", 85), ("C", 70))
LOWEST_GRADE = "D"
GOOD_INSPECTION_SHARE = Decimal("0.9")
EVIDENCE_MAX_BYTES = 10 * MB


# --- Score and grade ----------------------------------------------------------------------------


def window_start(today: dt.date) -> dt.date:
    """The first day whose events still count (three years back; 29 February → 28th)."""
    try:
        return today.replace(year=today.year - WINDOW_YEARS)
    except ValueError:
        return today.replace(year=today.year - WINDOW_YEARS, day=28)


def counting_q(today: dt.date, prefix: str = "") -> Q:
    """Events that count towards the score on `today`: recent and not voided."""
    return Q(
        **{f"{prefix}voided_at__isnull": True, f"{prefix}occurred_on__gte": window_start(today)}
    )


def score_of(points: int) -> int:
    return max(MIN_SCORE, min(MAX_SCORE, BASE_SCORE + points))


def grade_for(score: int) -> str:
    for grade, floor in GRADE_FLOORS:
        if score >= floor:
            return grade
    return LOWEST_GRADE


def credit_score(*, provider: Provider, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    points = provider.credit_events.filter(counting_q(today)).aggregate(
        total=Coalesce(Sum("points"), 0)
    )["total"]
    return score_of(points)


def credit_grade_refresh(*, provider: Provider, today: dt.date | None = None) -> str:
    """Recompute one provider's grade and write it when it changed."""
    grade = grade_for(credit_score(provider=provider, today=today))
    Provider.objects.filter(pk=provider.pk).exclude(credit_grade=grade).update(credit_grade=grade)
    provider.credit_grade = grade
    return grade


def credit_grades_refresh(*, today: dt.date | None = None) -> int:
    """Recompute every provider's grade (events age out of the window); returns how many
    changed. One aggregate query, then one update per grade that changes."""
    today = today or timezone.localdate()
    rows = Provider.objects.annotate(
        points=Coalesce(
            Sum("credit_events__points", filter=counting_q(today, "credit_events__")), 0
        )
    ).values_list("pk", "points", "credit_grade")
    changes: dict[str, list] = defaultdict(list)
    for pk, points, current in rows:
        grade = grade_for(score_of(points))
        if grade != current:
            changes[grade].append(pk)
    for grade, ids in changes.items():
        Provider.objects.filter(pk__in=ids).update(credit_grade=grade)
    return sum(len(ids) for ids in changes.values())


# --- Events -------------------------------------------------------------------------------------


def credit_record(
    *,
    provider: Provider,
    kind: str,
    occurred_on: dt.date,
    source: str,
    points: int | None = None,
    note: str = "",
    recorded_by: User | None = None,
) -> CreditEvent:
    """Record one credit event and regrade the provider. `source` names the fact (for example
    "complaint:42"): recording the same source again returns the first event unchanged."""
    return _record(
        provider=provider,
        kind=kind,
        occurred_on=occurred_on,
        source=source,
        points=points,
        note=note,
        recorded_by=recorded_by,
    )[0]


def _record(
    *, provider, kind, occurred_on, source, points, note, recorded_by
) -> tuple[CreditEvent, bool]:
    if kind not in K.values:
        raise RatingsError(_("未知的信用记录类型。"), code="invalid", field="kind")
    source = (source or "").strip()
    if not source or len(source) > 80:
        raise RatingsError(_("信用记录缺少来源。"), code="invalid", field="source")
    with transaction.atomic():
        event, created = record_once(
            CreditEvent,
            subject={"provider": provider},
            source=source,
            values={
                "kind": kind,
                "points": POINTS[kind] if points is None else points,
                "occurred_on": occurred_on,
                "note": (note or "").strip()[:300],
                "recorded_by": recorded_by,
            },
        )
        if not created:
            return event, False
        credit_grade_refresh(provider=provider)
        audit_record(
            actor=recorded_by,
            action="credit.event_recorded",
            target=event,
            detail={"provider": str(provider.pk), "kind": kind, "points": event.points},
        )
        notify(
            recipients=_members(provider),
            kind="credit_event",
            title=_("信用记录：%(kind)s（%(points)+d 分）")
            % {"kind": event.get_kind_display(), "points": event.points},
            body=event.note,
            link=reverse("ratings:credit-provider", args=[provider.pk]),
            dedupe_key=f"credit-event:{event.pk}",
        )
    return event, True


def record_once(model, *, subject: dict, source: str, values: dict) -> tuple[object, bool]:
    """The credit event (`model`: a CreditEventBase) of `source` about `subject`, created
    unless it exists; (event, created). Inside the caller's transaction: a concurrent run that
    recorded the same fact first wins, and its event is returned."""
    existing = model.objects.filter(source=source, **subject).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return model.objects.create(source=source, **subject, **values), True
    except IntegrityError:
        return model.objects.get(source=source, **subject), False


def credit_commend(
    *, official: User, provider: Provider, occurred_on: dt.date, note: str, request=None
) -> CreditEvent:
    """An official covering the provider records a commendation (表彰奖励, +10). The same
    commendation submitted twice (same day and text) is recorded once."""
    _require_covering(official, provider)
    note = (note or "").strip()
    if not note:
        raise RatingsError(_("请填写表彰事由。"), code="required", field="note")
    if occurred_on > timezone.localdate():
        raise RatingsError(_("表彰日期不能晚于今天。"), code="invalid", field="occurred_on")
    digest = hashlib.sha256(note.encode()).hexdigest()[:16]
    return credit_record(
        provider=provider,
        kind=K.COMMENDATION,
        occurred_on=occurred_on,
        source=f"commendation:{occurred_on:%Y%m%d}:{digest}",
        note=note,
        recorded_by=official,
    )


# --- Red and black lists ------------------------------------------------------------------------

L = CreditListEntry.List


def list_add(
    *,
    official: User,
    provider: Provider,
    list: str,  # the model's field name, shadowing the builtin here only
    reason: str,
    basis: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    request=None,
) -> CreditListEntry:
    """Put a provider on the red or black list. Black-listing hides its listings at once and
    stops bookings (through `Provider.standing`)."""
    _require_covering(official, provider)
    if list not in L.values:
        raise RatingsError(_("请选择红名单或黑名单。"), code="invalid", field="list")
    reason, basis = (reason or "").strip(), (basis or "").strip()
    if not reason:
        raise RatingsError(_("请填写列入原因。"), code="required", field="reason")
    if not basis:
        raise RatingsError(_("请填写列入依据。"), code="required", field="basis")
    if len(reason) > 300 or len(basis) > 300:
        raise RatingsError(_("原因和依据各不超过 300 字。"), code="too_long", field="reason")
    today = timezone.localdate()
    if starts_on > today:
        raise RatingsError(_("列入日期不能晚于今天。"), code="invalid", field="starts_on")
    if ends_on is not None and ends_on <= max(starts_on, today):
        raise RatingsError(_("移出日期应晚于列入日期和今天。"), code="invalid", field="ends_on")
    with transaction.atomic():
        # Adds and removals for one provider take turns: its standing follows its entries.
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        try:
            with transaction.atomic():
                entry = CreditListEntry.objects.create(
                    provider=provider,
                    list=list,
                    reason=reason,
                    basis=basis,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    created_by=official,
                )
        except IntegrityError:
            raise RatingsConflict(
                _("该机构已在此名单中。"), code="already_listed", field="list"
            ) from None
        if list == L.BLACK:
            _set_standing(provider, Provider.Standing.BLACKLISTED, only_from=None)
        audit_record(
            actor=official,
            action="credit.list_added",
            target=entry,
            detail={"provider": str(provider.pk), "list": list, "reason": reason},
            request=request,
        )
        notify(
            recipients=_members(provider),
            kind="credit_list",
            title=_("贵机构被列入%(list)s") % {"list": entry.get_list_display()},
            body=f"{reason}（{basis}）",
            link=reverse("ratings:credit-provider", args=[provider.pk]),
            dedupe_key=f"credit-list:{entry.pk}:added",
        )
    return entry


def list_remove(
    *, entry: CreditListEntry, official: User, reason: str, request=None
) -> CreditListEntry:
    """Take a provider off a list before its end date; the reason is kept on the entry."""
    _require_covering(official, entry.provider)
    reason = (reason or "").strip()
    if not reason:
        raise RatingsError(_("请填写移出原因。"), code="required", field="reason")
    if len(reason) > 300:
        raise RatingsError(_("移出原因不超过 300 字。"), code="too_long", field="reason")
    return _end_entry(entry.pk, by=official, reason=reason, action="removed", request=request)


def list_entries_expire(*, today: dt.date | None = None) -> int:
    """End the entries whose end date has come (idempotent: ended entries are left alone)."""
    today = today or timezone.localdate()
    due = CreditListEntry.objects.filter(removed_at__isnull=True, ends_on__lte=today)
    ended = 0
    for pk in due.values_list("pk", flat=True):
        entry = _end_entry(pk, by=None, reason=_("名单期满，自动移出。"), action="expired")
        ended += entry is not None
    return ended


def _end_entry(pk, *, by: User | None, reason: str, action: str, request=None):
    with transaction.atomic():
        provider_id = CreditListEntry.objects.values_list("provider_id", flat=True).get(pk=pk)
        provider = Provider.objects.select_for_update().get(pk=provider_id)
        entry = CreditListEntry.objects.select_for_update().get(pk=pk)
        if entry.removed_at is not None:
            if by is None:
                return None  # a second run of the job
            raise RatingsConflict(_("该名单记录已移出。"), code="already_removed")
        entry.removed_at = timezone.now()
        entry.removed_by = by
        entry.removal_reason = reason
        entry.save(update_fields=["removed_at", "removed_by", "removal_reason"])
        if entry.list == L.BLACK:
            # Only the black list's own effect is undone: a standing set for another reason stays.
            _set_standing(
                provider, Provider.Standing.NORMAL, only_from=Provider.Standing.BLACKLISTED
            )
        audit_record(
            actor=by,
            action=f"credit.list_{action}",
            target=entry,
            detail={"provider": str(provider.pk), "list": entry.list, "reason": reason},
            request=request,
        )
        notify(
            recipients=_members(provider),
            kind="credit_list",
            title=_("贵机构已移出%(list)s") % {"list": entry.get_list_display()},
            body=reason,
            link=reverse("ratings:credit-provider", args=[provider.pk]),
            dedupe_key=f"credit-list:{entry.pk}:ended",
        )
    return entry


def _set_standing(provider: Provider, standing: str, *, only_from: str | None) -> None:
    rows = Provider.objects.filter(pk=provider.pk).exclude(standing=standing)
    if only_from is not None:
        rows = rows.filter(standing=only_from)
    if rows.update(standing=standing, updated_at=timezone.now()):
        provider.standing = standing
        transaction.on_commit(
            lambda: provider_compliance_changed.send(sender=CreditListEntry, provider=provider)
        )


# --- Credit repair (appeals) --------------------------------------------------------------------


def appeal_submit(
    *,
    provider: Provider,
    event: CreditEvent,
    actor: User,
    statement: str,
    evidence=None,
    request=None,
) -> CreditAppeal:
    """A provider's staff ask for a negative event to be repaired, with what they put right
    and optional evidence (PDF, PNG or JPEG by content, at most 10 MB). One open per event."""
    if not is_staff_of(actor, provider.pk):
        raise RatingsForbidden(_("您不是该服务机构的工作人员。"), code="not_staff")
    if event.provider_id != provider.pk:
        raise RatingsError(_("没有这条信用记录。"), code="unknown_event", field="event")
    if event.points >= 0:
        raise RatingsError(
            _("只有扣分的信用记录可以申请信用修复。"), code="not_negative", field="event"
        )
    if event.voided_at is not None:
        raise RatingsConflict(_("这条信用记录已经修复。"), code="already_voided", field="event")
    statement = (statement or "").strip()
    if not statement:
        raise RatingsError(_("请填写整改说明。"), code="required", field="statement")
    if len(statement) > 2000:
        raise RatingsError(_("整改说明不超过 2000 字。"), code="too_long", field="statement")
    content_type = extension = ""
    if evidence:
        try:
            content_type, extension = sniff(
                evidence, allowed=DOCUMENT_KINDS, max_bytes=EVIDENCE_MAX_BYTES
            )
        except ValidationError as exc:
            raise RatingsError(exc.messages[0], code=exc.code, field="evidence") from None
    with transaction.atomic():
        if CreditAppeal.objects.filter(event=event, status=CreditAppeal.Status.SUBMITTED).exists():
            raise _appeal_open()
        appeal = CreditAppeal(
            provider=provider,
            event=event,
            statement=statement,
            evidence_type=content_type,
            submitted_by=actor,
        )
        if evidence:
            evidence.seek(0)
            appeal.evidence.save(
                private_name("appeals", extension), ContentFile(evidence.read()), save=False
            )
        try:
            with transaction.atomic():
                appeal.save()
        except IntegrityError:
            raise _appeal_open() from None
        audit_record(
            actor=actor,
            action="credit.appeal_submitted",
            target=appeal,
            detail={"event": event.pk},
            request=request,
        )
        notify(
            recipients=_covering_officials(provider),
            kind="credit_appeal",
            title=_("新的信用修复申请：%(name)s") % {"name": provider.name},
            link=reverse("ratings:credit-appeals"),
            dedupe_key=f"credit-appeal:{appeal.pk}:submitted",
        )
    return appeal


def appeal_decide(
    *, appeal: CreditAppeal, official: User, grant: bool, reason: str, request=None
) -> CreditAppeal:
    """Grant (the event is voided and stops counting) or refuse (a reason is required)."""
    _require_covering(official, appeal.provider)
    reason = (reason or "").strip()
    if not grant and not reason:
        raise RatingsError(_("不予修复时请填写理由。"), code="required", field="reason")
    if len(reason) > 300:
        raise RatingsError(_("审核意见不超过 300 字。"), code="too_long", field="reason")
    with transaction.atomic():
        appeal = (
            CreditAppeal.objects.select_for_update(of=("self",))
            .select_related("provider", "event")
            .get(pk=appeal.pk)
        )
        if appeal.status != CreditAppeal.Status.SUBMITTED:
            raise RatingsConflict(_("该申请已经审核。"), code="already_decided")
        now = timezone.now()
        appeal.status = CreditAppeal.Status.GRANTED if grant else CreditAppeal.Status.REFUSED
        appeal.decided_by = official
        appeal.decided_at = now
        appeal.decision_reason = reason
        appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        if grant:
            CreditEvent.objects.filter(pk=appeal.event_id, voided_at__isnull=True).update(
                voided_at=now
            )
            credit_grade_refresh(provider=appeal.provider)
        audit_record(
            actor=official,
            action=f"credit.appeal_{appeal.status}",
            target=appeal,
            detail={"event": appeal.event_id, "reason": reason},
            request=request,
        )
        notify(
            recipients=_members(appeal.provider),
            kind="credit_appeal",
            title=_("信用修复申请结果：%(status)s") % {"status": appeal.get_status_display()},
            body=reason,
            link=reverse("ratings:credit-provider", args=[appeal.provider_id]),
            dedupe_key=f"credit-appeal:{appeal.pk}:decided",
        )
    return appeal


# --- The nightly refresh ------------------------------------------------------------------------


def rectifications_overdue_record(*, today: dt.date | None = None) -> int:
    """One event per inspection whose rectification deadline passed without rectification
    (or with it done only after the deadline)."""
    today = today or timezone.localdate()
    overdue = (
        Inspection.objects.filter(
            rectification_due__lt=today, rectification_due__gte=window_start(today)
        )
        .filter(Q(rectified_on__isnull=True) | Q(rectified_on__gt=F("rectification_due")))
        .select_related("provider")
    )
    recorded = 0
    for inspection in overdue:
        _event, created = _record(
            provider=inspection.provider,
            kind=K.RECTIFICATION_OVERDUE,
            occurred_on=inspection.rectification_due + dt.timedelta(days=1),
            source=f"rectification:{inspection.pk}",
            note=_("整改期限 %(due)s") % {"due": inspection.rectification_due},
            points=None,
            recorded_by=None,
        )
        recorded += created
    return recorded


def licences_lapsed_record(*, today: dt.date | None = None) -> int:
    """One event per lapse of a licence a provider's domain requires (approved providers)."""
    today = today or timezone.localdate()
    recorded = 0
    for domain, kind in REQUIRED_LICENCE.items():
        last_valid_until = (
            Licence.objects.filter(provider=OuterRef("pk"), kind=kind, valid_until__lt=today)
            .order_by("-valid_until")
            .values("valid_until")[:1]
        )
        lapsed = (
            Provider.objects.filter(status=Provider.Status.APPROVED, domains__contains=[domain])
            .exclude(valid_licence_exists(provider_ref=OuterRef("pk"), kind=kind, today=today))
            .annotate(lapsed_after=Subquery(last_valid_until))
            .filter(lapsed_after__gte=window_start(today))
        )
        for provider in lapsed:
            _event, created = _record(
                provider=provider,
                kind=K.LICENCE_LAPSED,
                occurred_on=provider.lapsed_after + dt.timedelta(days=1),
                # One event per lapse: a renewed licence that lapses again is a new fact.
                source=f"licence:{kind}:{provider.lapsed_after:%Y%m%d}",
                note=_("%(licence)s已于 %(day)s 到期")
                % {"licence": kind.label, "day": provider.lapsed_after},
                points=None,
                recorded_by=None,
            )
            recorded += created
    return recorded


def credit_refresh(*, today: dt.date | None = None) -> dict:
    """The nightly job: end expired list entries, record overdue rectifications and lapsed
    licences, regrade everyone. Each step is idempotent, so a rerun changes nothing."""
    today = today or timezone.localdate()
    return {
        "entries_ended": list_entries_expire(today=today),
        "rectifications_overdue": rectifications_overdue_record(today=today),
        "licences_lapsed": licences_lapsed_record(today=today),
        "grades_changed": credit_grades_refresh(today=today),
    }


# --- Helpers ------------------------------------------------------------------------------------


def _require_covering(official: User, provider: Provider) -> None:
    if not official_covers(official, provider.division_id):
        raise RatingsForbidden(_("该机构不在您的管辖区域内。"), code="out_of_jurisdiction")


def _appeal_open() -> RatingsConflict:
    return RatingsConflict(_("这条记录已有待审核的修复申请。"), code="appeal_open")


def _members(provider: Provider):
    return User.objects.filter(provider_memberships__provider=provider, is_active=True)


def _covering_officials(provider: Provider) -> list[User]:
    officials = User.objects.filter(role=User.Role.OFFICIAL, is_active=True)
    return [o for o in officials if o.covers(provider.division_id)]
