"""The permission layer, one line per persona: DRF classes and page mixins."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.views.generic import DetailView
from rest_framework.test import APIRequestFactory

from portal.accounts.permissions import (
    IsOfficial,
    IsOfficialInJurisdiction,
    IsPlatformAdmin,
    IsProviderStaff,
    IsResident,
    IsStaffOfProvider,
    OfficialInJurisdictionObjectMixin,
    ResidentRequiredMixin,
    StaffOfProviderObjectMixin,
)
from providers.models import Provider

pytestmark = pytest.mark.django_db


def _request(user):
    request = APIRequestFactory().get("/")
    request.user = user
    return request


PERSONAS = [
    "wang_fang",
    "staff_a",
    "staff_b",
    "official_wuhou",
    "official_jinjiang",
    "platform_admin",
]


@pytest.mark.parametrize(
    ("permission", "allowed"),
    [
        (IsResident, {"wang_fang"}),
        (IsProviderStaff, {"staff_a", "staff_b"}),
        (IsOfficial, {"official_wuhou", "official_jinjiang"}),
        (IsPlatformAdmin, {"platform_admin"}),
    ],
)
def test_role_classes_admit_exactly_their_role(request, permission, allowed):
    for persona in PERSONAS:
        user = request.getfixturevalue(persona)
        assert permission().has_permission(_request(user), None) is (persona in allowed), persona
    assert permission().has_permission(_request(AnonymousUser()), None) is False


def test_staff_of_provider_is_checked_per_object(staff_a, staff_b, provider_a):
    rule = IsStaffOfProvider()
    assert rule.has_object_permission(_request(staff_a), None, provider_a)
    assert not rule.has_object_permission(_request(staff_b), None, provider_a)


def test_official_in_jurisdiction_is_checked_per_object(
    official_wuhou, official_jinjiang, official_city, provider_a
):
    rule = IsOfficialInJurisdiction()
    assert rule.has_object_permission(_request(official_wuhou), None, provider_a)
    assert rule.has_object_permission(_request(official_city), None, provider_a)
    assert not rule.has_object_permission(_request(official_jinjiang), None, provider_a)
    street = SimpleNamespace(jurisdiction_code="510107001")
    assert rule.has_object_permission(_request(official_wuhou), None, street)


class _ProviderPage(DetailView):
    model = Provider

    def render_to_response(self, context, **kwargs):
        return HttpResponse("ok")


class _StaffPage(StaffOfProviderObjectMixin, _ProviderPage):
    pass


class _OfficialPage(OfficialInJurisdictionObjectMixin, _ProviderPage):
    pass


class _ResidentPage(ResidentRequiredMixin, DetailView):
    def get(self, request, *args, **kwargs):
        return HttpResponse("ok")


def _call(view, user, **kwargs):
    request = APIRequestFactory().get("/")
    request.user = user
    return view.as_view()(request, **kwargs)


def test_the_staff_page_mixin_shows_only_their_own_provider(staff_a, staff_b, provider_a):
    assert _call(_StaffPage, staff_a, pk=provider_a.pk).status_code == 200
    with pytest.raises(Http404):
        _call(_StaffPage, staff_b, pk=provider_a.pk)


def test_the_official_page_mixin_shows_only_their_jurisdiction(
    official_wuhou, official_jinjiang, provider_a
):
    assert _call(_OfficialPage, official_wuhou, pk=provider_a.pk).status_code == 200
    with pytest.raises(Http404):
        _call(_OfficialPage, official_jinjiang, pk=provider_a.pk)


def test_a_wrong_role_gets_403_and_an_anonymous_visitor_the_login_page(wang_fang, staff_a):
    from django.core.exceptions import PermissionDenied

    assert _call(_ResidentPage, wang_fang).status_code == 200
    with pytest.raises(PermissionDenied):
        _call(_ResidentPage, staff_a)
    assert _call(_ResidentPage, AnonymousUser()).status_code == 302
