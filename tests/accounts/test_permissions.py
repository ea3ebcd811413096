import pytest
from django.urls import reverse

from portal.accounts.models import Division, division_contains, division_prefix
from portal.accounts.permissions import in_jurisdiction, is_staff_of, official_covers
from providers.models import Provider

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("outer", "inner", "contained"),
    [
        ("510000", "510107", True),  # 四川省 ⊃ 武侯区
        ("510100", "510107", True),  # 成都市 ⊃ 武侯区
        ("510107", "510107", True),
        ("510107", "510107001", True),  # a street of 武侯区
        ("510107", "510104", False),  # 武侯区 ⊅ 锦江区
        ("510100", "510300", False),  # 成都市 ⊅ 自贡市
        ("510107", "", False),
        ("", "510107", False),
    ],
)
def test_jurisdiction_containment_is_a_code_prefix(outer, inner, contained):
    assert division_contains(outer, inner) is contained


def test_prefixes_follow_the_level_of_the_code():
    assert [division_prefix(c) for c in ("510000", "510100", "510107")] == ["51", "5101", "510107"]


def test_the_real_divisions_of_chengdu_are_loaded():
    chengdu = Division.objects.get(code="510100")
    assert chengdu.name == "成都市"
    assert chengdu.parent.name == "四川省"
    counties = Division.objects.filter(parent=chengdu)
    assert counties.count() == 20  # 12 districts, 3 counties, 5 county-level cities
    assert Division.objects.get(code="510107").name == "武侯区"
    assert Division.objects.get(code="510118").name == "新津区"


def test_an_official_covers_only_their_jurisdiction(official_wuhou, official_city, wang_fang):
    assert official_covers(official_wuhou, "510107")
    assert not official_covers(official_wuhou, "510104")
    assert official_covers(official_city, "510104")
    assert not official_covers(wang_fang, "510107")  # residents have no jurisdiction


def test_in_jurisdiction_narrows_querysets(official_wuhou, provider_a, provider_b, wang_fang):
    assert list(in_jurisdiction(Provider.objects.all(), official_wuhou)) == [provider_a]
    assert not in_jurisdiction(Provider.objects.all(), wang_fang).exists()


def test_staff_membership_is_per_provider(staff_a, provider_a, provider_b, wang_fang):
    assert is_staff_of(staff_a, provider_a.pk)
    assert not is_staff_of(staff_a, provider_b.pk)
    assert not is_staff_of(wang_fang, provider_a.pk)


@pytest.mark.parametrize("url_name", ["workbench-official", "providers:official-list"])
def test_a_resident_cannot_reach_official_pages(client, wang_fang, url_name):
    client.force_login(wang_fang)
    assert client.get(reverse(url_name)).status_code == 403


def test_a_provider_cannot_reach_official_pages(client, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("workbench-official")).status_code == 403


def test_a_resident_cannot_reach_the_provider_workbench(client, wang_fang):
    client.force_login(wang_fang)
    assert client.get(reverse("workbench-provider")).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(reverse("workbench-official"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_an_official_sees_a_provider_in_their_jurisdiction(client, official_wuhou, provider_a):
    client.force_login(official_wuhou)
    response = client.get(reverse("providers:official-detail", args=[provider_a.pk]))
    assert response.status_code == 200
    assert provider_a.name in response.content.decode()


def test_an_official_cannot_open_a_provider_outside_their_jurisdiction(
    client, official_wuhou, provider_b
):
    client.force_login(official_wuhou)
    response = client.get(reverse("providers:official-detail", args=[provider_b.pk]))
    assert response.status_code == 404


def test_a_city_official_sees_every_district(client, official_city, provider_a, provider_b):
    client.force_login(official_city)
    page = client.get(reverse("providers:official-list")).content.decode()
    assert provider_a.name in page
    assert provider_b.name in page


def test_the_official_list_shows_only_the_jurisdiction(
    client, official_wuhou, provider_a, provider_b
):
    client.force_login(official_wuhou)
    page = client.get(reverse("providers:official-list")).content.decode()
    assert provider_a.name in page
    assert provider_b.name not in page


def test_the_official_list_runs_a_fixed_number_of_queries(
    client, official_city, django_assert_max_num_queries
):
    from tests.providers.factories import ProviderFactory

    ProviderFactory.create_batch(15, division_id="510105")
    client.force_login(official_city)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("providers:official-list")).status_code == 200


def test_the_api_hides_other_jurisdictions_from_an_official(
    api_client, official_wuhou, provider_a, provider_b
):
    api_client.force_authenticate(official_wuhou)
    listed = api_client.get("/api/v1/providers/").json()["results"]
    assert [p["id"] for p in listed] == [str(provider_a.pk)]
    outside = api_client.get(f"/api/v1/providers/{provider_b.pk}/")
    assert outside.status_code == 404
    assert outside.json()["code"] == "not_found"


def test_the_api_shows_staff_their_own_organisation_only(
    api_client, staff_b, provider_a, provider_b
):
    api_client.force_authenticate(staff_b)
    listed = api_client.get("/api/v1/providers/").json()["results"]
    assert [p["id"] for p in listed] == [str(provider_b.pk)]


def test_the_public_sees_only_approved_providers(api_client, provider_a, provider_b):
    provider_b.status = Provider.Status.SUBMITTED
    provider_b.save(update_fields=["status"])
    listed = api_client.get("/api/v1/providers/").json()["results"]
    assert [p["name"] for p in listed] == [provider_a.name]
