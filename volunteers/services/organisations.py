"""Volunteer organisations: registration, the 民政 review, members and roles."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.permissions import is_official
from portal.audit.services import audit_record
from portal.identifiers import normalize_mobile, validate_credit_code
from portal.notifications.services import notify
from volunteers.errors import NotAllowed, VolunteerConflict, VolunteerError
from volunteers.models import Member, Organisation, OrganisationReview
from volunteers.services.common import (
    check_input,
    division_of,
    require_owner,
    required_text,
)


def organisation_register(
    *,
    owner: User,
    name: str,
    kind: str,
    division_code: str,
    contact_phone: str,
    credit_code: str = "",
    description: str = "",
) -> Organisation:
    """Register an organisation for review, with `owner` as its first member (负责人)."""
    if not owner.is_authenticated or owner.role not in (
        User.Role.RESIDENT,
        User.Role.PROVIDER_STAFF,
    ):
        raise NotAllowed(_("监管人员和管理员不能登记志愿服务组织。"), code="not_allowed")
    name = required_text(name, "name", 100)
    if kind not in Organisation.Kind.values:
        raise VolunteerError(_("请选择组织类型。"), code="invalid_choice", field="kind")
    credit_code = (credit_code or "").strip().upper()
    if credit_code:
        check_input(validate_credit_code, credit_code, "credit_code")
    elif kind != Organisation.Kind.COMMUNITY:
        # A community team may work under its 居委会 without its own code; others have one.
        raise VolunteerError(
            _("社会组织和服务机构请填写统一社会信用代码。"), code="required", field="credit_code"
        )
    contact_phone = check_input(normalize_mobile, contact_phone, "contact_phone")
    division = division_of(division_code)
    if credit_code and Organisation.objects.filter(credit_code=credit_code).exists():
        raise VolunteerError(
            _("该统一社会信用代码已被其他志愿服务组织登记。"),
            code="credit_code_taken",
            field="credit_code",
        )
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                name=name,
                kind=kind,
                credit_code=credit_code,
                division=division,
                contact_phone=contact_phone,
                description=(description or "").strip(),
            )
            Member.objects.create(organisation=organisation, user=owner, role=Member.Role.OWNER)
            audit_record(actor=owner, action="volunteer_org.registered", target=organisation)
            _notify_officials(organisation)
    except IntegrityError:
        raise VolunteerError(
            _("该统一社会信用代码已被其他志愿服务组织登记。"),
            code="credit_code_taken",
            field="credit_code",
        ) from None
    return organisation


def official_may_review(official, organisation: Organisation) -> bool:
    """Volunteer service is supervised by 民政: a civil-affairs official covering the division."""
    return (
        is_official(official)
        and official.department == User.Department.CIVIL_AFFAIRS
        and official.covers(organisation.division_id)
    )


def _notify_officials(organisation: Organisation) -> None:
    officials = User.objects.filter(
        role=User.Role.OFFICIAL, is_active=True, department=User.Department.CIVIL_AFFAIRS
    )
    notify(
        recipients=[o for o in officials if o.covers(organisation.division_id)],
        kind="volunteer_org_submitted",
        title=_("新的志愿服务组织待审核：%(name)s") % {"name": organisation.name},
        link=f"/api/v1/volunteers/organisations/{organisation.pk}/",
        dedupe_key=f"volorg:{organisation.pk}:submitted",
    )


DECISIONS = {
    "approve": Organisation.Status.APPROVED,
    "reject": Organisation.Status.REJECTED,
    "return": Organisation.Status.RETURNED,
}


def organisation_decide(
    *, organisation: Organisation, official: User, action: str, reason: str = "", request=None
) -> Organisation:
    """An official's decision on a submitted organisation; reject and return need a reason."""
    if action not in DECISIONS:
        raise VolunteerError(_("未知的审核操作。"), code="invalid_choice", field="action")
    reason = (reason or "").strip()
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if not official_may_review(official, organisation):
            raise NotAllowed(_("该组织不在您的管辖区域或职责范围内。"), code="out_of_jurisdiction")
        if organisation.status != Organisation.Status.SUBMITTED:
            raise VolunteerConflict(
                _("组织当前状态为“%(status)s”，不能审核。")
                % {"status": organisation.get_status_display()},
                code="invalid_transition",
            )
        if action != "approve" and not reason:
            raise VolunteerError(
                _("请填写理由，组织将看到这段说明。"), code="required", field="reason"
            )
        previous, now = organisation.status, timezone.now()
        organisation.status = DECISIONS[action]
        organisation.status_reason = reason
        organisation.decided_at = now
        organisation.save(update_fields=["status", "status_reason", "decided_at"])
        OrganisationReview.objects.create(
            organisation=organisation,
            action=action,
            from_status=previous,
            to_status=organisation.status,
            actor=official,
            reason=reason,
            at=now,
        )
        audit_record(
            actor=official,
            action=f"volunteer_org.{action}",
            target=organisation,
            detail={"from": previous, "to": organisation.status, "reason": reason},
            request=request,
        )
        notify(
            recipients=[m.user for m in organisation.members.select_related("user")],
            kind="volunteer_org_decision",
            title=_("志愿服务组织审核结果：%(name)s %(status)s")
            % {"name": organisation.name, "status": organisation.get_status_display()},
            body=reason,
            dedupe_key=f"volorg:{organisation.pk}:{action}:{now.isoformat()}",
        )
    return organisation


def member_add(
    *, organisation: Organisation, actor: User, phone: str, role: str = Member.Role.MEMBER
) -> Member:
    """The owner adds a signed-up person (by mobile number) as a manager or member."""
    require_owner(actor, organisation)
    if role not in (Member.Role.MANAGER, Member.Role.MEMBER):
        raise VolunteerError(_("只能添加管理员或成员。"), code="invalid_choice", field="role")
    phone = check_input(normalize_mobile, phone, "phone")
    user = User.objects.filter(phone=phone, is_active=True).first()
    if user is None or user.role not in (User.Role.RESIDENT, User.Role.PROVIDER_STAFF):
        raise VolunteerError(
            _("没有找到使用该手机号码注册的居民或机构人员账户。"),
            code="unknown_user",
            field="phone",
        )
    with transaction.atomic():
        member, created = Member.objects.get_or_create(
            organisation=organisation, user=user, defaults={"role": role}
        )
        if not created:
            raise VolunteerConflict(_("该用户已是组织成员。"), code="already_member")
        audit_record(
            actor=actor,
            action="volunteer_org.member_added",
            target=organisation,
            subject=user,
            detail={"role": role},
        )
    return member
