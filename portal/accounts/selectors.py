"""Read paths for accounts and divisions."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.accounts import personal_data
from portal.accounts.models import Division, User, division_prefix


def division_list(*, level: str | None = None, within: str | None = None) -> QuerySet[Division]:
    qs = Division.objects.all()
    if level:
        qs = qs.filter(level=level)
    if within:
        qs = qs.filter(code__startswith=division_prefix(within))
    return qs


def division_get(*, code: str) -> Division | None:
    return Division.objects.filter(code=code).first()


def personal_data_export(*, user: User) -> dict:
    """Everything the portal holds about this person, across apps."""
    return personal_data.export_for(user)


# --- Open data ---------------------------------------------------------------------------------


def person_names() -> set[str]:
    """Every user's real name, whatever their role (the open-data gate searches release files
    for them; nothing of the accounts app is published itself). An erased account keeps only
    a placeholder (已注销用户), which is no one's name."""
    names = User.objects.filter(erased_at__isnull=True).values_list("name", flat=True).distinct()
    return {name.strip() for name in names if name and name.strip()}
