"""The time bank (时间银行): confirmed hours of eldercare activities are banked, moved to an
elderly family member, spent on services of approved organisations, and expire after a
configured time. Hours are never cashed: there is no function here that pays anything out,
and the database knows no transaction kind that would.

The ledger works like the booking ledger (services.services.ledger): every transaction is
posted once under its `key` (posting again returns None), its lines sum to zero, and the
database keeps each personal and family account's balance, refuses an unbalanced transaction
at commit and a negative personal or family balance at once (migrations 0003 and 0005). The
system accounts (service given, service received, expired) keep no balance of their own, so
confirmations city-wide do not queue on their rows: their totals are sums of postings
(`account_total`). `timebank_reconcile` proves it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_personal_data_read, audit_record
from portal.notifications.services import notify
from services.models import Dependant
from volunteers.errors import NotAllowed, NotFound, VolunteerConflict, VolunteerError
from volunteers.models import (
    HourRecord,
    Organisation,
    Skill,
    TimeBankAccount,
    TimeBankPosting,
    TimeBankRedemption,
    TimeBankService,
    TimeBankTransaction,
    Volunteer,
)
from volunteers.selectors.core import is_manager_of
from volunteers.selectors.timebank import dependant_can_receive_hours
from volunteers.services.common import (
    division_of,
    managers_of,
    require_manager,
    require_volunteer,
    required_text,
)

Kind = TimeBankAccount.Kind
TxKind = TimeBankTransaction.Kind

# Why an organiser reads the holder's name and phone (portal.audit PURPOSE_LABELS).
REDEMPTION_CONTACT_PURPOSE = "timebank_service"
# How far ahead a service may be asked for.
MAX_WANTED_DAYS = 180
MAX_TRANSFER_MINUTES = 10_000 * 60


# --- Accounts -----------------------------------------------------------------------------------


def account_for(
    *,
    kind: str,
    volunteer: Volunteer | None = None,
    dependant: Dependant | None = None,
    organisation: Organisation | None = None,
) -> TimeBankAccount:
    """The one account of this kind and owner, created on first use (the database's unique
    constraint makes two concurrent first uses agree on one row)."""
    account, _created = TimeBankAccount.objects.get_or_create(
        kind=kind, volunteer=volunteer, dependant=dependant, organisation=organisation
    )
    return account


def personal_account(volunteer: Volunteer) -> TimeBankAccount:
    return account_for(kind=Kind.PERSONAL, volunteer=volunteer)


def family_account(*, volunteer: Volunteer, dependant: Dependant) -> TimeBankAccount:
    """The account of a family member the volunteer's user keeps on file."""
    if dependant.owner_id != volunteer.user_id:
        raise ValueError("a family account belongs to a dependant of the volunteer's own user")
    return account_for(kind=Kind.FAMILY, volunteer=volunteer, dependant=dependant)


def service_given_account() -> TimeBankAccount:
    """Where banked hours come from: the community's record of service given."""
    return account_for(kind=Kind.SERVICE_GIVEN)


def service_received_account(organisation: Organisation) -> TimeBankAccount:
    """Where an organisation's redeemed hours go."""
    return account_for(kind=Kind.SERVICE_RECEIVED, organisation=organisation)


def expired_account() -> TimeBankAccount:
    return account_for(kind=Kind.EXPIRED)


def account_total(account: TimeBankAccount) -> int:
    """What an account holds, in minutes: a holder's kept balance, or the sum of a system
    account's postings (a system account keeps no balance)."""
    if account.kind in TimeBankAccount.HOLDER_KINDS:
        return account.balance_minutes
    return account.postings.aggregate(total=Sum("minutes"))["total"] or 0


# --- Posting ------------------------------------------------------------------------------------


def _violated_constraint(exc: IntegrityError) -> str:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) or str(exc)


def transaction_post(
    *,
    key: str,
    kind: str,
    memo: str,
    lines: Iterable[tuple[TimeBankAccount, int]],
    hour_record: HourRecord | None = None,
    redemption: TimeBankRedemption | None = None,
    actor: User | None = None,
) -> TimeBankTransaction | None:
    """Post one balanced transaction under `key`; None when that key was already posted.

    Lines are (account, minutes): + into the account, − out of it. A line that would take a
    personal or family account below zero is refused by the database, and reported as
    VolunteerConflict(code="insufficient").
    """
    lines = [(account, minutes) for account, minutes in lines if minutes]
    if kind not in TxKind.values:
        raise ValueError(f"time-bank transaction {key}: unknown kind {kind!r}")
    if any(type(minutes) is not int for _account, minutes in lines):
        raise ValueError(f"time-bank transaction {key}: minutes must be whole numbers")
    if sum(minutes for _account, minutes in lines) != 0:
        raise ValueError(f"time-bank transaction {key} does not balance")
    if not lines:
        return None
    # Each posting to a personal or family account updates that row (by trigger): one fixed
    # order keeps two transactions touching the same accounts from waiting on each other.
    lines.sort(key=lambda line: line[0].pk)
    try:
        with transaction.atomic():
            posted, created = TimeBankTransaction.objects.get_or_create(
                key=key,
                defaults={
                    "kind": kind,
                    "memo": memo[:200],
                    "hour_record": hour_record,
                    "redemption": redemption,
                    "actor": actor if getattr(actor, "is_authenticated", False) else None,
                },
            )
            if not created:
                return None
            TimeBankPosting.objects.bulk_create(
                TimeBankPosting(transaction=posted, account=account, minutes=minutes)
                for account, minutes in lines
            )
    except IntegrityError as exc:
        if "timebank_holder_not_negative" in _violated_constraint(exc):
            raise VolunteerConflict(_("时间银行余额不足。"), code="insufficient") from None
        raise
    return posted


# --- Hours in -----------------------------------------------------------------------------------


def _banked_for(record: HourRecord) -> int:
    return (
        TimeBankPosting.objects.filter(
            transaction__hour_record=record, account__kind=Kind.PERSONAL
        ).aggregate(total=Sum("minutes"))["total"]
        or 0
    )


def timebank_sync_record(
    *, record: HourRecord, actor: User | None = None
) -> TimeBankTransaction | None:
    """Make the volunteer's own account hold exactly the record's confirmed minutes when its
    activity's domain is banked (settings.VOLUNTEER_TIMEBANK_DOMAINS): a deposit the first
    time, an adjustment after a correction up or down. Calling it again moves nothing.

    The hook hours_confirm and the dispute resolution call inside their transaction. A record
    once banked keeps following its corrections even if its domain is no longer banked. A
    correction down that would take back hours already spent, transferred or expired is
    refused (VolunteerConflict), so the correction does not happen either: the ledger never
    goes below zero and no hours are invented.
    """
    with transaction.atomic():
        record = (
            HourRecord.objects.select_for_update(of=("self",))
            .select_related("activity", "volunteer")
            .get(pk=record.pk)
        )
        history = TimeBankTransaction.objects.filter(hour_record=record)
        moves = history.count()
        eligible = record.activity.domain in settings.VOLUNTEER_TIMEBANK_DOMAINS or moves > 0
        confirmed = record.status == HourRecord.Status.CONFIRMED
        target = record.minutes if (eligible and confirmed) else 0
        delta = target - _banked_for(record)
        if delta == 0:
            return None
        kind = TxKind.DEPOSIT if moves == 0 else TxKind.ADJUSTMENT
        title = record.activity.title[:120]
        if kind == TxKind.DEPOSIT:
            memo = _("志愿服务存入：%(title)s") % {"title": title}
        else:
            memo = _("服务时长更正：%(title)s") % {"title": title}
        actor = actor or record.confirmed_by
        try:
            posted = transaction_post(
                key=f"hours:{record.pk}:{moves}",
                kind=kind,
                memo=memo,
                lines=[
                    (service_given_account(), -delta),
                    (personal_account(record.volunteer), delta),
                ],
                hour_record=record,
                actor=actor,
            )
        except VolunteerConflict as exc:
            if exc.code != "insufficient":
                raise
            raise VolunteerConflict(
                _("更正后的时长少于已存入时间银行且已被兑换、转赠或过期的时长，不能按此更正。"),
                code="timebank_insufficient",
            ) from None
        if posted is not None:
            audit_record(
                actor=actor,
                action=f"timebank.{kind}",
                target=posted,
                subject=record.volunteer.user,
                detail={"record": record.pk, "minutes": delta},
            )
    return posted


# --- Checks shared by the volunteer's operations ------------------------------------------------


def timebank_volunteer(user: User) -> Volunteer:
    """The user's volunteer record, or NotAllowed (403) for anyone else: asked first."""
    return require_volunteer(user, _("请先完成志愿者实名注册，才能使用时间银行。"))


def _own_dependant(user: User, dependant_id, *, field: str) -> Dependant:
    """One of the user's own family members still on their list; anyone else's (or an
    unknown id) is the same 404, so the answer tells nothing about other people."""
    try:
        pk = int(dependant_id)
    except (TypeError, ValueError):
        pk = None
    dependant = (
        Dependant.objects.filter(pk=pk, owner=user, removed_at__isnull=True).first()
        if pk is not None and not isinstance(dependant_id, bool)
        else None
    )
    if dependant is None:
        raise NotFound(_("没有这位家庭成员。"), field=field)
    return dependant


def _whole_minutes(value, *, field: str, maximum: int = MAX_TRANSFER_MINUTES) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        else:
            raise VolunteerError(_("请填写整数分钟数。"), code="invalid", field=field)
    if value <= 0:
        raise VolunteerError(_("分钟数必须大于零。"), code="min_value", field=field)
    if value > maximum:
        raise VolunteerError(
            _("分钟数不能超过 %(n)s。") % {"n": maximum}, code="max_value", field=field
        )
    return value


def _request_key(request_id) -> str:
    """The client's request id (a UUID sent with the form), or a fresh one."""
    if request_id in (None, ""):
        return uuid.uuid4().hex
    try:
        return uuid.UUID(str(request_id)).hex
    except ValueError:
        raise VolunteerError(
            _("请求编号格式不正确。"), code="invalid", field="request_id"
        ) from None


def _insufficient(field: str) -> VolunteerConflict:
    return VolunteerConflict(_("时间银行余额不足。"), code="insufficient", field=field)


def _replayed(done: TimeBankTransaction, *, same: bool) -> TimeBankTransaction:
    """What an earlier submission of the same request posted, when it asked for the same
    thing; a request id reused for something else (another amount, person or service) is
    refused rather than answered with the other request's result."""
    if not same:
        raise VolunteerConflict(
            _("该请求已提交过，内容不同，请刷新页面后重试。"),
            code="request_reused",
            field="request_id",
        )
    return done


# --- Transfers to family ------------------------------------------------------------------------


def timebank_transfer(
    *,
    user: User,
    dependant_id,
    minutes,
    note: str = "",
    request_id=None,
) -> TimeBankTransaction:
    """Move hours from the volunteer's own account to the family account of one of their own
    family members (still on their list) aged at least VOLUNTEER_TIMEBANK_FAMILY_MIN_AGE
    today. The same `request_id` transfers once (a double-submitted form)."""
    volunteer = timebank_volunteer(user)
    dependant = _own_dependant(user, dependant_id, field="dependant")
    minutes = _whole_minutes(minutes, field="minutes")
    note = (note or "").strip()
    if len(note) > 100:
        raise VolunteerError(_("最多 %(n)s 个字。") % {"n": 100}, code="max_length", field="note")
    if dependant.birth_date is None:
        raise VolunteerError(
            _("请先在“家庭成员”中填写这位家人的出生日期。"),
            code="birth_date_missing",
            field="dependant",
        )
    if not dependant_can_receive_hours(dependant):
        raise VolunteerError(
            _("时间只能转给年满 %(age)s 周岁的家庭成员。")
            % {"age": settings.VOLUNTEER_TIMEBANK_FAMILY_MIN_AGE},
            code="too_young",
            field="dependant",
        )
    key = f"transfer:{volunteer.pk}:{_request_key(request_id)}"
    with transaction.atomic():
        source = personal_account(volunteer)
        target = family_account(volunteer=volunteer, dependant=dependant)
        done = TimeBankTransaction.objects.filter(key=key).first()
        if done is not None:
            return _same_transfer(done, target, minutes)
        if source.balance_minutes < minutes:
            raise _insufficient("minutes")
        memo = _("转给家人：%(name)s") % {"name": dependant.masked_name}
        if note:
            memo = f"{memo}（{note}）"
        try:
            posted = transaction_post(
                key=key,
                kind=TxKind.TRANSFER,
                memo=memo,
                lines=[(source, -minutes), (target, minutes)],
                actor=user,
            )
        except VolunteerConflict:
            raise _insufficient("minutes") from None
        if posted is None:  # the same request, posted by a concurrent submission
            return _same_transfer(TimeBankTransaction.objects.get(key=key), target, minutes)
        audit_record(
            actor=user,
            action="timebank.transfer",
            target=posted,
            subject=user,
            detail={"dependant": dependant.pk, "minutes": minutes},
        )
    return posted


def _same_transfer(done: TimeBankTransaction, target: TimeBankAccount, minutes: int):
    return _replayed(done, same=done.postings.filter(account=target, minutes=minutes).exists())


# --- Services offered for hours -----------------------------------------------------------------

SERVICE_FIELDS = ("title", "skill", "description", "division_code", "price_minutes", "active")


def _service_values(organisation: Organisation, values: dict, *, partial: bool) -> dict:
    clean: dict = {}
    if not partial or "title" in values:
        clean["title"] = required_text(values.get("title"), "title", 100)
    if not partial or "skill" in values:
        skill = values.get("skill")
        if skill not in Skill.values:
            raise VolunteerError(_("请选择服务类别。"), code="invalid_choice", field="skill")
        clean["skill"] = skill
    if "description" in values:
        description = (values.get("description") or "").strip()
        if len(description) > 2000:
            raise VolunteerError(
                _("最多 %(n)s 个字。") % {"n": 2000}, code="max_length", field="description"
            )
        clean["description"] = description
    if not partial or "division_code" in values:
        code = values.get("division_code") or organisation.division_id
        clean["division"] = division_of(code, field="division")
    if not partial or "price_minutes" in values:
        price = _whole_minutes(values.get("price_minutes"), field="price_minutes", maximum=24 * 60)
        if price < 15:
            raise VolunteerError(
                _("兑换时长须在 15 分钟到 24 小时之间。"), code="min_value", field="price_minutes"
            )
        clean["price_minutes"] = price
    if "active" in values:
        clean["active"] = bool(values["active"])
    return clean


def _require_approved(organisation: Organisation) -> None:
    if organisation.status != Organisation.Status.APPROVED:
        raise VolunteerConflict(
            _("组织通过审核后才能提供时间银行服务。"), code="organisation_not_approved"
        )


def timebank_service_create(
    *, actor: User, organisation: Organisation, **values
) -> TimeBankService:
    """A manager of an approved organisation lists a service residents can spend banked
    hours on, priced in minutes (15 minutes to 24 hours). It has no money price."""
    require_manager(actor, organisation)
    _require_approved(organisation)
    unknown = set(values) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    clean = _service_values(organisation, values, partial=False)
    with transaction.atomic():
        service = TimeBankService.objects.create(organisation=organisation, **clean)
        audit_record(
            actor=actor,
            action="timebank.service_created",
            target=service,
            detail={"price_minutes": service.price_minutes},
        )
    return service


def timebank_service_update(*, actor: User, service: TimeBankService, **values) -> TimeBankService:
    """Change a service's text, kind, place, price or whether it can be redeemed. Requests
    already made keep the price they were made at."""
    require_manager(actor, service.organisation)
    unknown = set(values) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if values.get("active"):
        _require_approved(service.organisation)
    clean = _service_values(service.organisation, values, partial=True)
    with transaction.atomic():
        service = TimeBankService.objects.select_for_update().get(pk=service.pk)
        for name, value in clean.items():
            setattr(service, name, value)
        if clean:
            service.save(update_fields=list(clean))
        audit_record(
            actor=actor,
            action="timebank.service_updated",
            target=service,
            detail={k: (v.pk if hasattr(v, "pk") else v) for k, v in clean.items()},
        )
    return service


# --- Redemptions --------------------------------------------------------------------------------


def _holder_account(user: User, volunteer: Volunteer, account) -> TimeBankAccount | None:
    """The account hours would be spent from, if it exists: looked up, never created (an
    account never credited has nothing to spend), so a refused request leaves no row behind.
    Anyone else's family member is a 404."""
    if account in ("self", "", None):
        return TimeBankAccount.objects.filter(kind=Kind.PERSONAL, volunteer=volunteer).first()
    dependant = _own_dependant(user, account, field="account")
    return TimeBankAccount.objects.filter(
        kind=Kind.FAMILY, volunteer=volunteer, dependant=dependant
    ).first()


def _same_redemption(
    done: TimeBankTransaction, holder: TimeBankAccount | None, service: TimeBankService
) -> TimeBankRedemption:
    redemption = done.redemption
    same = holder is not None and (redemption.account_id, redemption.service_id) == (
        holder.pk,
        service.pk,
    )
    return _replayed(done, same=same).redemption


def redemption_create(
    *,
    user: User,
    service: TimeBankService,
    account="self",
    wanted_on: dt.date,
    note: str = "",
    request_id=None,
) -> TimeBankRedemption:
    """Spend banked hours on a service: from the volunteer's own account (for themselves) or
    from the family account of a family member they keep (for that person). The hours go to
    the organisation's received account at once and come back if the request is cancelled.
    The same `request_id` makes one request (a double-submitted form)."""
    volunteer = timebank_volunteer(user)
    holder = _holder_account(user, volunteer, account)
    service = TimeBankService.objects.select_related("organisation").get(pk=service.pk)
    if not service.active or service.organisation.status != Organisation.Status.APPROVED:
        raise VolunteerConflict(
            _("该服务目前不可兑换。"), code="service_unavailable", field="service"
        )
    today = timezone.localdate()
    if not isinstance(wanted_on, dt.date) or isinstance(wanted_on, dt.datetime):
        raise VolunteerError(_("请填写期望服务日期。"), code="required", field="wanted_on")
    if wanted_on < today:
        raise VolunteerError(_("期望服务日期不能早于今天。"), code="in_the_past", field="wanted_on")
    if wanted_on > today + dt.timedelta(days=MAX_WANTED_DAYS):
        raise VolunteerError(
            _("期望服务日期不能晚于 %(n)s 天之后。") % {"n": MAX_WANTED_DAYS},
            code="too_far",
            field="wanted_on",
        )
    note = (note or "").strip()
    if len(note) > 200:
        raise VolunteerError(_("最多 %(n)s 个字。") % {"n": 200}, code="max_length", field="note")
    key = f"redemption:{volunteer.pk}:{_request_key(request_id)}"
    done = TimeBankTransaction.objects.filter(key=key).select_related("redemption").first()
    if done is not None:
        return _same_redemption(done, holder, service)
    if holder is None or holder.balance_minutes < service.price_minutes:
        raise _insufficient("account")
    try:
        with transaction.atomic():
            redemption = TimeBankRedemption.objects.create(
                account=holder,
                service=service,
                minutes=service.price_minutes,
                wanted_on=wanted_on,
                note=note,
                requested_by=user,
            )
            posted = transaction_post(
                key=key,
                kind=TxKind.REDEMPTION,
                memo=_("兑换服务：%(title)s") % {"title": service.title[:150]},
                lines=[
                    (holder, -service.price_minutes),
                    (service_received_account(service.organisation), service.price_minutes),
                ],
                redemption=redemption,
                actor=user,
            )
            if posted is None:  # a concurrent submission of the same request won
                raise _AlreadyRequested
            audit_record(
                actor=user,
                action="timebank.redemption_requested",
                target=redemption,
                subject=user,
                detail={"service": service.pk, "minutes": redemption.minutes},
            )
            notify(
                recipients=managers_of(service.organisation_id),
                kind="timebank_redemption",
                title=_("时间银行服务“%(title)s”有新的兑换申请") % {"title": service.title},
                link=reverse("volunteers:org-redemptions", args=[service.organisation_id]),
                dedupe_key=f"timebank:redemption:{redemption.pk}:requested",
            )
    except _AlreadyRequested:
        done = TimeBankTransaction.objects.select_related("redemption").get(key=key)
        return _same_redemption(done, holder, service)
    except VolunteerConflict as exc:
        if exc.code == "insufficient":
            raise _insufficient("account") from None
        raise
    return redemption


class _AlreadyRequested(Exception):
    """Rolls back a duplicate request's row when the first one's transaction won."""


def _locked_redemption(redemption: TimeBankRedemption) -> TimeBankRedemption:
    return (
        TimeBankRedemption.objects.select_for_update(of=("self",))
        .select_related("service__organisation", "account")
        .get(pk=redemption.pk)
    )


def redemption_fulfil(*, redemption: TimeBankRedemption, actor: User) -> TimeBankRedemption:
    """A manager of the service's organisation records the service as delivered. Fulfilling
    it again changes nothing; a cancelled request cannot be fulfilled."""
    require_manager(actor, redemption.service.organisation)
    with transaction.atomic():
        redemption = _locked_redemption(redemption)
        if redemption.status == TimeBankRedemption.Status.FULFILLED:
            return redemption
        if redemption.status != TimeBankRedemption.Status.REQUESTED:
            raise VolunteerConflict(_("该兑换已取消，不能再标记完成。"), code="invalid_transition")
        redemption.status = TimeBankRedemption.Status.FULFILLED
        redemption.decided_at = timezone.now()
        redemption.save(update_fields=["status", "decided_at"])
        audit_record(actor=actor, action="timebank.redemption_fulfilled", target=redemption)
        _tell_requester(redemption, _("您兑换的服务“%(title)s”已完成。"), "fulfilled")
    return redemption


def redemption_cancel(*, redemption: TimeBankRedemption, actor: User) -> TimeBankRedemption:
    """The requester (while it waits) or a manager of the organisation cancels a request;
    the hours go back to the account they came from, once however often this is called. The
    other side is told: the requester when the organisation cancels, the organisation's
    managers when the requester does (they may have planned the visit)."""
    organisation = redemption.service.organisation
    is_requester = actor.is_authenticated and redemption.requested_by_id == actor.pk
    if not (is_requester or is_manager_of(actor, organisation.pk)):
        raise NotAllowed(_("只有申请人或服务组织的管理员可以取消该兑换。"), code="not_allowed")
    with transaction.atomic():
        redemption = _locked_redemption(redemption)
        if redemption.status == TimeBankRedemption.Status.FULFILLED:
            raise VolunteerConflict(_("服务已完成，不能取消。"), code="invalid_transition")
        first_time = redemption.status == TimeBankRedemption.Status.REQUESTED
        if first_time:
            redemption.status = TimeBankRedemption.Status.CANCELLED
            redemption.decided_at = timezone.now()
            redemption.save(update_fields=["status", "decided_at"])
        refund = transaction_post(
            key=f"refund:{redemption.pk}",
            kind=TxKind.REFUND,
            memo=_("兑换取消退回：%(title)s") % {"title": redemption.service.title[:150]},
            lines=[
                (service_received_account(organisation), -redemption.minutes),
                (redemption.account, redemption.minutes),
            ],
            redemption=redemption,
            actor=actor,
        )
        if first_time:
            audit_record(
                actor=actor,
                action="timebank.redemption_cancelled",
                target=redemption,
                detail={"refunded": refund is not None, "by_requester": is_requester},
            )
            if is_requester:
                notify(
                    recipients=managers_of(organisation.pk),
                    kind="timebank_redemption",
                    title=_("时间银行服务“%(title)s”的一项兑换申请已被申请人取消")
                    % {"title": redemption.service.title},
                    link=reverse("volunteers:org-redemptions", args=[organisation.pk]),
                    dedupe_key=f"timebank:redemption:{redemption.pk}:withdrawn",
                )
            else:
                _tell_requester(
                    redemption,
                    _("您兑换的服务“%(title)s”已被服务组织取消，时间已退回。"),
                    "cancelled",
                )
    return redemption


def _tell_requester(redemption: TimeBankRedemption, title: str, event: str) -> None:
    if redemption.requested_by_id is None:
        return
    notify(
        recipients=[redemption.requested_by],
        kind="timebank_redemption",
        title=title % {"title": redemption.service.title},
        link=reverse("volunteers:timebank"),
        dedupe_key=f"timebank:redemption:{redemption.pk}:{event}",
    )


def redemption_contact_reveal(*, redemption: TimeBankRedemption, actor: User, request=None) -> dict:
    """The name and phone of the person to serve, for a manager of the organisation who has
    to deliver the service; each read is audit-logged with its purpose. Everywhere else the
    organisation sees the name masked. A family member without a phone of their own is
    reached through the volunteer who asked. Only while the service is still to be
    delivered: once it is done or cancelled there is no reason left to read them."""
    require_manager(actor, redemption.service.organisation)
    if redemption.status != TimeBankRedemption.Status.REQUESTED:
        raise VolunteerConflict(
            _("该兑换已完成或已取消，不能再查看服务对象的联系方式。"), code="not_requested"
        )
    account = redemption.account
    volunteer = account.volunteer
    if account.dependant_id:
        dependant = account.dependant
        contact = {
            "name": dependant.name,
            "phone": dependant.phone or volunteer.phone,
            "phone_is_requesters": not dependant.phone,
            "relationship": dependant.get_relationship_display(),
            "requested_by": volunteer.real_name,
        }
    else:
        contact = {
            "name": volunteer.real_name,
            "phone": volunteer.phone,
            "phone_is_requesters": False,
            "relationship": "",
            "requested_by": volunteer.real_name,
        }
    audit_personal_data_read(
        viewer=actor,
        subject=volunteer.user,
        target=redemption,
        fields=["name", "phone"],
        purpose=REDEMPTION_CONTACT_PURPOSE,
        organisation=redemption.service.organisation.name,
        request=request,
    )
    return contact


# --- Expiry -------------------------------------------------------------------------------------


def _cutoff(today: dt.date, months: int) -> dt.datetime:
    """Hours that came in on or before this day N months ago have expired by `today`."""
    last_day = today - relativedelta(months=months)
    return timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min))


def _expirable(account: TimeBankAccount, cutoff: dt.datetime) -> int:
    postings = TimeBankPosting.objects.filter(account=account)

    def total(query) -> int:
        return query.aggregate(total=Sum("minutes"))["total"] or 0

    old_in = total(
        postings.filter(minutes__gt=0, transaction__created_at__lt=cutoff).exclude(
            transaction__kind=TxKind.REFUND
        )
    )
    refunded = total(postings.filter(minutes__gt=0, transaction__kind=TxKind.REFUND))
    spent = -total(postings.filter(minutes__lt=0))
    return max(0, min(old_in - (spent - refunded), account.balance_minutes))


def timebank_expire(*, today: dt.date | None = None) -> dict:
    """Expire banked hours VOLUNTEER_TIMEBANK_EXPIRY_MONTHS months after they came in
    (0: never), oldest first. The daily job; running it twice a day does nothing more.

    The rule, per personal or family account (first in, first out):

    - inflows are deposits, upward corrections and transfers received, each dated when it
      came in (a transfer starts the receiving account's clock);
    - outflows are transfers out, redemptions, downward corrections and earlier expiries;
      every outflow spends the oldest hours first, whenever it happened;
    - a refund undoes the redemption it refunds (it is netted against outflows, not a new
      inflow): a cancelled request is as if it had never been made, so requesting and
      cancelling cannot renew hours about to expire; hours given back after their expiry
      date expire at the next run.

    So what has expired by today is what came in on or before the same day N months ago and
    was not spent: expired_now = max(0, old inflows − (outflows − refunds)), never more than
    the balance. It is posted as one transaction per account per day, key
    "expiry:<account>:<today>"; the amount depends only on the ledger, so a rerun (or a run
    killed halfway and restarted) ends where one clean run does.
    """
    months = settings.VOLUNTEER_TIMEBANK_EXPIRY_MONTHS
    result = {"accounts": 0, "minutes": 0}
    if months <= 0:
        return result
    today = today or timezone.localdate()
    cutoff = _cutoff(today, months)
    candidates = (
        TimeBankAccount.objects.filter(
            kind__in=TimeBankAccount.HOLDER_KINDS,
            balance_minutes__gt=0,
            postings__minutes__gt=0,
            postings__transaction__created_at__lt=cutoff,
        )
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )
    for pk in list(candidates):
        minutes = _expire_account(pk, today=today, cutoff=cutoff, months=months)
        if minutes:
            result["accounts"] += 1
            result["minutes"] += minutes
    return result


def _expire_account(pk: int, *, today: dt.date, cutoff: dt.datetime, months: int) -> int:
    with transaction.atomic():
        # Locked first: a transfer or redemption of this account waits, so the amount is
        # computed from a ledger nobody changes under it.
        account = TimeBankAccount.objects.select_for_update().get(pk=pk)
        minutes = _expirable(account, cutoff)
        if minutes <= 0:
            return 0
        posted = transaction_post(
            key=f"expiry:{account.pk}:{today.isoformat()}",
            kind=TxKind.EXPIRY,
            memo=_("超过 %(n)s 个月未使用的时间过期清零") % {"n": months},
            lines=[(account, -minutes), (expired_account(), minutes)],
        )
        if posted is None:
            return 0
        audit_record(
            actor=None,
            action="timebank.expiry",
            target=posted,
            detail={"account": account.pk, "minutes": minutes},
        )
    return minutes


# --- Reconciliation -----------------------------------------------------------------------------


@dataclass
class TimeBankReconciliation:
    problems: list[str] = field(default_factory=list)
    figures: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def timebank_reconcile() -> TimeBankReconciliation:
    """Prove the time bank's sums: all postings sum to zero, each transaction balances and
    has postings, each personal or family account's balance equals the sum of its postings
    and is not below zero, the system accounts keep no balance of their own, and each hour
    record has banked what it should (`_misbanked_records`). Figures in minutes, the system
    accounts' from their postings."""
    result = TimeBankReconciliation()
    total = TimeBankPosting.objects.aggregate(total=Sum("minutes"))["total"] or 0
    result.figures["ledger_total"] = total
    if total != 0:
        result.problems.append(f"time-bank postings do not sum to zero: {total}")
    unbalanced = (
        TimeBankPosting.objects.values("transaction__key")
        .annotate(total=Sum("minutes"))
        .exclude(total=0)
        .order_by("transaction__key")
    )
    for row in unbalanced[:20]:
        result.problems.append(f"transaction {row['transaction__key']} sums to {row['total']}")
    for key in TimeBankTransaction.objects.filter(postings__isnull=True).values_list(
        "key", flat=True
    )[:20]:
        result.problems.append(f"transaction {key} has no postings")
    holders = TimeBankAccount.objects.filter(kind__in=TimeBankAccount.HOLDER_KINDS)
    drifted = (
        holders.annotate(posted=Coalesce(Sum("postings__minutes"), 0))
        .exclude(balance_minutes=F("posted"))
        .order_by("pk")
    )
    for account in drifted[:20]:
        result.problems.append(
            f"account {account.pk} ({account.kind}) balance {account.balance_minutes} "
            f"≠ its postings {account.posted}"
        )
    for account in holders.filter(balance_minutes__lt=0).order_by("pk")[:20]:
        result.problems.append(f"account {account.pk} ({account.kind}) is below zero")
    stored = (
        TimeBankAccount.objects.exclude(kind__in=TimeBankAccount.HOLDER_KINDS)
        .exclude(balance_minutes=0)
        .order_by("pk")
    )
    for account in stored[:20]:
        result.problems.append(
            f"system account {account.pk} ({account.kind}) keeps a balance "
            f"{account.balance_minutes}; its total is the sum of its postings"
        )
    result.problems.extend(_misbanked_records(limit=20))

    by_kind = dict(
        TimeBankPosting.objects.values("account__kind")
        .annotate(total=Sum("minutes"))
        .values_list("account__kind", "total")
        .order_by()
    )
    result.figures.update(
        given=-by_kind.get(Kind.SERVICE_GIVEN, 0),
        held_personal=by_kind.get(Kind.PERSONAL, 0),
        held_family=by_kind.get(Kind.FAMILY, 0),
        received=by_kind.get(Kind.SERVICE_RECEIVED, 0),
        expired=by_kind.get(Kind.EXPIRED, 0),
        transactions=TimeBankTransaction.objects.count(),
    )
    return result


def _misbanked_records(*, limit: int) -> list[str]:
    """Hour records whose deposits and corrections in the volunteer's own account do not add
    up to what timebank_sync_record banks: the confirmed minutes of a record of a banked
    domain (settings.VOLUNTEER_TIMEBANK_DOMAINS) or of one banked before, 0 for any other.
    Finds a record changed behind the bank's back (its minutes or status written directly)."""
    banked = (
        TimeBankPosting.objects.filter(
            transaction__hour_record=OuterRef("pk"), account__kind=Kind.PERSONAL
        )
        .values("transaction__hour_record")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    has_moves = Exists(TimeBankTransaction.objects.filter(hour_record=OuterRef("pk")))
    eligible = Q(activity__domain__in=settings.VOLUNTEER_TIMEBANK_DOMAINS) | Q(has_moves=True)
    confirmed = Q(status=HourRecord.Status.CONFIRMED)
    records = (
        HourRecord.objects.annotate(
            has_moves=has_moves,
            banked=Coalesce(Subquery(banked), 0),
            expected=Case(When(eligible & confirmed, then=F("minutes")), default=0),
        )
        .filter(eligible)
        .exclude(banked=F("expected"))
        .order_by("pk")
        .values("pk", "status", "minutes", "banked", "expected")
    )
    return [
        f"hour record {row['pk']} ({row['status']}, {row['minutes']} min) has banked "
        f"{row['banked']} ≠ {row['expected']}"
        for row in records[:limit]
    ]


__all__ = [
    "REDEMPTION_CONTACT_PURPOSE",
    "TimeBankReconciliation",
    "account_for",
    "account_total",
    "expired_account",
    "family_account",
    "personal_account",
    "redemption_cancel",
    "redemption_contact_reveal",
    "redemption_create",
    "redemption_fulfil",
    "service_given_account",
    "service_received_account",
    "timebank_expire",
    "timebank_reconcile",
    "timebank_service_create",
    "timebank_service_update",
    "timebank_sync_record",
    "timebank_transfer",
    "timebank_volunteer",
    "transaction_post",
]
