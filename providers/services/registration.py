"""Registering an organisation, editing its profile and branches, adding members."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.accounts import services as account_services
from portal.accounts.models import Division, User
from portal.audit.services import audit_record
from portal.identifiers import validate_credit_code, validate_public_phone
from portal.uploads import IMAGE_KINDS, MB, sniff
from providers.domains import Domain
from providers.errors import ProviderError
from providers.models import Accessibility, Branch, Membership, Provider
from providers.services.access import require_member, require_owner
from providers.signals import provider_text_changed

# Fields that identify the organisation: changing them after approval needs a new review.
IDENTITY_FIELDS = ("name", "credit_code", "legal_representative", "division", "domains")
PROFILE_FIELDS = ("contact_phone", "description", "outreach")
EDITABLE_STATUSES = (Provider.Status.DRAFT, Provider.Status.RETURNED, Provider.Status.REJECTED)


def _division(code: str, field: str = "division") -> Division:
    division = Division.objects.filter(code=code).first()
    if division is None:
        raise ProviderError(
            _("未知的行政区划代码：%(code)s") % {"code": code}, code="unknown_division", field=field
        )
    return division


def _check(validator, value, field: str) -> None:
    try:
        validator(value)
    except ValidationError as exc:
        raise ProviderError(exc.messages[0], code=exc.code or "invalid", field=field) from None


def _domains(values) -> list[str]:
    values = list(dict.fromkeys(values or []))
    unknown = [v for v in values if v not in Domain.values]
    if unknown:
        raise ProviderError(
            _("未知的服务领域：%(v)s") % {"v": "、".join(unknown)},
            code="unknown_domain",
            field="domains",
        )
    return values


def _check_code_free(credit_code: str, *, exclude=None) -> None:
    """A registered (non-draft) organisation owns its code; drafts may not take it."""
    taken = Provider.objects.filter(credit_code=credit_code).exclude(status=Provider.Status.DRAFT)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ProviderError(
            _("该统一社会信用代码已被其他机构登记。如机构信息被冒用，请联系监管部门。"),
            code="credit_code_taken",
            field="credit_code",
        )


def provider_create(
    *,
    owner: User,
    name: str,
    credit_code: str,
    division_code: str,
    domains: list[str] | None = None,
    legal_representative: str = "",
    contact_phone: str = "",
    description: str = "",
    status: str = Provider.Status.DRAFT,
) -> Provider:
    """Create an organisation (a draft unless seeding) with `owner` as its first member."""
    name = (name or "").strip()
    if not name:
        raise ProviderError(_("请填写机构名称。"), code="required", field="name")
    credit_code = (credit_code or "").strip().upper()
    _check(validate_credit_code, credit_code, "credit_code")
    if contact_phone:
        _check(validate_public_phone, contact_phone, "contact_phone")
    division = _division(division_code)
    _check_code_free(credit_code)
    if owner.role != User.Role.PROVIDER_STAFF:
        raise ProviderError(_("机构负责人必须是服务机构人员账户。"), code="not_provider_staff")
    try:
        with transaction.atomic():
            provider = Provider.objects.create(
                name=name,
                credit_code=credit_code,
                division=division,
                domains=_domains(domains),
                legal_representative=legal_representative.strip(),
                contact_phone=contact_phone.strip(),
                description=description,
                status=status,
            )
            Membership.objects.create(user=owner, provider=provider, role=Membership.Role.OWNER)
            audit_record(actor=owner, action="provider.created", target=provider)
    except IntegrityError:
        raise ProviderError(
            _("该统一社会信用代码已注册。"), code="credit_code_taken", field="credit_code"
        ) from None
    return provider


def provider_register(
    *,
    phone: str,
    person_name: str,
    password: str,
    email: str = "",
    consent_version: str,
    name: str,
    credit_code: str,
    division_code: str,
    domains: list[str],
    request=None,
) -> tuple[User, Provider]:
    """Self-service registration: the person's account and their organisation's draft,
    together or not at all."""
    with transaction.atomic():
        user = account_services.user_signup(
            phone=phone,
            name=person_name,
            password=password,
            email=email,
            consent_version=consent_version,
            role=User.Role.PROVIDER_STAFF,
            request=request,
        )
        provider = provider_create(
            owner=user,
            name=name,
            credit_code=credit_code,
            division_code=division_code,
            domains=domains,
        )
    return user, provider


def provider_update(*, provider: Provider, actor: User, **changes) -> Provider:
    """Edit the profile. Identity fields change only while the organisation is not under
    review or approved (a changed identity needs a new review)."""
    require_owner(actor, provider)
    unknown = set(changes) - set(IDENTITY_FIELDS) - set(PROFILE_FIELDS) - {"logo"}
    if unknown:
        raise ProviderError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    identity = {k: v for k, v in changes.items() if k in IDENTITY_FIELDS}
    if identity and provider.status not in EDITABLE_STATUSES:
        raise ProviderError(
            _(
                "机构已提交审核或已通过审核，名称、信用代码、法定代表人、区划和服务领域不能直接修改。"
            ),
            code="identity_locked",
        )
    if "name" in changes and not (changes["name"] or "").strip():
        raise ProviderError(_("请填写机构名称。"), code="required", field="name")
    if "credit_code" in changes:
        changes["credit_code"] = (changes["credit_code"] or "").strip().upper()
        _check(validate_credit_code, changes["credit_code"], "credit_code")
        _check_code_free(changes["credit_code"], exclude=provider)
    if changes.get("contact_phone"):
        _check(validate_public_phone, changes["contact_phone"], "contact_phone")
    if "division" in changes:
        changes["division"] = _division(changes["division"])
    logo = changes.pop("logo", None)
    if logo is not None:
        try:
            _content_type, extension = sniff(logo, allowed=IMAGE_KINDS, max_bytes=2 * MB)
        except ValidationError as exc:
            raise ProviderError(exc.messages[0], code=exc.code, field="logo") from None
        if provider.logo:
            provider.logo.delete(save=False)  # the replaced file goes too
        provider.logo.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(logo.read()), save=False)
        changes["logo"] = provider.logo
    if "domains" in changes:
        changes["domains"] = _domains(changes["domains"])
    for field, value in changes.items():
        setattr(provider, field, value)
    try:
        with transaction.atomic():
            provider.save(update_fields=[*changes, "updated_at"])
            if {"name", "description"} & set(changes):
                transaction.on_commit(
                    lambda: provider_text_changed.send(sender=Provider, provider=provider)
                )
            audit_record(
                actor=actor,
                action="provider.updated",
                target=provider,
                detail={"fields": sorted(changes)},
            )
    except IntegrityError:
        raise ProviderError(
            _("该统一社会信用代码已注册。"), code="credit_code_taken", field="credit_code"
        ) from None
    return provider


def _coordinate(value, low: float, high: float, field: str) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError, TypeError):
        raise ProviderError(_("坐标应为数字。"), code="invalid_coordinate", field=field) from None
    if not (Decimal(str(low)) <= number <= Decimal(str(high))):
        raise ProviderError(
            _("坐标不在中国境内，请检查纬度和经度（GCJ-02）。"),
            code="coordinate_out_of_range",
            field=field,
        )
    return number


def _branch_values(data: dict) -> dict:
    values = {}
    for field in ("name", "address"):
        if field in data:
            values[field] = (data[field] or "").strip()
            if not values[field]:
                raise ProviderError(_("此项为必填项。"), code="required", field=field)
    if "division" in data:
        values["division"] = _division(data["division"])
    if "latitude" in data:
        values["latitude"] = _coordinate(data["latitude"], 3.8, 53.6, "latitude")
    if "longitude" in data:
        values["longitude"] = _coordinate(data["longitude"], 73.4, 135.1, "longitude")
    if "accessibility" in data:
        unknown = [a for a in data["accessibility"] or [] if a not in Accessibility.values]
        if unknown:
            raise ProviderError(_("未知的无障碍设施。"), code="invalid", field="accessibility")
        values["accessibility"] = list(dict.fromkeys(data["accessibility"] or []))
    for field in ("opening_hours", "beds", "places", "staff_capacity"):
        if field in data:
            values[field] = data[field]
    return values


BRANCH_REQUIRED = ("name", "address", "division", "latitude", "longitude")


def branch_create(*, provider: Provider, actor: User, data: dict) -> Branch:
    require_member(actor, provider)
    missing = [f for f in BRANCH_REQUIRED if data.get(f) in (None, "")]
    if missing:
        raise ProviderError(_("此项为必填项。"), code="required", field=missing[0])
    branch = Branch.objects.create(provider=provider, **_branch_values(data))
    audit_record(actor=actor, action="branch.created", target=branch)
    return branch


def branch_update(*, branch: Branch, actor: User, data: dict) -> Branch:
    require_member(actor, branch.provider)
    values = _branch_values(data)
    for field, value in values.items():
        setattr(branch, field, value)
    branch.save(update_fields=list(values))
    if {"name", "address"} & set(values):
        provider_text_changed.send(sender=Branch, provider=branch.provider)
    audit_record(actor=actor, action="branch.updated", target=branch)
    return branch


def membership_add(
    *, provider: Provider, user: User, role: str = Membership.Role.STAFF, actor: User | None = None
) -> Membership:
    """Add a provider-staff account to the organisation (by its owner, or by the seeder)."""
    if actor is not None:
        require_owner(actor, provider)
    if user.role != User.Role.PROVIDER_STAFF:
        raise ProviderError(_("只能添加服务机构人员账户。"), code="not_provider_staff")
    membership, _created = Membership.objects.get_or_create(
        user=user, provider=provider, defaults={"role": role}
    )
    return membership
