"""Write paths for providers (the foundation's part: creating organisations and members)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.accounts.models import Division, User
from portal.audit.services import audit_record
from portal.errors import DomainError
from portal.identifiers import validate_credit_code
from providers.models import Membership, Provider


class ProviderError(DomainError):
    """A provider action was refused."""


def provider_create(
    *,
    name: str,
    credit_code: str,
    division_code: str,
    owner: User,
    status: str = Provider.Status.DRAFT,
) -> Provider:
    """Create an organisation with its owner as the first member."""
    try:
        validate_credit_code(credit_code)
    except ValidationError as exc:
        raise ProviderError(
            exc.messages[0], code="invalid_credit_code", field="credit_code"
        ) from None
    division = Division.objects.filter(code=division_code).first()
    if division is None:
        raise ProviderError(_("未知的行政区划代码。"), code="unknown_division", field="division")
    if owner.role != User.Role.PROVIDER_STAFF:
        raise ProviderError(_("机构负责人必须是服务机构人员账户。"), code="not_provider_staff")
    try:
        with transaction.atomic():
            provider = Provider.objects.create(
                name=name, credit_code=credit_code, division=division, status=status
            )
            Membership.objects.create(user=owner, provider=provider, role=Membership.Role.OWNER)
            audit_record(actor=owner, action="provider.created", target=provider)
    except IntegrityError:
        raise ProviderError(
            _("该统一社会信用代码已注册。"), code="credit_code_taken", field="credit_code"
        ) from None
    return provider


def membership_add(
    *, provider: Provider, user: User, role: str = Membership.Role.STAFF
) -> Membership:
    if user.role != User.Role.PROVIDER_STAFF:
        raise ProviderError(_("只能添加服务机构人员账户。"), code="not_provider_staff")
    membership, _created = Membership.objects.get_or_create(
        user=user, provider=provider, defaults={"role": role}
    )
    return membership
