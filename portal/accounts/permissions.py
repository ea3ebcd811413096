"""The permission layer every app uses: roles, provider membership and jurisdiction.

Objects that belong to a place expose `jurisdiction_code` (a division code); objects that belong
to a provider organisation expose `owning_provider_id`. Provider membership rows are reached
through `user.provider_memberships` (related name owned by the providers app).

Two forms of each rule: DRF permission classes for the API and mixins for page views.
"""

from __future__ import annotations

from django.contrib.auth.mixins import AccessMixin
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from portal.accounts.models import User, division_prefix

# --- Predicates ---------------------------------------------------------------------------------


def is_resident(user) -> bool:
    return bool(user and user.is_authenticated and user.role == User.Role.RESIDENT)


def is_official(user) -> bool:
    return bool(user and user.is_authenticated and user.role == User.Role.OFFICIAL)


def is_provider_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.role == User.Role.PROVIDER_STAFF)


def is_platform_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.role == User.Role.ADMIN)


def staff_provider_ids(user) -> set:
    """Ids of the provider organisations this user works for (empty for other roles)."""
    if not is_provider_staff(user):
        return set()
    return set(user.provider_memberships.values_list("provider_id", flat=True))


def is_staff_of(user, provider_id, *, owner: bool = False) -> bool:
    if not is_provider_staff(user) or provider_id is None:
        return False
    memberships = user.provider_memberships.filter(provider_id=provider_id)
    if owner:
        memberships = memberships.filter(role="owner")
    return memberships.exists()


def official_covers(user, division_code: str | None) -> bool:
    """True when the user is an official whose jurisdiction contains the division."""
    return is_official(user) and user.covers(division_code or "")


def in_jurisdiction(queryset: QuerySet, user, *, field: str = "division") -> QuerySet:
    """Narrow a queryset to rows whose division (`field`, a foreign key to Division) lies inside the
    official's jurisdiction.

    Anyone else gets nothing: callers that also serve other roles combine querysets themselves.
    """
    if not is_official(user):
        return queryset.none()
    return queryset.filter(**{f"{field}__code__startswith": division_prefix(user.jurisdiction_id)})


# --- DRF permission classes -------------------------------------------------------------------


class IsResident(BasePermission):
    message = _("仅居民用户可以进行此操作。")

    def has_permission(self, request, view) -> bool:
        return is_resident(request.user)


class IsOfficial(BasePermission):
    message = _("仅监管人员可以进行此操作。")

    def has_permission(self, request, view) -> bool:
        return is_official(request.user)


class IsProviderStaff(BasePermission):
    message = _("仅服务机构人员可以进行此操作。")

    def has_permission(self, request, view) -> bool:
        return is_provider_staff(request.user)


class IsPlatformAdmin(BasePermission):
    message = _("仅平台管理员可以进行此操作。")

    def has_permission(self, request, view) -> bool:
        return is_platform_admin(request.user)


class IsStaffOfProvider(BasePermission):
    """Object permission: the object's `owning_provider_id` is one the user works for."""

    message = _("您不是该服务机构的工作人员。")

    def has_permission(self, request, view) -> bool:
        return is_provider_staff(request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        return is_staff_of(request.user, getattr(obj, "owning_provider_id", None))


class IsOfficialInJurisdiction(BasePermission):
    """Object permission: the object's `jurisdiction_code` lies in the official's jurisdiction."""

    message = _("该对象不在您的管辖区域内。")

    def has_permission(self, request, view) -> bool:
        return is_official(request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        return official_covers(request.user, getattr(obj, "jurisdiction_code", None))


# --- Page view mixins ---------------------------------------------------------------------------


class RoleRequiredMixin(AccessMixin):
    """Anonymous visitors go to the login page; signed-in users without the role get 403.

    Subclasses name the rule in `role_predicate`; the default admits nobody.
    """

    role_predicate = staticmethod(lambda user: False)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.role_predicate(request.user):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class ResidentRequiredMixin(RoleRequiredMixin):
    role_predicate = staticmethod(is_resident)


class OfficialRequiredMixin(RoleRequiredMixin):
    role_predicate = staticmethod(is_official)


class ProviderStaffRequiredMixin(RoleRequiredMixin):
    role_predicate = staticmethod(is_provider_staff)


class ObjectRuleMixin:
    """For detail views: an object the user may not see does not exist for them (404).

    `object_predicate(user, obj)` states the rule; the default admits nothing.
    """

    object_predicate = staticmethod(lambda user, obj: False)

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not self.object_predicate(self.request.user, obj):
            raise Http404
        return obj


class StaffOfProviderObjectMixin(ProviderStaffRequiredMixin, ObjectRuleMixin):
    """The object belongs to a provider the user works for (`obj.owning_provider_id`)."""

    object_predicate = staticmethod(
        lambda user, obj: is_staff_of(user, getattr(obj, "owning_provider_id", None))
    )


class OfficialInJurisdictionObjectMixin(OfficialRequiredMixin, ObjectRuleMixin):
    """The object lies in the official's jurisdiction (`obj.jurisdiction_code`)."""

    object_predicate = staticmethod(
        lambda user, obj: official_covers(user, getattr(obj, "jurisdiction_code", None))
    )
