"""Search in Chinese and pinyin, every filter narrowing, bad parameters named in a 400."""

import datetime as dt

import pytest
from django.utils import timezone

from portal.search import build_query, index_terms
from services.models import Category, Listing, Slot
from services.services.listings import listings_reindex
from services.services.visibility import listings_refresh_visibility
from tests.providers.factories import BranchFactory, LicenceFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def test_index_terms_hold_words_pinyin_and_initials():
    terms = index_terms("幸福养老院").split()
    assert {"幸福", "养老院", "xingfu", "xf", "xingfuyanglaoyuan", "xfyly"} <= set(terms)


def test_index_terms_hold_the_pinyin_of_word_runs_inside_a_phrase():
    terms = set(index_terms("周末陪伴老人服务").split())
    assert {"peibanlaorenfuwu", "pblrfw", "laorenfuwu"} <= terms
    assert "zhoumopeibanlaorenfuwu" in terms  # the whole phrase, as before


def test_an_empty_or_punctuation_query_searches_nothing():
    assert build_query("") is None
    assert build_query("，。！ ") is None


def _listing(
    provider_name,
    title,
    *,
    category="elder_meals",
    division="510107",
    lat="30.642000",
    lng="104.043200",
    domains=("eldercare",),
    licence="eldercare_filing",
    **extra,
):
    provider = ProviderFactory(name=provider_name, division_id=division, domains=list(domains))
    LicenceFactory(provider=provider, kind=licence)
    branch = BranchFactory(provider=provider, division_id=division, latitude=lat, longitude=lng)
    listing = Listing.objects.create(
        provider=provider,
        branch=branch,
        category=Category.objects.get(code=category),
        title=title,
        price_fen=extra.pop("price_fen", 1500),
        price_unit="visit",
        status="published",
        **extra,
    )
    return listing


@pytest.fixture
def city(db):
    """A few listings in 武侯区 and 锦江区, indexed."""
    listings = {
        "bath": _listing(
            "安康居家养老服务中心",
            "上门助浴服务",
            category="elder_bathing",
            delivery_mode="at_home",
            price_fen=6000,
            subsidies=["disability"],
        ),
        "meal": _listing("幸福养老院", "社区长者食堂午餐", price_fen=1500),
        "child": _listing(
            "小橡树托育中心",
            "全日托",
            category="child_full_day",
            division="510104",
            lat="30.598300",
            lng="104.117300",
            domains=("childcare",),
            licence="childcare_filing",
            price_fen=320000,
            age_min_months=18,
            age_max_months=36,
        ),
        "far": _listing(
            "彭州颐养院",
            "长者助餐",
            division="510182",
            lat="30.990200",
            lng="103.958200",
            price_fen=1200,
        ),
    }
    listings["bath"].service_divisions.add("510107", "510104")
    listings["meal"].branch.accessibility = ["step_free", "lift"]
    listings["meal"].branch.save()
    listings_reindex()
    listings_refresh_visibility()
    return listings


def _search(api_client, **params):
    response = api_client.get("/api/v1/search/", params)
    assert response.status_code == 200, response.json()
    return [r["id"] for r in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("助浴", {"bath"}),
        ("上门助浴", {"bath"}),
        ("xingfu", {"meal"}),
        ("xf", {"meal"}),
        ("xfyl", {"meal"}),
        ("幸福养老院", {"meal"}),
        ("居家养老", {"bath"}),
        ("养老服务", {"bath", "meal", "far"}),  # every eldercare listing is one
        ("托育", {"child"}),
        ("zhuyu", {"bath"}),
        ("午餐", {"meal"}),
        ("火锅", set()),
    ],
)
def test_chinese_and_pinyin_queries_find_the_right_listings(api_client, city, query, expected):
    assert set(_search(api_client, q=query)) == {city[k].pk for k in expected}


def test_a_renamed_provider_is_found_by_its_new_name(api_client, city, staff_a):
    from providers.models import Membership
    from providers.services.registration import provider_update

    provider = city["meal"].provider
    provider.status = "draft"
    provider.save()
    Membership.objects.create(user=staff_a, provider=provider, role="owner")
    from django.db import transaction

    with transaction.atomic():
        provider_update(provider=provider, actor=staff_a, name="长青颐养中心")
    listings_reindex(queryset=Listing.objects.filter(provider=provider))  # on_commit in tests
    provider.status = "approved"
    provider.save()
    assert set(_search(api_client, q="长青")) == {city["meal"].pk}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"domain": "childcare"}, {"child"}),
        ({"category": "elder_bathing"}, {"bath"}),
        ({"division": "510104"}, {"child", "bath"}),  # 助浴 goes home to 锦江区 too
        ({"division": "510182"}, {"far"}),
        ({"division": "510107001"}, {"bath"}),  # a street of 武侯区: home service covers it
        ({"lat": "30.642", "lng": "104.043", "radius_km": "3"}, {"bath", "meal"}),
        ({"price_min": "1300", "price_max": "7000"}, {"bath", "meal"}),
        ({"subsidy": "disability"}, {"bath"}),
        ({"delivery_mode": "at_home"}, {"bath"}),
        ({"accessibility": "lift"}, {"meal"}),
        ({"age_months": "24"}, {"bath", "meal", "far", "child"}),
        ({"age_months": "60"}, {"bath", "meal", "far"}),
    ],
)
def test_each_filter_narrows_the_results(api_client, city, params, expected):
    assert set(_search(api_client, **params)) == {city[k].pk for k in expected}


def test_the_free_slot_filter_keeps_listings_with_a_free_place_in_the_range(api_client, city):
    starts = timezone.now() + dt.timedelta(days=2)
    Slot.objects.create(
        listing=city["meal"],
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        capacity=1,
        remaining=1,
    )
    Slot.objects.create(
        listing=city["bath"],
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        capacity=1,
        remaining=0,
    )  # full
    day = timezone.localdate(starts)
    found = _search(api_client, free_from=day.isoformat(), free_to=day.isoformat())
    assert set(found) == {city["meal"].pk}


def test_distance_sorts_and_is_returned(api_client, city):
    response = api_client.get(
        "/api/v1/search/", {"lat": "30.99", "lng": "103.958", "sort": "distance"}
    ).json()
    assert response["results"][0]["id"] == city["far"].pk
    distances = [r["distance_km"] for r in response["results"]]
    assert distances == sorted(distances)
    assert distances[0] < 1


def test_price_sorts_both_ways(api_client, city):
    ascending = _search(api_client, sort="price")
    assert ascending[0] == city["far"].pk
    assert _search(api_client, sort="-price")[0] == city["child"].pk


def test_facets_count_the_matches(api_client, city):
    facets = api_client.get("/api/v1/search/").json()["facets"]
    domains = {f["value"]: f["count"] for f in facets["domain"]}
    assert domains == {"eldercare": 3, "childcare": 1}
    districts = {f["label"]: f["count"] for f in facets["district"]}
    assert districts == {"武侯区": 2, "锦江区": 1, "彭州市": 1}


def test_unapproved_providers_are_never_found(api_client, city):
    city["meal"].provider.status = "submitted"
    city["meal"].provider.save()
    listings_refresh_visibility(provider=city["meal"].provider)
    assert city["meal"].pk not in _search(api_client, q="幸福")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"domain": "pets"}, "domain"),
        ({"lat": "north", "lng": "104"}, "lat"),
        ({"lat": "95", "lng": "104"}, "lat"),
        ({"lat": "30.6"}, "lng"),
        ({"radius_km": "5"}, "radius_km"),
        ({"price_min": "500", "price_max": "100"}, "price_max"),
        ({"category": "nope"}, "category"),
        ({"division": "51"}, "division"),
        ({"free_from": "2026-12-01"}, "free_to"),
        ({"free_from": "2026-12-01", "free_to": "2026-11-01"}, "free_to"),
        ({"sort": "distance"}, "sort"),
        ({"sort": "stars"}, "sort"),
        ({"colour": "red"}, "colour"),
        ({"page": "x"}, "page"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(api_client, city, params, field):
    response = api_client.get("/api/v1/search/", params)
    assert response.status_code == 400
    assert field in response.json()["fields"], response.json()


def test_the_search_page_works_with_and_without_htmx(client, city):
    page = client.get("/search/", {"q": "助浴"})
    assert page.status_code == 200
    assert "上门助浴服务" in page.content.decode()
    bad = client.get("/search/", {"domain": "pets"})
    assert bad.status_code == 400
    assert "domain" in bad.content.decode()


def test_search_runs_a_fixed_number_of_queries(api_client, city, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert (
            api_client.get("/api/v1/search/", {"q": "养老", "division": "510107"}).status_code
            == 200
        )


def test_division_ancestors():
    from portal.accounts.models import division_ancestors

    assert division_ancestors("510107001") == ["510107", "510100", "510000"]
    assert division_ancestors("510107") == ["510100", "510000"]
    assert division_ancestors("510100") == ["510000"]


def test_distance_from_my_saved_address(api_client, wang_fang, daughter, provider_a):
    from tests.services.factories import AddressFactory, public_listing

    listing = public_listing(provider_a)
    branch = listing.branch
    near = AddressFactory(owner=wang_fang, latitude=branch.latitude, longitude=branch.longitude)
    api_client.force_authenticate(wang_fang)
    response = api_client.get("/api/v1/search/", {"address": near.pk, "radius_km": 1})
    assert response.status_code == 200
    found = {r["id"]: r["distance_km"] for r in response.data["results"]}
    assert found[listing.pk] < 0.01

    api_client.force_authenticate(daughter)  # not her address
    refused = api_client.get("/api/v1/search/", {"address": near.pk})
    assert refused.status_code == 400
    assert "address" in refused.data["fields"]
    both = api_client.get("/api/v1/search/", {"address": near.pk, "lat": 30.6, "lng": 104.0})
    assert both.status_code == 400
    assert "address" in both.data["fields"]


def test_a_repeated_search_is_served_from_the_cache_but_hidden_listings_never_show(
    api_client, provider_a, settings, django_assert_max_num_queries
):
    from django.core.cache import cache

    settings.SEARCH_CACHE_SECONDS = 60
    cache.clear()
    listing = _listing("幸福里养老服务中心", "上门助浴服务", category="elder_bathing")
    listings_reindex()
    listings_refresh_visibility()
    first = api_client.get("/api/v1/search/", {"q": "助浴"})
    assert [r["id"] for r in first.data["results"]] == [listing.pk]
    with django_assert_max_num_queries(2):  # the category check and the live rows
        again = api_client.get("/api/v1/search/", {"q": "助浴"})
    assert again.data["facets"] == first.data["facets"]

    Listing.objects.filter(pk=listing.pk).update(is_public=False)
    hidden = api_client.get("/api/v1/search/", {"q": "助浴"})
    assert hidden.data["results"] == []


def test_min_rating_and_the_rating_sort_use_the_residents_score(api_client):
    good = _listing("安康养老服务中心", "长者助餐（安康）")
    fair = _listing("乐龄养老服务中心", "长者助餐（乐龄）")
    unrated = _listing("夕阳红养老服务中心", "长者助餐（夕阳红）")
    listings_reindex()
    listings_refresh_visibility()
    Listing.objects.filter(pk=good.pk).update(quality_score=4.8, review_count=12)
    Listing.objects.filter(pk=fair.pk).update(quality_score=3.9, review_count=4)

    rated = api_client.get("/api/v1/search/", {"q": "助餐", "min_rating": 4.5})
    assert [r["id"] for r in rated.data["results"]] == [good.pk]
    ordered = api_client.get("/api/v1/search/", {"q": "助餐", "sort": "rating"})
    assert [r["id"] for r in ordered.data["results"]][:3] == [good.pk, fair.pk, unrated.pk]
    bad = api_client.get("/api/v1/search/", {"min_rating": 9})
    assert bad.status_code == 400
    assert "min_rating" in bad.data["fields"]


def test_the_residents_score_and_the_policy_are_in_the_listing_api(api_client):
    listing = _listing("安康养老服务中心", "长者助餐（安康）")
    listings_refresh_visibility()
    Listing.objects.filter(pk=listing.pk).update(quality_score=4.25, review_count=8)
    data = api_client.get(f"/api/v1/listings/{listing.pk}/").data
    assert (data["quality_score"], data["review_count"]) == (4.25, 8)
    assert data["free_cancel_hours"] == 24
