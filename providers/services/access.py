"""Who may change an organisation: its owner for the profile, licences and submission; any
member for branches and staff records. Services call these before writing."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.accounts.permissions import is_staff_of
from providers.errors import NotAllowed


def require_member(actor, provider) -> None:
    if not is_staff_of(actor, provider.pk):
        raise NotAllowed(_("您不是该服务机构的工作人员。"))


def require_owner(actor, provider) -> None:
    if not is_staff_of(actor, provider.pk, owner=True):
        raise NotAllowed(_("只有机构负责人可以进行此操作。"), code="owner_only")
