"""The charity ledger: donations and disbursements of a fundraising project, each appended to
the project's hash chain (socialorgs.chain), and the audited reads of its real names.

Appends serialise on the project's row lock: the next seq, the previous hash and the
balance are read and the anchor is written under it, so concurrent appends form one chain.
Each submission carries a request key; the same key again returns the entry it recorded
(a double-clicked form or a retried API call records once).

Who is named how in public (`public_name`):

- an anonymous donation: 匿名爱心人士, whoever gave it (the real name is kept, in the
  private digest and for the organisation's desk and the supervising officials only);
- a person (`party_kind` person, the default): the masked name (portal.privacy.mask_name);
- a company or an organisation (`party_kind` organisation, chosen explicitly by the staff
  recording it): the name in full, as the law expects of an organisation's gift or grant.

Online donations by residents are pledges first (socialorgs.services.charity.pledges): they
reach the chain, through `_append` as here, only when the organisation confirms the money
arrived; the donor is then always a person, under the name of their account.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_personal_data_reads, audit_record
from portal.privacy import mask_name
from socialorgs import chain
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import ChainEntry, FundraisingProject, SocialOrganisation
from socialorgs.services.common import (
    ACTING_ROLES,
    fen_of_yuan,
    official_supervises,
    org_role_of,
    require_org_manager,
    required_text,
)

ANONYMOUS_NAME = "匿名爱心人士"  # stored and hashed as it is: never translated
# Receipt codes: 10 characters of an alphabet without look-alikes (0/O, 1/I), ~50 bits.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 10
RECEIPT_CODE = re.compile(r"^[23456789A-HJ-NP-Z]{5}-?[23456789A-HJ-NP-Z]{5}$")
REQUEST_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_ENTRY_YUAN = 100_000_000
MAX_ONLINE_YUAN = 1_000_000

LEDGER_PURPOSE = "charity_ledger"  # the organisation's own desk
SUPERVISION_PURPOSE = "charity_supervision"  # the supervising 民政 officials

K = ChainEntry.Kind
P = ChainEntry.Party


# --- Input --------------------------------------------------------------------------------------


def receipt_code_new() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def receipt_code_clean(value) -> str | None:
    """A receipt code as typed (spaces, lower case, with or without its hyphen), or None."""
    value = re.sub(r"\s+", "", value or "").upper() if isinstance(value, str) else ""
    if not RECEIPT_CODE.match(value):
        return None
    value = value.replace("-", "")
    return f"{value[:5]}-{value[5:]}"


def request_key_clean(value) -> str:
    if not isinstance(value, str) or not REQUEST_KEY.match(value):
        raise SocialOrgError(
            _("提交编号无效，请刷新页面后重新提交。"), code="invalid", field="request_key"
        )
    return value


def _amount(value, *, max_yuan: int) -> int:
    fen = fen_of_yuan(value, "amount_yuan", max_yuan=max_yuan)
    if fen <= 0:
        raise SocialOrgError(_("金额应大于 0 元。"), code="invalid", field="amount_yuan")
    return fen


def _occurred_on(value, *, project: FundraisingProject, kind: str) -> dt.date:
    if isinstance(value, str) and value:
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            value = None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise SocialOrgError(
            _("请输入有效的日期（如 2024-05-31）。"), code="invalid", field="occurred_on"
        )
    if value > timezone.localdate():
        raise SocialOrgError(_("日期不能晚于今天。"), code="future_date", field="occurred_on")
    if value < project.starts_on:
        raise SocialOrgError(
            _("日期不能早于项目开始日期 %(d)s。") % {"d": project.starts_on.isoformat()},
            code="before_start",
            field="occurred_on",
        )
    if kind == K.DONATION and value > project.ends_on:
        raise SocialOrgError(
            _("募捐期已于 %(d)s 结束，不能记录之后收到的捐赠。")
            % {"d": project.ends_on.isoformat()},
            code="after_end",
            field="occurred_on",
        )
    return value


def public_name_of(*, kind: str, party_kind: str, name: str, anonymous: bool) -> str:
    if kind == K.DONATION and anonymous:
        return ANONYMOUS_NAME
    if party_kind == P.ORGANISATION:
        return name
    return mask_name(name)


# --- Appending ----------------------------------------------------------------------------------


def balance_fen(project: FundraisingProject) -> int:
    totals = project.entries.aggregate(
        donated=Coalesce(Sum("amount_fen", filter=Q(kind=K.DONATION)), 0),
        disbursed=Coalesce(Sum("amount_fen", filter=Q(kind=K.DISBURSEMENT)), 0),
    )
    return totals["donated"] - totals["disbursed"]


def _require_intact_head(project: FundraisingProject) -> None:
    """Refuse to build on a chain whose end no longer matches its anchor (its last entry
    deleted or changed), or whose anchor is not the platform's (the chain rewritten to its
    end, or deleted whole with the count and head reset): the organisation and the officials
    must look at it first. Appending would otherwise sign the tampered chain anew."""
    last = project.entries.order_by("-seq").values("seq", "entry_hash").first()
    seq, head = (last["seq"], last["entry_hash"]) if last else (0, chain.GENESIS_HASH)
    if seq != project.entry_count or head != project.head_hash or not chain.anchor_ok(project):
        raise SocialOrgConflict(
            _("该项目的善款流向记录校验未通过，暂停记账，请联系登记管理机关。"),
            code="chain_broken",
        )


def _same_submission(entry: ChainEntry, *, kind: str, amount_fen: int, actor: User) -> bool:
    return (
        entry.kind == kind and entry.amount_fen == amount_fen and entry.recorded_by_id == actor.pk
    )


def _append(
    *, project: FundraisingProject, actor: User, request_key: str, values: dict, check
) -> ChainEntry:
    """Lock the project, return the entry of an earlier submission of the same key, or check
    the state (`check(project)`) and append one entry with its digests; move the anchor."""
    with transaction.atomic():
        project = (
            FundraisingProject.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=project.pk)
        )
        earlier = project.entries.filter(request_key=request_key).first()
        if earlier is not None:
            if not _same_submission(
                earlier, kind=values["kind"], amount_fen=values["amount_fen"], actor=actor
            ):
                raise SocialOrgConflict(
                    _("该提交编号已用于另一笔记录，请刷新页面后重新提交。"),
                    code="request_key_reused",
                    field="request_key",
                )
            earlier.replayed = True
            return earlier
        check(project)
        _require_intact_head(project)
        entry = ChainEntry(
            project=project,
            seq=project.entry_count + 1,
            prev_hash=project.head_hash,
            request_key=request_key,
            recorded_by=actor,
            **values,
        )
        if entry.kind == K.DONATION:
            entry.receipt_code = receipt_code_new()
            while ChainEntry.objects.filter(receipt_code=entry.receipt_code).exists():
                entry.receipt_code = receipt_code_new()
        entry.private_digest = chain.private_digest(entry)
        entry.entry_hash = chain.entry_hash(entry, project.filing_number)
        entry.save(force_insert=True)
        project.entry_count = entry.seq
        project.head_hash = entry.entry_hash
        project.anchor_mac = chain.anchor_mac(project.filing_number, entry.seq, entry.entry_hash)
        project.save(update_fields=["entry_count", "head_hash", "anchor_mac"])
        audit_record(
            actor=actor,
            action="socialorgs.charity_entry_recorded",
            target=entry,
            detail={
                "project": project.filing_number,
                "seq": entry.seq,
                "kind": entry.kind,
                "amount_fen": entry.amount_fen,
            },
        )
    entry.replayed = False
    return entry


def _require_taking_donations(project: FundraisingProject) -> None:
    """A new donation (recorded by the desk, pledged online or a pledge confirmed) needs the
    project open and its organisation still allowed to fundraise publicly: registered (not
    撤销 or 注销) and a 慈善组织 holding 公开募捐资格 (《慈善法》第二十二条). Called under the
    project's row lock; the organisation is read afresh here, so a status change or a
    withdrawn qualification committed before the lock was taken is seen (they close the
    organisation's open projects in the same transaction, under those rows' locks:
    socialorgs.services.charity.projects.projects_close_for_organisation).

    Disbursements do not check this: the money already raised must still reach its
    beneficiaries after the organisation lost its standing or qualification."""
    organisation = SocialOrganisation.objects.only(
        "status", "is_charity", "public_fundraising"
    ).get(pk=project.organisation_id)
    if organisation.status != SocialOrganisation.Status.NORMAL:
        raise SocialOrgConflict(
            _("该组织已被撤销或注销登记，不再接受捐赠。"), code="organisation_inactive"
        )
    if not (organisation.is_charity and organisation.public_fundraising):
        raise SocialOrgConflict(
            _("该组织已不具备公开募捐资格，不再接受捐赠。"),
            code="no_fundraising_qualification",
        )
    if project.status != FundraisingProject.Status.OPEN:
        raise SocialOrgConflict(_("该项目已结束募捐，不再接受捐赠。"), code="closed")


def donation_record(
    *,
    project: FundraisingProject,
    actor: User,
    donor_name,
    amount_yuan,
    occurred_on,
    request_key,
    party_kind=P.PERSON,
    anonymous: bool = False,
) -> ChainEntry:
    """The organisation's owner or a manager records a donation it received (a transfer, cash
    at an event); the donor's receipt code is on the returned entry."""
    require_org_manager(actor, project.organisation)
    request_key = request_key_clean(request_key)
    if party_kind not in P.values:
        raise SocialOrgError(_("请选择捐赠人类型。"), code="invalid_choice", field="party_kind")
    donor_name = required_text(donor_name, "donor_name", 100)
    amount_fen = _amount(amount_yuan, max_yuan=MAX_ENTRY_YUAN)
    occurred_on = _occurred_on(occurred_on, project=project, kind=K.DONATION)
    anonymous = bool(anonymous)
    values = {
        "kind": K.DONATION,
        "amount_fen": amount_fen,
        "occurred_on": occurred_on,
        "donor_name": donor_name,
        "party_kind": party_kind,
        "anonymous": anonymous,
        "public_name": public_name_of(
            kind=K.DONATION, party_kind=party_kind, name=donor_name, anonymous=anonymous
        ),
    }
    return _append(
        project=project,
        actor=actor,
        request_key=request_key,
        values=values,
        check=_require_taking_donations,
    )


def disbursement_record(
    *,
    project: FundraisingProject,
    actor: User,
    beneficiary_name,
    amount_yuan,
    purpose,
    occurred_on,
    request_key,
    party_kind=P.PERSON,
) -> ChainEntry:
    """The organisation's owner or a manager records money paid out to a beneficiary; the
    project's balance may never go below zero. A closed project still disburses what it
    raised, and so does an organisation revoked, deregistered or stripped of its 公开募捐资格:
    the money raised must still reach its beneficiaries (only new donations are refused)."""
    require_org_manager(actor, project.organisation)
    request_key = request_key_clean(request_key)
    if party_kind not in P.values:
        raise SocialOrgError(_("请选择受益人类型。"), code="invalid_choice", field="party_kind")
    beneficiary_name = required_text(beneficiary_name, "beneficiary_name", 100)
    purpose = required_text(purpose, "purpose", 200)
    amount_fen = _amount(amount_yuan, max_yuan=MAX_ENTRY_YUAN)
    occurred_on = _occurred_on(occurred_on, project=project, kind=K.DISBURSEMENT)

    def check(locked: FundraisingProject) -> None:
        available = balance_fen(locked)
        if amount_fen > available:
            raise SocialOrgConflict(
                _("拨付金额超过项目结余（%(b)s 元）。") % {"b": f"{available / 100:,.2f}"},
                code="insufficient_balance",
                field="amount_yuan",
            )

    values = {
        "kind": K.DISBURSEMENT,
        "amount_fen": amount_fen,
        "occurred_on": occurred_on,
        "beneficiary_name": beneficiary_name,
        "party_kind": party_kind,
        "purpose": purpose,
        "public_name": public_name_of(
            kind=K.DISBURSEMENT, party_kind=party_kind, name=beneficiary_name, anonymous=False
        ),
    }
    return _append(
        project=project, actor=actor, request_key=request_key, values=values, check=check
    )


# --- Audited reads of real names ----------------------------------------------------------------


def ledger_entries_reveal(
    *, project: FundraisingProject, viewer: User, request: HttpRequest | None = None
) -> list[ChainEntry]:
    """The project's entries with the real names of donors (anonymous ones too) and
    beneficiaries, for the organisation's owner and managers (its ledger desk: they record
    the entries and answer for them) and the civil-affairs officials covering it; each read
    is audit-logged: one entry for the ledger, and one per donor with an account (the person
    whose data was read; donors recorded by the staff have none, the ledger's entry covers
    them). Everyone else is refused, a plain member of the organisation too (least
    privilege: members read the desk with public names only)."""
    organisation = project.organisation
    role = org_role_of(viewer, organisation)
    if role in ACTING_ROLES:
        purpose = LEDGER_PURPOSE
    elif official_supervises(viewer, organisation.division_id):
        purpose = SUPERVISION_PURPOSE
    elif role is not None:
        raise NotAllowed(
            _("只有该慈善组织的负责人或管理员可以查看捐赠人和受益人的真实姓名。"),
            code="manager_only",
        )
    else:
        raise NotAllowed(_("您无权查看该项目的捐赠人和受益人信息。"))
    # (The project and its anchor as this statement sees them: socialorgs.selectors.charity.)
    entries = list(
        ChainEntry.objects.filter(project_id=project.pk)
        .select_related("project")
        .order_by("seq", "id")
    )
    fields = ["donor_name", "beneficiary_name"]
    audit_record(
        actor=viewer,
        action="personal_data.read",
        target=project,
        detail={
            "fields": fields,
            "purpose": purpose,
            "organisation": organisation.name,
            "entries": len(entries),
        },
        request=request,
    )
    # One entry per donor with an account (at their first donation here), however many times
    # they gave: the record says whose name was read, by whom, why.
    first_gift: dict[int, int] = {}
    for entry in entries:
        if entry.donor_id:
            first_gift.setdefault(entry.donor_id, entry.pk)
    audit_personal_data_reads(
        viewer=viewer,
        target_model=ChainEntry,
        reads=list(first_gift.items()),
        fields=["donor_name"],
        purpose=purpose,
        detail={"organisation": organisation.name},
        request=request,
    )
    return entries
