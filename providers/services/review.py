"""The registration review: draft → submitted → approved / rejected / returned, then
suspended, reinstated or revoked. Every step records who, when and why."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.permissions import is_official, is_staff_of
from portal.audit.services import audit_record
from portal.notifications.services import notify
from providers.domains import DEPARTMENT_OF_DOMAIN, REQUIRED_LICENCE, Domain
from providers.errors import NotAllowed, ProviderError
from providers.models import Provider, ReviewEvent
from providers.signals import provider_compliance_changed

S = Provider.Status
A = ReviewEvent.Action


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    by_official: bool
    reason_required: bool


TRANSITIONS: dict[str, Transition] = {
    A.SUBMIT: Transition((S.DRAFT, S.RETURNED, S.REJECTED), S.SUBMITTED, False, False),
    A.APPROVE: Transition((S.SUBMITTED,), S.APPROVED, True, False),
    A.REJECT: Transition((S.SUBMITTED,), S.REJECTED, True, True),
    A.RETURN: Transition((S.SUBMITTED,), S.RETURNED, True, True),
    A.SUSPEND: Transition((S.APPROVED,), S.SUSPENDED, True, True),
    A.REINSTATE: Transition((S.SUSPENDED,), S.APPROVED, True, True),
    A.REVOKE: Transition((S.APPROVED, S.SUSPENDED), S.REVOKED, True, True),
}


def official_may_review(official: User, provider: Provider) -> bool:
    """The official's jurisdiction contains the organisation and their department supervises
    at least one of its domains (民政 eldercare, 卫健 childcare and health, 商务 domestic...)."""
    if not is_official(official) or not official.covers(provider.division_id):
        return False
    return any(DEPARTMENT_OF_DOMAIN.get(d) == official.department for d in provider.domains)


def submission_problems(provider: Provider, *, today=None) -> list[str]:
    """What keeps the organisation from being submitted (empty when it is complete)."""
    today = today or timezone.localdate()
    problems = []
    if not provider.domains:
        problems.append(_("请至少选择一个服务领域。"))
    if not provider.legal_representative:
        problems.append(_("请填写法定代表人。"))
    if not provider.contact_phone:
        problems.append(_("请填写联系电话。"))
    if not provider.branches.exists():
        problems.append(_("请至少添加一个服务网点。"))
    licences = list(provider.licences.all())
    for domain in provider.domains:
        kind = REQUIRED_LICENCE[domain]
        if not any(lic.kind == kind and lic.is_valid_on(today) for lic in licences):
            problems.append(
                _("缺少有效的%(licence)s（%(domain)s服务必需）。")
                % {"licence": kind.label, "domain": Domain(domain).label}
            )
    return problems


def provider_transition(
    *, provider: Provider, action: str, actor: User, reason: str = "", request=None
) -> Provider:
    """Apply one review step, or raise ProviderError/NotAllowed and change nothing."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ProviderError(_("未知的审核操作。"), code="unknown_action", field="action")
    reason = (reason or "").strip()
    with transaction.atomic():
        # Lock the row: two officials deciding at once must not both succeed.
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        if transition.by_official:
            if not official_may_review(actor, provider):
                raise NotAllowed(
                    _("该机构不在您的管辖区域或职责范围内。"), code="out_of_jurisdiction"
                )
        elif not is_staff_of(actor, provider.pk, owner=True):
            raise NotAllowed(_("只有机构负责人可以提交审核。"), code="owner_only")
        if provider.status not in transition.sources:
            raise ProviderError(
                _("机构当前状态为“%(status)s”，不能进行“%(action)s”。")
                % {
                    "status": provider.get_status_display(),
                    "action": A(action).label,
                },
                code="invalid_transition",
            )
        if transition.reason_required and not reason:
            raise ProviderError(
                _("请填写理由，机构将看到这段说明。"), code="reason_required", field="reason"
            )
        if action == A.SUBMIT:
            problems = submission_problems(provider)
            if problems:
                raise ProviderError(" ".join(problems), code="incomplete")

        previous = provider.status
        target = transition.target
        now = timezone.now()
        fields = ["status", "status_reason", "approved_domains", "updated_at"]
        if action == A.SUBMIT:
            provider.approved_domains = []
            provider.submitted_at = now
            fields.append("submitted_at")
        elif action == A.APPROVE:
            # The official approves the domains their department supervises; the organisation
            # is approved once every domain is.
            mine = [d for d in provider.domains if DEPARTMENT_OF_DOMAIN[d] == actor.department]
            if set(mine) <= set(provider.approved_domains):
                raise ProviderError(_("您所在部门已审核通过该机构。"), code="already_approved")
            provider.approved_domains = sorted({*provider.approved_domains, *mine})
            if not set(provider.domains) <= set(provider.approved_domains):
                target = S.SUBMITTED  # other departments still to decide
            provider.decided_at = now
            fields.append("decided_at")
        else:
            provider.decided_at = now
            fields.append("decided_at")
        provider.status = target
        provider.status_reason = reason
        try:
            with transaction.atomic():
                provider.save(update_fields=fields)
        except IntegrityError:
            raise ProviderError(
                _("该统一社会信用代码已被其他机构登记。如机构信息被冒用，请联系监管部门。"),
                code="credit_code_taken",
                field="credit_code",
            ) from None
        ReviewEvent.objects.create(
            provider=provider,
            action=action,
            from_status=previous,
            to_status=target,
            actor=actor,
            reason=reason,
            at=now,
        )
        audit_record(
            actor=actor,
            action=f"provider.{action}",
            target=provider,
            detail={"from": previous, "to": target, "reason": reason},
            request=request,
        )
        _notify_transition(provider, action, reason, now)
        transaction.on_commit(
            lambda: provider_compliance_changed.send(sender=Provider, provider=provider)
        )
    return provider


def _notify_transition(provider: Provider, action: str, reason: str, now) -> None:
    key = f"review:{provider.pk}:{action}:{now.isoformat()}"
    if action == A.SUBMIT:
        officials = User.objects.filter(
            role=User.Role.OFFICIAL,
            is_active=True,
            department__in={DEPARTMENT_OF_DOMAIN[d] for d in provider.domains},
        ).select_related("jurisdiction")
        notify(
            recipients=[o for o in officials if o.covers(provider.division_id)],
            kind="review_submitted",
            title=_("新的机构注册待审核：%(name)s") % {"name": provider.name},
            link=f"/official/providers/{provider.pk}/",
            dedupe_key=key,
        )
        return
    notify(
        recipients=[m.user for m in provider.memberships.select_related("user")],
        kind="review_decision",
        title=_("审核结果：%(name)s %(action)s")
        % {"name": provider.name, "action": A(action).label},
        body=reason,
        link="/provider/organisation/",
        dedupe_key=key,
    )
