"""Write paths for accounts: signup, consent, preferences, tokens and erasure."""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from pathlib import Path

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from portal.accounts import personal_data
from portal.accounts.models import Consent, Division, User
from portal.audit.models import AuditEntry
from portal.audit.services import audit_record
from portal.errors import DomainError
from portal.identifiers import normalize_mobile

ERASED_NAME = "已注销用户"


class AccountError(DomainError):
    """An account action was refused."""


DIVISIONS_CSV = Path(__file__).resolve().parent / "data" / "divisions.csv"


def divisions_load(*, path: Path = DIVISIONS_CSV) -> int:
    """Load (or refresh) the reference divisions from the CSV the first migration also reads.

    Idempotent; parents precede children in the file. Returns the number of rows loaded.
    """
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with transaction.atomic():
        for row in rows:
            Division.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "level": row["level"],
                    "parent_id": row["parent"] or None,
                    "latitude": row["latitude"],
                    "longitude": row["longitude"],
                },
            )
    return len(rows)


def _normalized_phone(phone: str) -> str:
    try:
        return normalize_mobile(phone)
    except ValidationError as exc:
        raise AccountError(exc.messages[0], code="invalid_phone", field="phone") from None


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages), code="weak_password", field="password") from None


def user_signup(
    *,
    phone: str,
    name: str,
    password: str,
    email: str = "",
    consent_version: str,
    role: str = User.Role.RESIDENT,
    request=None,
) -> User:
    """Create a self-registered account (a resident, or the first person of a provider
    organisation) together with their consent to the privacy notice."""
    if role not in (User.Role.RESIDENT, User.Role.PROVIDER_STAFF):
        raise AccountError(_("该角色不能自助注册。"), code="role_not_allowed", field="role")
    phone = _normalized_phone(phone)
    name = (name or "").strip()
    if not name:
        raise AccountError(_("请填写姓名。"), code="required", field="name")
    if consent_version != settings.PRIVACY_NOTICE_VERSION:
        raise AccountError(
            _("请阅读并同意当前版本的个人信息保护政策。"), code="consent_required", field="consent"
        )
    candidate = User(phone=phone, name=name, email=email)
    _check_password(password, candidate)
    try:
        with transaction.atomic():
            user = User.objects.create_user(phone, password, name=name, email=email, role=role)
            Consent.objects.create(
                user=user, document=Consent.Document.PRIVACY_NOTICE, version=consent_version
            )
            audit_record(actor=user, action="account.signup", target=user, request=request)
    except IntegrityError:
        raise AccountError(
            _("该手机号码已注册，请直接登录或找回密码。"), code="phone_taken", field="phone"
        ) from None
    return user


def official_create(
    *, phone: str, name: str, password: str | None, jurisdiction_code: str, department: str
) -> User:
    """Create an official of a department with a jurisdiction (used by admins and the demo)."""
    jurisdiction = Division.objects.filter(code=jurisdiction_code).first()
    if jurisdiction is None:
        raise AccountError(
            _("未知的行政区划代码：%(code)s") % {"code": jurisdiction_code},
            code="unknown_division",
            field="jurisdiction",
        )
    if department not in User.Department.values:
        raise AccountError(_("未知的部门。"), code="unknown_department", field="department")
    return User.objects.create_user(
        _normalized_phone(phone),
        password,
        name=name,
        role=User.Role.OFFICIAL,
        jurisdiction=jurisdiction,
        department=department,
    )


def user_set_elder_mode(*, user: User, enabled: bool) -> None:
    if user.elder_mode != enabled:
        user.elder_mode = enabled
        user.save(update_fields=["elder_mode"])


def user_update_profile(
    *,
    user: User,
    name: str | None = None,
    email: str | None = None,
    elder_mode: bool | None = None,
    notify_by_email: bool | None = None,
) -> User:
    changed = []
    if notify_by_email is not None:
        user.notify_by_email = notify_by_email
        changed.append("notify_by_email")
    if name is not None:
        if not name.strip():
            raise AccountError(_("请填写姓名。"), code="required", field="name")
        user.name = name.strip()
        changed.append("name")
    if email is not None:
        user.email = email
        changed.append("email")
    if elder_mode is not None:
        user.elder_mode = elder_mode
        changed.append("elder_mode")
    if changed:
        user.save(update_fields=changed)
    return user


def user_password_changed(*, user: User, request=None) -> None:
    """After a password change or reset, API tokens issued under the old password stop working."""
    Token.objects.filter(user=user).delete()
    audit_record(actor=user, action="account.password_changed", target=user, request=request)


def token_issue(*, user: User) -> Token:
    token, _created = Token.objects.get_or_create(user=user)
    return token


def user_erase(*, user: User, password: str, request=None) -> None:
    """Erase a resident's personal data at their request and close the account.

    Every app erases or pseudonymises its own rows (registered erasers); the user row stays as a
    pseudonym so bookings and statistics keep their shape without pointing at a person.

    Closing erases at once (PIPL art. 47: the person withdrew, the purpose is gone). What the
    portal must keep for a while is kept pseudonymously linked to the closed account: complaint
    cases (supervision, credit records and their appeals) and the audit trail of who read the
    person's data (so a later question about a read can still be answered).
    account_retention_purge() pseudonymises those after ACCOUNT_RETENTION_DAYS.
    """
    if user.erased_at is not None:
        raise AccountError(_("该账户已注销。"), code="already_erased")
    if user.role != User.Role.RESIDENT:
        # Staff and officials leave through their organisation: their actions stay attributable.
        raise AccountError(_("只有居民账户可以自助注销。"), code="not_resident")
    if not user.check_password(password):
        raise AccountError(_("密码不正确。"), code="wrong_password", field="password")
    with transaction.atomic():
        personal_data.erase_for(user)
        Token.objects.filter(user=user).delete()
        # Login records name the phone number and where the person logged in from.
        AccessAttempt.objects.filter(username=user.phone).delete()
        AccessLog.objects.filter(username=user.phone).delete()
        AccessFailureLog.objects.filter(username=user.phone).delete()
        AuditEntry.objects.filter(Q(actor=user) | Q(subject=user)).update(ip_address=None)
        user.phone = f"erased:{uuid.uuid4().hex[:24]}"
        user.name = ERASED_NAME
        user.email = ""
        user.elder_mode = False
        user.is_active = False
        user.erased_at = timezone.now()
        user.set_unusable_password()
        user.save()
        audit_record(actor=None, action="account.erased", target=user)


def account_retention_purge(*, user_id: int, now: dt.datetime | None = None) -> bool:
    """Pseudonymise what was kept about one closed account once its retention period is over,
    in one transaction: every app's registered purger, then the audit trail (the entries no
    longer point at the account, as subject or actor). Returns False when there is nothing to
    do (not closed, not yet due, already done, or another worker holds it), so a second run
    changes nothing."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.ACCOUNT_RETENTION_DAYS)
    with transaction.atomic():
        user = (
            User.objects.select_for_update(skip_locked=True)
            .filter(
                pk=user_id,
                erased_at__isnull=False,
                erased_at__lte=cutoff,
                retention_purged_at__isnull=True,
            )
            .first()
        )
        if user is None:
            return False
        personal_data.purge_for(user)
        AuditEntry.objects.filter(subject=user).update(subject=None, ip_address=None)
        AuditEntry.objects.filter(actor=user).update(actor=None, ip_address=None)
        user.retention_purged_at = now
        user.save(update_fields=["retention_purged_at"])
        audit_record(
            actor=None,
            action="account.retention_purged",
            target=user,
            detail={"retention_days": settings.ACCOUNT_RETENTION_DAYS},
        )
    return True
