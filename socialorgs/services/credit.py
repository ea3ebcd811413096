"""Credit supervision of social organisations with ratings' credit arithmetic (the same
three-year window, base score, clamp and grade floors as providers: ratings.services.credit).

Points of each kind of event (`POINTS`):

    ====================  =======  ==========================================================
    kind                  points   recorded by
    ====================  =======  ==========================================================
    penalty               −5…−40   penalty_record, by the penalty's kind (PENALTY_POINTS)
    abnormal_listed          −15   list_add (活动异常名录)
    serious_listed           −40   list_add (严重违法失信名单)
    report_overdue           −10   the annual-report overdue job
    report_unqualified       −10   annual-report review with the result 不合格
    complaint_upheld         −10   receiver of ratings.signals.complaint_upheld
    disclosure_overdue        −5   the disclosure overdue job
    good_evaluation           +5   an evaluation of 4A or 5A
    commendation             +10   org_commend: an official covering the organisation, by hand
    ====================  =======  ==========================================================

Points of a penalty by its kind (`PENALTY_POINTS`), heavier as the sanction is:

    ===================  ======
    警告 warning             −5
    罚款 fine               −10
    没收 confiscation       −15
    限期停止活动 suspension  −20
    撤销登记 revocation     −40
    ===================  ======

Score = 100 + the points of the events of the last three years (by `occurred_on`), clamped to
0..120; grade A ≥ 95, B ≥ 85, C ≥ 70, D below. Worked example: a 罚款 (−10) decided this year →
90, B; a 警告 (−5) as well → 85, B; listed in 活动异常名录 (−15) → 70, C. Three years and a day
after the fine was decided it stops counting and the nightly job regrades: 80, C.

`SocialOrganisation.standing` follows the active list entries: serious if the organisation is
on 严重违法失信名单, else abnormal if on 活动异常名录, else normal. list_add, list_remove and the
nightly expiry recompute it; a 撤销登记 penalty also revokes the registration (status revoked,
dated the decision, the decision as the reason).

Every official action here is refused (403) unless the actor is a civil-affairs official
whose jurisdiction covers the organisation (or, for 非法社会组织, the division where the body
acts), checked before the input is read; each is audit-logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Division, User
from portal.audit.services import audit_record
from portal.notifications.services import notify
from ratings.services.credit import counting_q, grade_for, record_once, score_of
from socialorgs.errors import SocialOrgConflict, SocialOrgError
from socialorgs.models import (
    IllegalOrganisation,
    OrgCreditEvent,
    OrgLicence,
    OrgListEntry,
    Penalty,
    SocialOrganisation,
)
from socialorgs.services.common import (
    date_input,
    fen_of_yuan,
    optional_text,
    org_accounts,
    require_civil_affairs,
    require_supervisor,
    required_text,
)

K = OrgCreditEvent.Kind
PK = Penalty.Kind
L = OrgListEntry.List
Standing = SocialOrganisation.Standing

POINTS: dict[str, int] = {
    K.PENALTY: -10,
    K.ABNORMAL_LISTED: -15,
    K.SERIOUS_LISTED: -40,
    K.REPORT_OVERDUE: -10,
    K.REPORT_UNQUALIFIED: -10,
    K.COMPLAINT_UPHELD: -10,
    K.DISCLOSURE_OVERDUE: -5,
    K.GOOD_EVALUATION: 5,
    K.COMMENDATION: 10,
}
PENALTY_POINTS: dict[str, int] = {
    PK.WARNING: -5,
    PK.FINE: -10,
    PK.CONFISCATION: -15,
    PK.SUSPENSION: -20,
    PK.REVOCATION: -40,
}
# Penalties with a sum of money (罚款, 没收违法所得、非法财产); the others carry none.
MONEY_PENALTIES = (PK.FINE, PK.CONFISCATION)
MAX_PENALTY_YUAN = 100_000_000
LIST_EVENT = {L.ABNORMAL: K.ABNORMAL_LISTED, L.SERIOUS: K.SERIOUS_LISTED}


# --- Score and grade ----------------------------------------------------------------------------


def org_credit_score(*, organisation: SocialOrganisation, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    points = organisation.credit_events.filter(counting_q(today)).aggregate(
        total=Coalesce(Sum("points"), 0)
    )["total"]
    return score_of(points)


def org_credit_refresh(*, organisation: SocialOrganisation, today: dt.date | None = None) -> str:
    """Recompute one organisation's score and grade and write them when they changed."""
    score = org_credit_score(organisation=organisation, today=today)
    grade = grade_for(score)
    SocialOrganisation.objects.filter(pk=organisation.pk).update(
        credit_score=score, credit_grade=grade
    )
    organisation.credit_score, organisation.credit_grade = score, grade
    return grade


def orgs_credit_refresh(*, today: dt.date | None = None) -> int:
    """Recompute every organisation's score and grade (events age out of the window); returns
    how many changed. One aggregate query, then one update per (score, grade) that changes."""
    today = today or timezone.localdate()
    rows = SocialOrganisation.objects.annotate(
        points=Coalesce(
            Sum("credit_events__points", filter=counting_q(today, "credit_events__")), 0
        )
    ).values_list("pk", "points", "credit_score", "credit_grade")
    changes: dict[tuple[int, str], list] = defaultdict(list)
    for pk, points, score_now, grade_now in rows:
        score = score_of(points)
        grade = grade_for(score)
        if (score, grade) != (score_now, grade_now):
            changes[(score, grade)].append(pk)
    for (score, grade), ids in changes.items():
        SocialOrganisation.objects.filter(pk__in=ids).update(credit_score=score, credit_grade=grade)
    return sum(len(ids) for ids in changes.values())


def org_credit_record(
    *,
    organisation: SocialOrganisation,
    kind: str,
    occurred_on: dt.date,
    source: str,
    points: int | None = None,
    note: str = "",
    recorded_by: User | None = None,
) -> OrgCreditEvent:
    """Record one credit event and regrade the organisation. `source` names the fact (for
    example "penalty:12"): recording the same source again returns the first event."""
    if kind not in K.values:
        raise SocialOrgError(_("未知的信用记录类型。"), code="invalid", field="kind")
    source = (source or "").strip()
    if not source or len(source) > 80:
        raise SocialOrgError(_("信用记录缺少来源。"), code="invalid", field="source")
    with transaction.atomic():
        # One recorder at a time per organisation: two events recorded at once would each
        # recompute the score without the other's points, and the later write would win.
        SocialOrganisation.objects.select_for_update().only("pk").get(pk=organisation.pk)
        event, created = record_once(
            OrgCreditEvent,
            subject={"organisation": organisation},
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
            return event
        org_credit_refresh(organisation=organisation)
        audit_record(
            actor=recorded_by,
            action="socialorgs.credit_event_recorded",
            target=event,
            detail={"organisation": str(organisation.pk), "kind": kind, "points": event.points},
        )
    return event


# --- Penalties, licences, commendations ---------------------------------------------------------


def penalty_record(
    *,
    actor: User,
    organisation: SocialOrganisation,
    decision_number: str,
    kind: str,
    facts: str,
    basis: str,
    decided_on,
    decided_by: str,
    amount_yuan=None,
    request=None,
) -> Penalty:
    """An administrative penalty (行政处罚) decided against the organisation, recorded by a
    civil-affairs official covering it, with its credit event (PENALTY_POINTS by kind). The
    decision number is unique: recording the same decision again returns the first record.
    A 撤销登记 revokes the registration as of the decision date, and closes the organisation's
    open fundraising projects (socialorgs.services.charity.projects_close_for_organisation)."""
    require_supervisor(actor, organisation.division_id)
    decision_number = required_text(decision_number, "decision_number", 60)
    if kind not in PK.values:
        raise SocialOrgError(_("请选择处罚种类。"), code="invalid_choice", field="kind")
    facts = required_text(facts, "facts", 2000)
    basis = required_text(basis, "basis", 300)
    decided_by = required_text(decided_by, "decided_by", 100)
    decided_on = date_input(decided_on, "decided_on")
    amount_fen = fen_of_yuan(amount_yuan, "amount_yuan", max_yuan=MAX_PENALTY_YUAN)
    if kind in MONEY_PENALTIES and amount_fen <= 0:
        raise SocialOrgError(
            _("罚款或没收须填写金额（元）。"), code="amount_required", field="amount_yuan"
        )
    if kind not in MONEY_PENALTIES and amount_fen:
        raise SocialOrgError(
            _("只有罚款或没收才填写金额。"), code="amount_not_allowed", field="amount_yuan"
        )
    if decided_on < organisation.founded_on:
        raise SocialOrgError(
            _("处罚决定日期不能早于成立登记日期（%(date)s）。") % {"date": organisation.founded_on},
            code="before_founding",
            field="decided_on",
        )
    existing = Penalty.objects.filter(decision_number=decision_number).first()
    if existing is not None:
        return _same_penalty(existing, organisation)
    with transaction.atomic():
        org = SocialOrganisation.objects.select_for_update().get(pk=organisation.pk)
        if kind == PK.REVOCATION and org.status != SocialOrganisation.Status.NORMAL:
            raise SocialOrgConflict(
                _("该组织已%(status)s，不能再撤销登记。") % {"status": org.get_status_display()},
                code="not_registered",
                field="kind",
            )
        try:
            with transaction.atomic():
                penalty = Penalty.objects.create(
                    organisation=org,
                    decision_number=decision_number,
                    kind=kind,
                    facts=facts,
                    basis=basis,
                    amount_fen=amount_fen,
                    decided_on=decided_on,
                    decided_by=decided_by,
                    recorded_by=actor,
                )
        except IntegrityError:
            # The same decision recorded concurrently.
            return _same_penalty(Penalty.objects.get(decision_number=decision_number), org)
        if kind == PK.REVOCATION:
            org.status = SocialOrganisation.Status.REVOKED
            org.status_changed_on = decided_on
            org.status_reason = (
                _("行政处罚：%(authority)s %(number)s 撤销登记")
                % {"authority": decided_by, "number": decision_number}
            )[:300]
            org.save(update_fields=["status", "status_changed_on", "status_reason", "updated_at"])
            # Charity: no more fundraising; its open projects close, pending pledges cancelled.
            from socialorgs.services.charity.projects import (
                CLOSED_REVOKED,
                projects_close_for_organisation,
            )

            projects_close_for_organisation(org, reason=CLOSED_REVOKED, actor=actor)
            # Social work: its proposals waiting for residents are reopened and rematched.
            from socialorgs.services.socialwork import requests_reopen_for_organisation

            requests_reopen_for_organisation(organisation=org)
        org_credit_record(
            organisation=org,
            kind=K.PENALTY,
            points=PENALTY_POINTS[kind],
            occurred_on=decided_on,
            source=f"penalty:{penalty.pk}",
            note=f"{decision_number} {penalty.get_kind_display()}",
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="socialorgs.penalty_recorded",
            target=penalty,
            detail={
                "organisation": str(org.pk),
                "kind": kind,
                "amount_fen": amount_fen,
                "revoked": kind == PK.REVOCATION,
            },
            request=request,
        )
        _notify_accounts(
            org,
            title=_("贵组织收到行政处罚：%(kind)s") % {"kind": penalty.get_kind_display()},
            body=f"{decision_number} · {decided_by}",
            key=f"socialorg:{org.pk}:penalty:{penalty.pk}",
        )
    organisation.refresh_from_db()
    return penalty


def _same_penalty(existing: Penalty, organisation: SocialOrganisation) -> Penalty:
    if existing.organisation_id != organisation.pk:
        raise SocialOrgConflict(
            _("该处罚决定书文号已用于其他组织。"),
            code="decision_number_taken",
            field="decision_number",
        )
    return existing


def licence_record(
    *,
    actor: User,
    organisation: SocialOrganisation,
    name: str,
    number: str,
    issued_by: str,
    issued_on,
    valid_until=None,
    content: str = "",
    request=None,
) -> OrgLicence:
    """An administrative licence (行政许可) granted to the organisation, recorded by a
    civil-affairs official covering it. (issuing authority, number) is unique: the same
    licence recorded again returns the first record."""
    require_supervisor(actor, organisation.division_id)
    name = required_text(name, "name", 100)
    number = required_text(number, "number", 60)
    issued_by = required_text(issued_by, "issued_by", 100)
    content = optional_text(content, "content", 300)
    issued_on = date_input(issued_on, "issued_on")
    valid_until = _any_date(valid_until, "valid_until")
    if valid_until is not None and valid_until <= issued_on:
        raise SocialOrgError(
            _("有效期至应晚于许可日期。"), code="invalid_period", field="valid_until"
        )
    existing = OrgLicence.objects.filter(issued_by=issued_by, number=number).first()
    if existing is not None:
        return _same_licence(existing, organisation)
    with transaction.atomic():
        try:
            with transaction.atomic():
                licence = OrgLicence.objects.create(
                    organisation=organisation,
                    name=name,
                    number=number,
                    issued_by=issued_by,
                    issued_on=issued_on,
                    valid_until=valid_until,
                    content=content,
                    recorded_by=actor,
                )
        except IntegrityError:
            return _same_licence(
                OrgLicence.objects.get(issued_by=issued_by, number=number), organisation
            )
        audit_record(
            actor=actor,
            action="socialorgs.licence_recorded",
            target=licence,
            detail={"organisation": str(organisation.pk), "number": number},
            request=request,
        )
    return licence


def _same_licence(existing: OrgLicence, organisation: SocialOrganisation) -> OrgLicence:
    if existing.organisation_id != organisation.pk:
        raise SocialOrgConflict(
            _("该许可机关的这个许可文书编号已用于其他组织。"),
            code="licence_number_taken",
            field="number",
        )
    return existing


def _any_date(value, field: str) -> dt.date | None:
    """An optional date that may lie in the future (a validity end)."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise SocialOrgError(
                _("请输入有效的日期（如 2024-05-31）。"), code="invalid_date", field=field
            ) from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise SocialOrgError(_("请输入有效的日期（如 2024-05-31）。"), code="invalid", field=field)
    return value


def org_commend(
    *, actor: User, organisation: SocialOrganisation, occurred_on, note: str, request=None
) -> OrgCreditEvent:
    """An official covering the organisation records a commendation (表彰奖励, +10). The same
    commendation submitted twice (same day and text) is recorded once."""
    require_supervisor(actor, organisation.division_id)
    note = required_text(note, "note", 300)
    occurred_on = date_input(occurred_on, "occurred_on")
    digest = hashlib.sha256(note.encode()).hexdigest()[:16]
    with transaction.atomic():
        event = org_credit_record(
            organisation=organisation,
            kind=K.COMMENDATION,
            occurred_on=occurred_on,
            source=f"commendation:{occurred_on:%Y%m%d}:{digest}",
            note=note,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="socialorgs.commendation_recorded",
            target=event,
            detail={"organisation": str(organisation.pk)},
            request=request,
        )
    return event


# --- 活动异常名录 and 严重违法失信名单 ---------------------------------------------------------


def active_entry_q(today: dt.date | None = None, prefix: str = "") -> Q:
    """List entries in force on `today`: not removed and not past their end date."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}removed_at__isnull": True}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gt": today})
    )


def standing_of(organisation: SocialOrganisation, today: dt.date | None = None) -> str:
    lists = set(
        organisation.list_entries.filter(active_entry_q(today)).values_list("list", flat=True)
    )
    if L.SERIOUS in lists:
        return Standing.SERIOUS
    if L.ABNORMAL in lists:
        return Standing.ABNORMAL
    return Standing.NORMAL


def standing_refresh(*, organisation: SocialOrganisation, today: dt.date | None = None) -> str:
    """Write the standing the organisation's active entries give it."""
    standing = standing_of(organisation, today)
    SocialOrganisation.objects.filter(pk=organisation.pk).exclude(standing=standing).update(
        standing=standing
    )
    organisation.standing = standing
    return standing


def standings_refresh(*, today: dt.date | None = None) -> int:
    """Every organisation's standing from its active entries (one query to find the ones that
    differ, one update per standing); returns how many changed."""
    today = today or timezone.localdate()
    active = OrgListEntry.objects.filter(active_entry_q(today), organisation=OuterRef("pk"))
    rows = (
        SocialOrganisation.objects.annotate(
            expected=Case(
                When(Exists(active.filter(list=L.SERIOUS)), then=Value(Standing.SERIOUS)),
                When(Exists(active.filter(list=L.ABNORMAL)), then=Value(Standing.ABNORMAL)),
                default=Value(Standing.NORMAL),
                output_field=CharField(),
            )
        )
        .exclude(standing=F("expected"))
        .values_list("pk", "expected")
    )
    changes: dict[str, list] = defaultdict(list)
    for pk, expected in rows:
        changes[expected].append(pk)
    for standing, ids in changes.items():
        SocialOrganisation.objects.filter(pk__in=ids).update(standing=standing)
    return sum(len(ids) for ids in changes.values())


def list_add(
    *,
    actor: User,
    organisation: SocialOrganisation,
    list: str,  # the model's field name, shadowing the builtin here only
    reason: str,
    basis: str,
    starts_on,
    ends_on=None,
    request=None,
) -> OrgListEntry:
    """Put the organisation on 活动异常名录 or 严重违法失信名单 (one active entry per list),
    record its credit event and set its standing."""
    require_supervisor(actor, organisation.division_id)
    if list not in L.values:
        raise SocialOrgError(
            _("请选择活动异常名录或严重违法失信名单。"), code="invalid_choice", field="list"
        )
    reason = required_text(reason, "reason", 300)
    basis = required_text(basis, "basis", 300)
    starts_on = date_input(starts_on, "starts_on")
    ends_on = _any_date(ends_on, "ends_on")
    today = timezone.localdate()
    if ends_on is not None and ends_on <= max(starts_on, today):
        raise SocialOrgError(
            _("移出日期应晚于列入日期和今天。"), code="invalid_period", field="ends_on"
        )
    with transaction.atomic():
        # Adds and removals for one organisation take turns: its standing follows its entries.
        org = SocialOrganisation.objects.select_for_update().get(pk=organisation.pk)
        try:
            with transaction.atomic():
                entry = OrgListEntry.objects.create(
                    organisation=org,
                    list=list,
                    reason=reason,
                    basis=basis,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    created_by=actor,
                )
        except IntegrityError:
            raise SocialOrgConflict(
                _("该组织已在此名单中。"), code="already_listed", field="list"
            ) from None
        org_credit_record(
            organisation=org,
            kind=LIST_EVENT[list],
            occurred_on=starts_on,
            source=f"list:{entry.pk}",
            note=reason,
            recorded_by=actor,
        )
        standing_refresh(organisation=org)
        audit_record(
            actor=actor,
            action="socialorgs.list_added",
            target=entry,
            detail={"organisation": str(org.pk), "list": list, "reason": reason},
            request=request,
        )
        _notify_accounts(
            org,
            title=_("贵组织被列入%(list)s") % {"list": entry.get_list_display()},
            body=f"{reason}（{basis}）",
            key=f"socialorg:{org.pk}:list:{entry.pk}:added",
        )
    organisation.refresh_from_db()
    return entry


def list_remove(*, actor: User, entry: OrgListEntry, reason: str, request=None) -> OrgListEntry:
    """Take the organisation off a list before its end date (移出); the reason is kept on the
    entry, the standing recomputed. The entry's credit event stays: it happened."""
    require_supervisor(actor, entry.organisation.division_id)
    reason = required_text(reason, "reason", 300)
    return _end_entry(entry.pk, by=actor, reason=reason, action="removed", request=request)


def list_entries_expire(*, today: dt.date | None = None) -> int:
    """End the entries whose end date has come (idempotent: ended entries are left alone)."""
    today = today or timezone.localdate()
    due = OrgListEntry.objects.filter(removed_at__isnull=True, ends_on__lte=today)
    ended = 0
    for pk in list(due.values_list("pk", flat=True)):
        entry = _end_entry(
            pk, by=None, reason=_("名单期满，自动移出。"), action="expired", today=today
        )
        ended += entry is not None
    return ended


def _end_entry(pk, *, by: User | None, reason: str, action: str, request=None, today=None):
    with transaction.atomic():
        org_id = OrgListEntry.objects.values_list("organisation_id", flat=True).get(pk=pk)
        org = SocialOrganisation.objects.select_for_update().get(pk=org_id)
        entry = OrgListEntry.objects.select_for_update().get(pk=pk)
        if entry.removed_at is not None:
            if by is None:
                return None  # a second run of the job
            raise SocialOrgConflict(_("该名单记录已移出。"), code="already_removed")
        entry.removed_at = timezone.now()
        entry.removed_by = by
        entry.removal_reason = reason
        entry.save(update_fields=["removed_at", "removed_by", "removal_reason"])
        standing_refresh(organisation=org, today=today)
        audit_record(
            actor=by,
            action=f"socialorgs.list_{action}",
            target=entry,
            detail={"organisation": str(org.pk), "list": entry.list, "reason": reason},
            request=request,
        )
        _notify_accounts(
            org,
            title=_("贵组织已移出%(list)s") % {"list": entry.get_list_display()},
            body=reason,
            key=f"socialorg:{org.pk}:list:{entry.pk}:ended",
        )
    return entry


# --- The nightly job ----------------------------------------------------------------------------


def org_credit_refresh_daily(*, today: dt.date | None = None) -> dict:
    """End list entries past their end date, then recompute every organisation's standing,
    score and grade (events older than three years stop counting). Each step is idempotent:
    a second run the same day changes nothing."""
    today = today or timezone.localdate()
    return {
        "entries_ended": list_entries_expire(today=today),
        "standings_changed": standings_refresh(today=today),
        "grades_changed": orgs_credit_refresh(today=today),
    }


# --- 非法社会组织 ---------------------------------------------------------------------------------

IS = IllegalOrganisation.Status
# Which status an exposure may move to from which.
ILLEGAL_TRANSITIONS = {IS.EXPOSED: (IS.BANNED, IS.WITHDRAWN), IS.BANNED: (IS.WITHDRAWN,)}


def illegal_org_expose(
    *,
    actor: User,
    name: str,
    description: str,
    division,
    basis: str,
    exposed_on,
    request=None,
) -> IllegalOrganisation:
    """Expose a body acting as a social organisation without registration (非法社会组织) on
    the public list, by a civil-affairs official covering the division where it acts."""
    require_civil_affairs(actor)
    code = division.code if isinstance(division, Division) else division
    division = Division.objects.filter(code=code).first() if isinstance(code, str) else None
    if division is None:
        raise SocialOrgError(_("请选择活动区划。"), code="unknown_division", field="division")
    require_supervisor(actor, division.code)
    name = required_text(name, "name", 100)
    description = required_text(description, "description", 2000)
    basis = required_text(basis, "basis", 300)
    exposed_on = date_input(exposed_on, "exposed_on")
    with transaction.atomic():
        illegal = IllegalOrganisation.objects.create(
            name=name,
            description=description,
            division=division,
            basis=basis,
            exposed_on=exposed_on,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="socialorgs.illegal_exposed",
            target=illegal,
            detail={"division": division.code, "name": name},
            request=request,
        )
    return illegal


def illegal_org_status_set(
    *, actor: User, illegal: IllegalOrganisation, status: str, note: str = "", request=None
) -> IllegalOrganisation:
    """取缔 (banned) or 撤回 (withdrawn: exposed in error) an exposure."""
    require_supervisor(actor, illegal.division_id)
    if status not in (IS.BANNED, IS.WITHDRAWN):
        raise SocialOrgError(_("请选择已取缔或已撤回。"), code="invalid_choice", field="status")
    note = optional_text(note, "note", 300)
    with transaction.atomic():
        illegal = IllegalOrganisation.objects.select_for_update().get(pk=illegal.pk)
        if status not in ILLEGAL_TRANSITIONS.get(illegal.status, ()):
            raise SocialOrgConflict(
                _("该记录当前为“%(status)s”，不能变更为“%(target)s”。")
                % {"status": illegal.get_status_display(), "target": IS(status).label},
                code="invalid_transition",
                field="status",
            )
        previous = illegal.status
        illegal.status = status
        illegal.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="socialorgs.illegal_status_changed",
            target=illegal,
            detail={"from": previous, "to": status, "note": note},
            request=request,
        )
    return illegal


# --- Helpers ------------------------------------------------------------------------------------


def org_profile_link(organisation: SocialOrganisation) -> str:
    """The organisation's public 一网通查 page (empty while the registry has none)."""
    try:
        return reverse("socialorgs:detail", kwargs={"credit_code": organisation.credit_code})
    except NoReverseMatch:
        return ""


def _notify_accounts(org: SocialOrganisation, *, title: str, body: str, key: str) -> None:
    notify(
        recipients=list(org_accounts(org)),
        kind="socialorg_credit",
        title=title,
        body=body,
        link=org_profile_link(org),
        dedupe_key=key,
    )
