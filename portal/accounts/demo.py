"""Demo accounts: one persona per role (see README for the phone numbers and password)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from portal.accounts.models import Consent, Division, User
from portal.accounts.services import divisions_load

# phone, name, role, jurisdiction, department
PERSONAS = [
    ("13800000000", "平台管理员", User.Role.ADMIN, None, ""),
    ("13800000001", "王芳", User.Role.RESIDENT, None, ""),
    ("13800000002", "李娜", User.Role.RESIDENT, None, ""),
    ("13700000001", "赵敏", User.Role.OFFICIAL, "510107", User.Department.CIVIL_AFFAIRS),
    ("13700000002", "孙丽", User.Role.OFFICIAL, "510104", User.Department.HEALTH),
    ("13700000003", "周强", User.Role.OFFICIAL, "510100", User.Department.CIVIL_AFFAIRS),
]


def ensure_user(
    phone: str, name: str, role: str, jurisdiction: str | None = None, department: str = ""
) -> User:
    """Create the persona once; an existing account is left as it is (password included)."""
    user = User.objects.filter(phone=f"+86{phone}").first()
    if user is not None:
        return user
    user = User.objects.create_user(
        phone,
        settings.DEMO_PASSWORD,
        name=name,
        role=role,
        jurisdiction=Division.objects.get(code=jurisdiction) if jurisdiction else None,
        department=department,
        is_staff=role == User.Role.ADMIN,
        is_superuser=role == User.Role.ADMIN,
    )
    if role == User.Role.RESIDENT:
        Consent.objects.create(
            user=user,
            document=Consent.Document.PRIVACY_NOTICE,
            version=settings.PRIVACY_NOTICE_VERSION,
        )
    return user


def seed(*, scale: int, log: Callable[[str], object], minimal: bool = False) -> None:
    divisions_load()  # normally there from the migration; a flushed test database lacks them
    for persona in PERSONAS:
        ensure_user(*persona)
    log(f"accounts: {len(PERSONAS)} demo personas")
