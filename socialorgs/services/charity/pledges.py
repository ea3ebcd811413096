"""Online donations as pledges (在线认捐): a resident says on the project's page what they give;
nothing reaches the hash chain until the charity confirms the money arrived.

A resident's form is not money. Appending it to the chain at once would put donations that
never happened into the public traced flow and raise the balance the charity may disburse, so
an online donation is a pledge (`DonationPledge`, pending). The resident pays through the
charity's published fundraising account or a designated internet fundraising platform, with
the pledge's reference in the payment's note; the organisation's owner or a manager then
confirms receipt on its ledger desk (the donation is appended to the chain exactly as the
donor pledged it: their account's real name, a person, anonymous or not, masked for the
public, and the donor gets a receipt code) or cancels it (the money never came). The donor
may withdraw a pending pledge.

Confirmation and cancellation lock the project's row, then the pledge's: they serialise with
each other and with every append to the chain, and confirming twice records once.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.permissions import is_resident
from portal.audit.services import audit_personal_data_reads, audit_record
from portal.notifications.services import notify
from socialorgs.errors import NotAllowed, NotFound, SocialOrgConflict, SocialOrgError
from socialorgs.models import ChainEntry, DonationPledge, FundraisingProject
from socialorgs.services.charity.ledger import (
    LEDGER_PURPOSE,
    MAX_ONLINE_YUAN,
    _amount,
    _append,
    _require_taking_donations,
    public_name_of,
    request_key_clean,
)
from socialorgs.services.common import ACTING_ROLES, optional_text, org_role_of, required_text

# Stored as it is (never translated): why a pledge of a closed account was withdrawn.
ERASED_REASON = "捐赠人注销账号"

S = DonationPledge.Status
K = ChainEntry.Kind
P = ChainEntry.Party


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def _lock(pledge: DonationPledge) -> tuple[FundraisingProject, DonationPledge]:
    """The project's row, then the pledge's (inside the caller's transaction)."""
    project = (
        FundraisingProject.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=pledge.project_id)
    )
    pledge = (
        DonationPledge.objects.select_for_update(of=("self",))
        .select_related("donor", "entry")
        .get(pk=pledge.pk)
    )
    pledge.project = project
    return project, pledge


# --- The donor ----------------------------------------------------------------------------------


def pledge_create(
    *, project: FundraisingProject, user: User, amount_yuan, request_key, anonymous: bool = False
) -> DonationPledge:
    """A signed-in resident pledges a donation to an open project within its period (of an
    organisation still registered and qualified to fundraise publicly), under
    their account's name (or anonymously for the public). Nothing is appended to the chain:
    the donation is recorded when the charity confirms the money arrived (pledge_confirm).
    The same request key again returns the pledge it made (`replayed`)."""
    if not is_resident(user):
        raise NotAllowed(_("请以居民账户登录后捐赠。"), code="residents_only")
    request_key = request_key_clean(request_key)
    amount_fen = _amount(amount_yuan, max_yuan=MAX_ONLINE_YUAN)
    if not (user.name or "").strip():
        raise SocialOrgError(_("请先在“我的账户”中填写姓名（捐赠凭证需要实名）。"), code="no_name")
    anonymous = bool(anonymous)
    today = timezone.localdate()
    with transaction.atomic():
        # Under the project's row lock: closing the project cannot slip in between.
        project = FundraisingProject.objects.select_for_update(of=("self",)).get(pk=project.pk)
        earlier = project.pledges.filter(request_key=request_key).first()
        if earlier is not None:
            same = (earlier.donor_id, earlier.amount_fen, earlier.anonymous) == (
                user.pk,
                amount_fen,
                anonymous,
            )
            if not same:
                raise SocialOrgConflict(
                    _("该提交编号已用于另一笔认捐，请刷新页面后重新提交。"),
                    code="request_key_reused",
                    field="request_key",
                )
            earlier.replayed = True
            return earlier
        _require_taking_donations(project)
        if not project.starts_on <= today <= project.ends_on:
            raise SocialOrgConflict(_("不在该项目的募捐期内。"), code="outside_period")
        pledge = DonationPledge.objects.create(
            project=project,
            donor=user,
            amount_fen=amount_fen,
            anonymous=anonymous,
            request_key=request_key,
        )
        audit_record(
            actor=user,
            action="socialorgs.charity_pledge_created",
            target=pledge,
            detail={"project": project.filing_number, "amount_fen": amount_fen},
        )
    pledge.replayed = False
    return pledge


# --- The organisation ---------------------------------------------------------------------------


def pledge_require_decider(actor, pledge: DonationPledge, *, donor_may: bool) -> bool:
    """Who may confirm (the organisation's owner or a manager) or cancel (they, or the donor
    their own pledge: `donor_may`) this pledge; True when the actor acts as the donor.
    Anyone else is refused before their input is read: a plain member of the organisation
    (403), and everyone else as if the pledge did not exist (404)."""
    if donor_may and getattr(actor, "pk", None) == pledge.donor_id:
        return True
    role = org_role_of(actor, pledge.project.organisation)
    if role in ACTING_ROLES:
        return False
    if role is not None or getattr(actor, "pk", None) == pledge.donor_id:
        raise NotAllowed(
            _("只有该慈善组织的负责人或管理员可以确认或取消认捐。"), code="manager_only"
        )
    raise NotFound(_("未找到该认捐。"), code="pledge_not_found")


def pledge_donors_reveal(
    *,
    project: FundraisingProject,
    pledges: list[DonationPledge],
    viewer: User,
    request: HttpRequest | None = None,
) -> dict[int, str]:
    """The real names of the donors of these pending pledges, for the organisation's owner
    and managers (who match the money that came in and confirm it): {pledge id: name}. A
    plain member is refused (they see the masked names). Each donor's name read is
    audit-logged as the ledger's real names are (purpose: the ledger desk)."""
    role = org_role_of(viewer, project.organisation)
    if role not in ACTING_ROLES:
        if role is not None:
            raise NotAllowed(
                _("只有该慈善组织的负责人或管理员可以查看捐赠人的真实姓名。"),
                code="manager_only",
            )
        raise NotAllowed(_("您无权查看该项目的捐赠人信息。"))
    mine = [p for p in pledges if p.project_id == project.pk]
    audit_personal_data_reads(
        viewer=viewer,
        target_model=DonationPledge,
        reads=[(p.donor_id, p.pk) for p in mine],
        fields=["donor_name"],
        purpose=LEDGER_PURPOSE,
        detail={"organisation": project.organisation.name, "project": project.filing_number},
        request=request,
    )
    return {p.pk: p.donor.name for p in mine}


def pledge_confirm(*, pledge: DonationPledge, actor: User) -> DonationPledge:
    """The organisation's owner or a manager confirms the pledged money arrived: the donation
    is appended to the chain (the donor's account, their real name, a person, anonymous or
    not; dated today), the pledge is marked confirmed and linked to its entry, and the donor
    is told their receipt code. Confirming again returns the pledge (`replayed`) and records
    nothing; a cancelled pledge, one of a closed project, or one of an organisation revoked,
    deregistered or stripped of its 公开募捐资格 cannot be confirmed."""
    pledge_require_decider(actor, pledge, donor_may=False)
    with transaction.atomic():
        project, pledge = _lock(pledge)
        if pledge.status == S.CONFIRMED:
            pledge.replayed = True
            return pledge
        if pledge.status == S.CANCELLED:
            raise SocialOrgConflict(_("该认捐已取消，不能再确认到账。"), code="pledge_cancelled")
        donor = pledge.donor
        name = (donor.name or "").strip()
        if not name or donor.erased_at is not None:
            raise SocialOrgConflict(
                _("捐赠人账户已注销或未填写姓名，不能以其名义记账。"), code="donor_gone"
            )
        values = {
            "kind": K.DONATION,
            "amount_fen": pledge.amount_fen,
            "occurred_on": timezone.localdate(),
            "donor_name": name[:100],
            "party_kind": P.PERSON,
            "anonymous": pledge.anonymous,
            "donor": donor,
            "public_name": public_name_of(
                kind=K.DONATION, party_kind=P.PERSON, name=name, anonymous=pledge.anonymous
            ),
        }
        entry = _append(
            project=project,
            actor=actor,
            request_key=f"pledge-{pledge.pk}",
            values=values,
            check=_require_taking_donations,
        )
        pledge.status = S.CONFIRMED
        pledge.entry = entry
        pledge.decided_at = timezone.now()
        pledge.decided_by = actor
        pledge.save(update_fields=["status", "entry", "decided_at", "decided_by"])
        audit_record(
            actor=actor,
            action="socialorgs.charity_pledge_confirmed",
            target=pledge,
            detail={"project": project.filing_number, "seq": entry.seq},
        )
        url = reverse("socialorgs:charity-project", args=[project.filing_number])
        notify(
            recipients=[donor],
            kind="socialorg_pledge_confirmed",
            title=_("捐赠已到账：%(title)s") % {"title": project.title},
            body=_(
                "%(org)s 已确认收到您捐赠的 %(amount)s 元，已记入善款流向记录第 %(seq)s 条。"
                "捐赠凭证号 %(code)s，请妥善保存，可随时在项目页面查询这笔善款的去向。"
            )
            % {
                "org": project.organisation.name,
                "amount": _yuan(pledge.amount_fen),
                "seq": entry.seq,
                "code": entry.receipt_code,
            },
            link=f"{url}?receipt={entry.receipt_code}#receipt",
            dedupe_key=f"socialorgs.pledge_confirmed:{pledge.pk}",
        )
    pledge.replayed = False
    return pledge


def pledge_cancel(*, pledge: DonationPledge, actor: User, reason="") -> DonationPledge:
    """Cancel a pending pledge: the organisation's owner or a manager when the money did not
    arrive (a reason is required; the donor is told), or the donor their own. Nothing is
    written to the chain. Cancelling again returns the pledge (`replayed`); a confirmed
    pledge cannot be cancelled (the donation is on the chain)."""
    by_donor = pledge_require_decider(actor, pledge, donor_may=True)
    if by_donor:
        reason = optional_text(reason, "reason", 200)
    else:
        reason = required_text(reason, "reason", 200)
    with transaction.atomic():
        project, pledge = _lock(pledge)
        if pledge.status == S.CANCELLED:
            pledge.replayed = True
            return pledge
        if pledge.status == S.CONFIRMED:
            raise SocialOrgConflict(
                _("该认捐已确认到账并记入善款流向记录，不能取消。"), code="pledge_confirmed"
            )
        pledge.status = S.CANCELLED
        pledge.cancel_reason = reason
        pledge.decided_at = timezone.now()
        pledge.decided_by = actor
        pledge.save(update_fields=["status", "cancel_reason", "decided_at", "decided_by"])
        audit_record(
            actor=actor,
            action="socialorgs.charity_pledge_cancelled",
            target=pledge,
            detail={"project": project.filing_number, "by_donor": by_donor},
        )
        if not by_donor:
            notify(
                recipients=[pledge.donor],
                kind="socialorg_pledge_cancelled",
                title=_("认捐未到账，已取消：%(title)s") % {"title": project.title},
                body=_(
                    "%(org)s 未收到您认捐的 %(amount)s 元（认捐编号 %(ref)s），已取消该认捐。"
                    "原因：%(reason)s。如您已经付款，请凭付款凭证联系该慈善组织。"
                )
                % {
                    "org": project.organisation.name,
                    "amount": _yuan(pledge.amount_fen),
                    "ref": pledge.reference,
                    "reason": reason,
                },
                link=reverse("socialorgs:charity-donate", args=[project.filing_number]),
                dedupe_key=f"socialorgs.pledge_cancelled:{pledge.pk}",
            )
    pledge.replayed = False
    return pledge


def pledges_cancel_for_erasure(user: User) -> int:
    """Closing an account withdraws its pending pledges (inside the caller's transaction);
    confirmed ones stay, as their donations on the chain do."""
    return DonationPledge.objects.filter(donor=user, status=S.PENDING).update(
        status=S.CANCELLED,
        cancel_reason=ERASED_REASON,
        decided_at=timezone.now(),
        decided_by=None,
    )
