"""Read paths for accounts and divisions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

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


def accounts_due_for_purge(*, now: dt.datetime | None = None) -> QuerySet[User]:
    """Closed accounts whose retention period is over and whose kept records are not yet
    pseudonymised (the nightly purge's work list)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.ACCOUNT_RETENTION_DAYS)
    return User.objects.filter(
        erased_at__isnull=False, erased_at__lte=cutoff, retention_purged_at__isnull=True
    ).order_by("erased_at", "pk")


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
