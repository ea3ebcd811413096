"""The registry (法人库): a 民政 official covering the division registers a social organisation,
edits its record, changes its status (撤销/注销), recognises it as a 慈善组织 with or without
公开募捐资格, and binds its first owner account; the owner adds managers and members. The
legal representative's name is read in full only on purpose, audit-logged.

统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character; for a social
organisation the first character is 5 (registered by 民政) and the second names its kind
(1 社会团体, 2 民办非企业单位, 3 基金会)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_personal_data_read, audit_record
from portal.identifiers import normalize_mobile, validate_credit_code
from portal.notifications.services import notify
from socialorgs.errors import SocialOrgConflict, SocialOrgError
from socialorgs.models import OrgDomain, OrgMembership, SocialOrganisation
from socialorgs.search import org_search_vector
from socialorgs.services.common import (
    ACCOUNT_USER_ROLES,
    check_input,
    date_input,
    division_of,
    fen_of_yuan,
    optional_text,
    org_accounts,
    require_civil_affairs,
    require_org_owner,
    require_supervisor,
    required_text,
)

Kind = SocialOrganisation.Kind
Status = SocialOrganisation.Status

# GB 32100: the registering department (5 = 民政) and the kind of organisation.
CIVIL_AFFAIRS_CHAR = "5"
KIND_CHAR = {Kind.ASSOCIATION: "1", Kind.SOCIAL_SERVICE: "2", Kind.FOUNDATION: "3"}
MAX_CAPITAL_YUAN = 100_000_000_000  # 1000 亿元
LEGAL_REP_PURPOSE = "socialorg_registry"
# The fields an official edits after registration (the code and the kind are the registration).
EDITABLE = (
    "name",
    "domain",
    "business_scope",
    "authority",
    "division",
    "address",
    "latitude",
    "longitude",
    "legal_rep_name",
    "founded_on",
    "registered_capital",
)


# --- Validation ---------------------------------------------------------------------------------


def credit_code_clean(value, kind: str | None, field: str = "credit_code") -> str:
    """A 统一社会信用代码 that passes GB 32100 and belongs to a social organisation of `kind`
    (None: any kind); otherwise a SocialOrgError in Chinese saying what is wrong with it."""
    code = (value or "").strip() if isinstance(value, str) else ""
    if not code:
        raise SocialOrgError(_("请填写统一社会信用代码。"), code="required", field=field)
    if len(code) != 18:
        raise SocialOrgError(
            _("统一社会信用代码应为 18 位，您输入了 %(n)s 位。") % {"n": len(code)},
            code="invalid_length",
            field=field,
        )
    if any(c.islower() for c in code):
        raise SocialOrgError(_("统一社会信用代码中的字母应为大写。"), code="lowercase", field=field)
    check_input(validate_credit_code, code, field)
    if code[0] != CIVIL_AFFAIRS_CHAR:
        raise SocialOrgError(
            _("社会组织的统一社会信用代码第 1 位应为 5（民政部门登记），此代码为 %(c)s。")
            % {"c": code[0]},
            code="not_civil_affairs",
            field=field,
        )
    if kind in KIND_CHAR and code[1] != KIND_CHAR[kind]:
        raise SocialOrgError(
            _("组织类型为“%(kind)s”时，统一社会信用代码第 2 位应为 %(c)s，此代码为 %(got)s。")
            % {"kind": Kind(kind).label, "c": KIND_CHAR[kind], "got": code[1]},
            code="kind_mismatch",
            field=field,
        )
    if kind is None and code[1] not in KIND_CHAR.values():
        raise SocialOrgError(
            _("统一社会信用代码第 2 位应为 1、2 或 3（社会组织的类别）。"),
            code="kind_mismatch",
            field=field,
        )
    return code


def _coordinate(value, low: str, high: str, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise SocialOrgError(_("坐标应为数字。"), code="invalid_coordinate", field=field)
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError, TypeError):
        raise SocialOrgError(_("坐标应为数字。"), code="invalid_coordinate", field=field) from None
    if not (Decimal(low) <= number <= Decimal(high)):
        raise SocialOrgError(
            _("坐标不在中国境内，请检查纬度和经度（GCJ-02）。"),
            code="coordinate_out_of_range",
            field=field,
        )
    return number


def _choice(value, choices, field: str, message: str) -> str:
    if value not in choices:
        raise SocialOrgError(message, code="invalid_choice", field=field)
    return value


def _clean(data: dict, keys) -> dict:
    """The cleaned values of the `keys` present in `data` (register: every key)."""
    cleaners = {
        "name": lambda v: required_text(v, "name", 100),
        "domain": lambda v: _choice(v, OrgDomain.values, "domain", _("请选择业务领域。")),
        "business_scope": lambda v: optional_text(v, "business_scope", 1000),
        "authority": lambda v: required_text(v, "authority", 100),
        "address": lambda v: optional_text(v, "address", 200),
        "latitude": lambda v: _coordinate(v, "3.8", "53.6", "latitude"),
        "longitude": lambda v: _coordinate(v, "73.4", "135.1", "longitude"),
        "legal_rep_name": lambda v: required_text(v, "legal_rep_name", 50),
        "founded_on": lambda v: date_input(v, "founded_on"),
        "registered_capital": lambda v: fen_of_yuan(
            v, "registered_capital", max_yuan=MAX_CAPITAL_YUAN
        ),
        "division": lambda v: division_of(v),
    }
    return {key: cleaners[key](data.get(key)) for key in keys if key in data}


def _values(cleaned: dict) -> dict:
    """Cleaned input as model field values."""
    values = dict(cleaned)
    if "registered_capital" in values:
        values["registered_capital_fen"] = values.pop("registered_capital")
    return values


def _check_place(org: SocialOrganisation) -> None:
    if (org.latitude is None) != (org.longitude is None):
        raise SocialOrgError(
            _("请同时填写纬度和经度。"),
            code="required",
            field="longitude" if org.latitude is not None else "latitude",
        )


def _search_vector(org: SocialOrganisation):
    return org_search_vector(
        name=org.name,
        credit_code=org.credit_code,
        business_scope=org.business_scope,
        address=org.address,
        domain=org.domain,
    )


def orgs_reindex(*, queryset=None) -> int:
    """Recompute the search vectors of organisations written outside these services (the
    admin, demo data), or of every one after the segmentation rules changed (`manage.py
    socialorg_search_rebuild`). Idempotent."""
    queryset = SocialOrganisation.objects.all() if queryset is None else queryset
    done = 0
    with transaction.atomic():
        for org in queryset.order_by("pk").iterator(chunk_size=500):
            SocialOrganisation.objects.filter(pk=org.pk).update(search_vector=_search_vector(org))
            done += 1
    return done


def _notify_accounts(org: SocialOrganisation, *, title: str, body: str = "", key: str) -> None:
    notify(
        recipients=list(org_accounts(org)),
        kind="socialorg_registry",
        title=title,
        body=body,
        link=f"/socialorgs/mine/{org.credit_code}/",
        dedupe_key=key,
    )


# --- Registration and edits -----------------------------------------------------------------------


def org_register(*, official: User, data: dict, request=None) -> SocialOrganisation:
    """A 民政 official covering the division registers an organisation in the registry."""
    require_civil_affairs(official)
    division = data.get("division")
    require_supervisor(official, division if isinstance(division, str) else "")
    kind = _choice(data.get("kind"), Kind.values, "kind", _("请选择组织类型。"))
    credit_code = credit_code_clean(data.get("credit_code"), kind)
    cleaned = _clean(data, ("division", *[k for k in EDITABLE if k != "division"]))
    for key in ("name", "domain", "authority", "legal_rep_name", "founded_on", "division"):
        if key not in cleaned:  # absent from the input altogether
            raise SocialOrgError(_("此项为必填项。"), code="required", field=key)
    org = SocialOrganisation(
        credit_code=credit_code, kind=kind, created_by=official, **_values(cleaned)
    )
    _check_place(org)
    if SocialOrganisation.objects.filter(credit_code=credit_code).exists():
        raise SocialOrgConflict(
            _("该统一社会信用代码已登记。"), code="credit_code_taken", field="credit_code"
        )
    org.search_vector = _search_vector(org)
    try:
        with transaction.atomic():
            org.save(force_insert=True)
            audit_record(
                actor=official,
                action="socialorg.registered",
                target=org,
                detail={"credit_code": credit_code, "division": org.division_id},
                request=request,
            )
    except IntegrityError:
        raise SocialOrgConflict(
            _("该统一社会信用代码已登记。"), code="credit_code_taken", field="credit_code"
        ) from None
    org.refresh_from_db()
    return org


def org_update(
    *, organisation: SocialOrganisation, official: User, data: dict, request=None
) -> SocialOrganisation:
    """The official edits the record (partially). The credit code and the kind are what was
    registered and stay; moving the organisation to another division needs coverage of both."""
    require_supervisor(official, organisation.division_id)
    for fixed in ("credit_code", "kind"):
        if fixed in data and data[fixed] != getattr(organisation, fixed):
            raise SocialOrgError(
                _("统一社会信用代码和组织类型登记后不能修改。"), code="immutable", field=fixed
            )
    new_division = data.get("division")
    if "division" in data and new_division != organisation.division_id:
        require_supervisor(official, new_division if isinstance(new_division, str) else "")
    cleaned = _values(_clean(data, EDITABLE))
    with transaction.atomic():
        org = SocialOrganisation.objects.select_for_update().get(pk=organisation.pk)
        changed = {k: str(v) for k, v in cleaned.items() if getattr(org, k) != v}
        for key, value in cleaned.items():
            setattr(org, key, value)
        _check_place(org)
        _check_dates(org)
        if changed:
            org.search_vector = _search_vector(org)
            fields = [*cleaned, "search_vector", "updated_at"]
            org.save(update_fields=fields)
            detail = {"fields": sorted(changed)}
            audit_record(
                actor=official,
                action="socialorg.updated",
                target=org,
                detail=detail,
                request=request,
            )
    org.refresh_from_db()
    return org


def _check_dates(org: SocialOrganisation) -> None:
    founded = org.founded_on
    for field, label in (
        ("status_changed_on", _("状态变更日期")),
        ("charity_recognised_on", _("慈善组织认定日期")),
        ("fundraising_qualified_on", _("取得公开募捐资格日期")),
    ):
        value = getattr(org, field)
        if value is not None and value < founded:
            raise SocialOrgError(
                _("成立登记日期不能晚于%(label)s（%(date)s）。") % {"label": label, "date": value},
                code="invalid_date",
                field="founded_on",
            )


# --- Status -----------------------------------------------------------------------------------


def org_status_change(
    *,
    organisation: SocialOrganisation,
    official: User,
    status: str,
    changed_on,
    reason: str,
    request=None,
) -> SocialOrganisation:
    """撤销 (revoked by the authority) or 注销 (deregistered) a normal organisation, dated and
    with a reason; its accounts are told. Its open fundraising projects close and the pending
    online pledges to its projects are cancelled in the same transaction (disbursing what was
    raised goes on)."""
    require_supervisor(official, organisation.division_id)
    status = _choice(
        status,
        (Status.REVOKED, Status.DEREGISTERED),
        "status",
        _("请选择变更后的状态：撤销或注销。"),
    )
    changed_on = date_input(changed_on, "changed_on")
    reason = required_text(reason, "reason", 300)
    with transaction.atomic():
        org = SocialOrganisation.objects.select_for_update().get(pk=organisation.pk)
        if org.status != Status.NORMAL:
            raise SocialOrgConflict(
                _("该组织已%(status)s，不能再变更状态。") % {"status": org.get_status_display()},
                code="invalid_transition",
            )
        if changed_on < org.founded_on:
            raise SocialOrgError(
                _("状态变更日期不能早于成立登记日期（%(date)s）。") % {"date": org.founded_on},
                code="before_founding",
                field="changed_on",
            )
        org.status, org.status_changed_on, org.status_reason = status, changed_on, reason
        org.save(update_fields=["status", "status_changed_on", "status_reason", "updated_at"])
        # Social work: its proposals waiting for residents are reopened and rematched.
        from socialorgs.services.socialwork import requests_reopen_for_organisation

        requests_reopen_for_organisation(organisation=org)
        # Charity: no more fundraising; its open projects close, pending pledges are cancelled.
        from socialorgs.services.charity.projects import (
            CLOSED_DEREGISTERED,
            CLOSED_REVOKED,
            projects_close_for_organisation,
        )

        projects_close_for_organisation(
            org,
            reason=CLOSED_REVOKED if status == Status.REVOKED else CLOSED_DEREGISTERED,
            actor=official,
        )
        audit_record(
            actor=official,
            action="socialorg.status_changed",
            target=org,
            detail={"status": status, "on": changed_on.isoformat(), "reason": reason},
            request=request,
        )
        _notify_accounts(
            org,
            title=_("社会组织“%(name)s”登记状态变更为：%(status)s")
            % {"name": org.name, "status": org.get_status_display()},
            body=reason,
            key=f"socialorg:{org.pk}:status:{status}",
        )
    return org


def org_charity_set(
    *,
    organisation: SocialOrganisation,
    official: User,
    is_charity: bool,
    charity_recognised_on=None,
    public_fundraising: bool = False,
    fundraising_qualified_on=None,
    request=None,
) -> SocialOrganisation:
    """Recognise (认定) the organisation as a 慈善组织, and grant or withdraw its 公开募捐资格;
    only a charity can hold the qualification (the database refuses it too). Without the
    qualification its open fundraising projects close and the pending online pledges to its
    projects are cancelled, in the same transaction."""
    require_supervisor(official, organisation.division_id)
    is_charity, public_fundraising = bool(is_charity), bool(public_fundraising)
    if public_fundraising and not is_charity:
        raise SocialOrgError(
            _("只有慈善组织可以取得公开募捐资格。"),
            code="fundraising_needs_charity",
            field="public_fundraising",
        )
    recognised = date_input(charity_recognised_on, "charity_recognised_on", required=is_charity)
    qualified = date_input(
        fundraising_qualified_on, "fundraising_qualified_on", required=public_fundraising
    )
    with transaction.atomic():
        org = SocialOrganisation.objects.select_for_update().get(pk=organisation.pk)
        if (is_charity or public_fundraising) and org.status != Status.NORMAL:
            raise SocialOrgConflict(
                _("该组织已%(status)s，不能认定为慈善组织。")
                % {"status": org.get_status_display()},
                code="not_active",
            )
        if recognised is not None and recognised < org.founded_on:
            raise SocialOrgError(
                _("认定日期不能早于成立登记日期（%(date)s）。") % {"date": org.founded_on},
                code="before_founding",
                field="charity_recognised_on",
            )
        if qualified is not None and recognised is not None and qualified < recognised:
            raise SocialOrgError(
                _("取得公开募捐资格的日期不能早于慈善组织认定日期。"),
                code="before_recognition",
                field="fundraising_qualified_on",
            )
        org.is_charity = is_charity
        org.charity_recognised_on = recognised if is_charity else None
        org.public_fundraising = public_fundraising
        org.fundraising_qualified_on = qualified if public_fundraising else None
        org.save(
            update_fields=[
                "is_charity",
                "charity_recognised_on",
                "public_fundraising",
                "fundraising_qualified_on",
                "updated_at",
            ]
        )
        if not public_fundraising:
            # Charity: without 公开募捐资格 its open projects close, pending pledges cancelled.
            from socialorgs.services.charity.projects import (
                CLOSED_NO_QUALIFICATION,
                projects_close_for_organisation,
            )

            projects_close_for_organisation(org, reason=CLOSED_NO_QUALIFICATION, actor=official)
        audit_record(
            actor=official,
            action="socialorg.charity_set",
            target=org,
            detail={"is_charity": is_charity, "public_fundraising": public_fundraising},
            request=request,
        )
    return org


# --- Accounts ---------------------------------------------------------------------------------


def _account_user(phone) -> User:
    phone = check_input(normalize_mobile, phone if isinstance(phone, str) else "", "phone")
    user = User.objects.filter(phone=phone, is_active=True).first()
    if user is None or user.role not in ACCOUNT_USER_ROLES:
        raise SocialOrgError(
            _("没有找到使用该手机号码注册的居民或机构人员账户。"),
            code="unknown_user",
            field="phone",
        )
    return user


def org_owner_bind(
    *, organisation: SocialOrganisation, official: User, phone, request=None
) -> OrgMembership:
    """The registering official binds the organisation's first owner (负责人) account, found
    by its mobile number; later accounts are added by that owner."""
    require_supervisor(official, organisation.division_id)
    user = _account_user(phone)
    with transaction.atomic():
        org = SocialOrganisation.objects.select_for_update().get(pk=organisation.pk)
        if org.memberships.filter(role=OrgMembership.Role.OWNER).exists():
            raise SocialOrgConflict(
                _("该组织已有负责人账号，其他账号由负责人添加。"), code="owner_exists"
            )
        membership, _created = OrgMembership.objects.update_or_create(
            organisation=org, user=user, defaults={"role": OrgMembership.Role.OWNER}
        )
        audit_record(
            actor=official,
            action="socialorg.owner_bound",
            target=org,
            subject=user,
            request=request,
        )
        notify(
            recipients=[user],
            kind="socialorg_registry",
            title=_("您已成为社会组织“%(name)s”的负责人账号。") % {"name": org.name},
            link="/socialorgs/mine/",
            dedupe_key=f"socialorg:{org.pk}:owner:{user.pk}",
        )
    return membership


def org_member_add(
    *, organisation: SocialOrganisation, actor: User, phone, role: str = OrgMembership.Role.MEMBER
) -> OrgMembership:
    """The owner adds a signed-up person (by mobile number) as a manager or member."""
    require_org_owner(actor, organisation)
    role = _choice(
        role,
        (OrgMembership.Role.MANAGER, OrgMembership.Role.MEMBER),
        "role",
        _("只能添加管理员或工作人员。"),
    )
    user = _account_user(phone)
    try:
        with transaction.atomic():
            membership = OrgMembership.objects.create(
                organisation=organisation, user=user, role=role
            )
            audit_record(
                actor=actor,
                action="socialorg.member_added",
                target=organisation,
                subject=user,
                detail={"role": role},
            )
    except IntegrityError:
        raise SocialOrgConflict(
            _("该用户已是本组织的账号。"), code="already_member", field="phone"
        ) from None
    return membership


# --- The legal representative's name -------------------------------------------------------------


def legal_rep_reveal(*, organisation: SocialOrganisation, actor: User, request=None) -> str:
    """The legal representative's full name for the 民政 official covering the organisation
    (the registration authority needs it), on an explicit request that is audit-logged;
    everywhere else it is masked (张*明)."""
    require_supervisor(actor, organisation.division_id)
    audit_personal_data_read(
        viewer=actor,
        subject=None,
        target=organisation,
        fields=["legal_representative"],
        purpose=LEGAL_REP_PURPOSE,
        request=request,
    )
    return organisation.legal_rep_name
