"""Listings: creation rules, cross-provider denial (page and API), bulk writes, visibility."""

import datetime as dt

import pytest
from django.urls import reverse

from portal.notifications.models import Notification
from providers.models import Provider
from providers.services.licences import licences_notify_expiring
from services.models import Listing, Slot
from services.services import listings
from services.services.visibility import listings_refresh_visibility
from tests.providers.factories import BranchFactory, LicenceFactory
from tests.services.factories import ListingFactory, RuleFactory, licensed_listing

pytestmark = pytest.mark.django_db


def _data(branch, **extra):
    return {
        "branch": branch.pk,
        "category": "elder_meals",
        "title": "长者午餐",
        "price_fen": 1500,
        "price_unit": "visit",
        **extra,
    }


def test_a_member_creates_a_listing_with_search_text(provider_a, colleague_a):
    branch = BranchFactory(provider=provider_a)
    listing = listings.listing_create(provider=provider_a, actor=colleague_a, data=_data(branch))
    assert listing.status == Listing.Status.DRAFT
    assert "长者午餐" in listing.search_text
    assert provider_a.name in listing.search_text
    assert "助餐" in listing.search_text


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"category": "child_full_day"}, "category"),  # provider A has no childcare domain
        ({"category": "nope"}, "category"),
        ({"price_fen": -1}, "price_fen"),
        ({"price_unit": "year"}, "price_unit"),
        ({"delivery_mode": "at_home"}, "service_divisions"),
        ({"age_min_months": 36, "age_max_months": 12}, "age_max_months"),
        ({"title": "  "}, "title"),
    ],
)
def test_bad_listings_are_refused_with_the_field_named(provider_a, staff_a, extra, field):
    branch = BranchFactory(provider=provider_a)
    with pytest.raises(listings.ListingError) as exc:
        listings.listing_create(provider=provider_a, actor=staff_a, data=_data(branch, **extra))
    assert exc.value.field == field
    assert not Listing.objects.exists()


def test_a_branch_of_another_provider_cannot_be_used(provider_a, provider_b, staff_a):
    foreign = BranchFactory(provider=provider_b)
    with pytest.raises(listings.ListingError) as exc:
        listings.listing_create(provider=provider_a, actor=staff_a, data=_data(foreign))
    assert exc.value.field == "branch"


def test_staff_of_b_cannot_touch_as_listings_by_page(client, provider_a, staff_b):
    listing = ListingFactory(branch__provider=provider_a)
    client.force_login(staff_b)
    for name in ("services:listing-edit", "services:schedule"):
        assert client.get(reverse(name, args=[listing.pk])).status_code == 404
    response = client.post(
        reverse("services:listing-status", args=[listing.pk]), {"status": "paused"}
    )
    assert response.status_code == 404
    assert client.get(reverse("services:staff-listings", args=[provider_a.pk])).status_code == 404
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PUBLISHED


def test_staff_of_b_cannot_touch_as_listings_by_api(api_client, provider_a, staff_b):
    listing = ListingFactory(branch__provider=provider_a)
    api_client.force_authenticate(staff_b)
    rules = {
        "rules": [
            {"weekday": 0, "start": "09:00", "end": "10:00", "slot_minutes": 60, "capacity": 1}
        ]
    }
    assert (
        api_client.put(f"/api/v1/listings/{listing.pk}/schedule/", rules, format="json").status_code
        == 404
    )
    assert (
        api_client.post(
            f"/api/v1/listings/{listing.pk}/status/", {"status": "paused"}, format="json"
        ).status_code
        == 404
    )
    assert api_client.get(f"/api/v1/providers/{provider_a.pk}/listings/").status_code == 404
    bulk = api_client.post(
        f"/api/v1/providers/{provider_a.pk}/listings/bulk/",
        {
            "items": [
                {
                    "id": listing.pk,
                    "branch": listing.branch_id,
                    "category": "elder_meals",
                    "title": "x",
                    "price_fen": 1,
                    "price_unit": "visit",
                }
            ]
        },
        format="json",
    )
    assert bulk.status_code == 404
    listing.refresh_from_db()
    assert listing.title != "x"


def test_residents_and_officials_get_403_on_provider_apis(
    api_client, provider_a, wang_fang, official_wuhou
):
    for user in (wang_fang, official_wuhou):
        api_client.force_authenticate(user)
        assert api_client.get(f"/api/v1/providers/{provider_a.pk}/listings/").status_code == 403


def test_bulk_upsert_is_all_or_nothing_with_per_item_errors(api_client, provider_a, staff_a):
    branch = BranchFactory(provider=provider_a)
    existing = ListingFactory(branch=branch, title="旧标题")
    api_client.force_authenticate(staff_a)
    items = [
        {
            "branch": branch.pk,
            "category": "elder_meals",
            "title": "早餐",
            "price_fen": 800,
            "price_unit": "visit",
        },
        {
            "id": existing.pk,
            "branch": branch.pk,
            "category": "elder_meals",
            "title": "新标题",
            "price_fen": 900,
            "price_unit": "visit",
        },
        {
            "branch": branch.pk,
            "category": "child_full_day",
            "title": "托育",
            "price_fen": 1,
            "price_unit": "month",
        },
    ]

    response = api_client.post(
        f"/api/v1/providers/{provider_a.pk}/listings/bulk/", {"items": items}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "bulk_invalid"
    assert list(body["fields"]["items"]) == ["2"]
    assert "category" in body["fields"]["items"]["2"]
    assert Listing.objects.count() == 1
    existing.refresh_from_db()
    assert existing.title == "旧标题"  # nothing half-written

    items.pop()
    response = api_client.post(
        f"/api/v1/providers/{provider_a.pk}/listings/bulk/", {"items": items}, format="json"
    )
    assert response.status_code == 200
    assert Listing.objects.count() == 2
    existing.refresh_from_db()
    assert existing.title == "新标题"


def test_bulk_serializer_errors_point_at_the_item(api_client, provider_a, staff_a):
    api_client.force_authenticate(staff_a)
    response = api_client.post(
        f"/api/v1/providers/{provider_a.pk}/listings/bulk/",
        {"items": [{"title": "x"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["items"]["0"] == {"branch": ["此项为必填项。"]}


def test_schedule_bulk_is_all_or_nothing(api_client, provider_a, staff_a):
    one = ListingFactory(branch__provider=provider_a)
    two = ListingFactory(branch=one.branch)
    api_client.force_authenticate(staff_a)
    good = [{"weekday": 0, "start": "09:00", "end": "11:00", "slot_minutes": 60, "capacity": 1}]
    bad = [{"weekday": 0, "start": "11:00", "end": "09:00", "slot_minutes": 60, "capacity": 1}]

    response = api_client.post(
        f"/api/v1/providers/{provider_a.pk}/schedules/bulk/",
        {"items": [{"listing": one.pk, "rules": good}, {"listing": two.pk, "rules": bad}]},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]["items"]) == ["1"]
    assert not one.rules.exists()
    assert not Slot.objects.exists()


def test_publishing_needs_a_schedule(provider_a, staff_a):
    listing = ListingFactory(branch__provider=provider_a, status="draft")
    with pytest.raises(listings.ListingError, match="排班"):
        listings.listing_set_status(listing=listing, actor=staff_a, status="published")
    RuleFactory(listing=listing)
    listings.listing_set_status(listing=listing, actor=staff_a, status="published")


def test_only_listings_of_approved_providers_are_public(client, api_client, provider_a):
    listing = licensed_listing(provider_a)
    listings_refresh_visibility()
    assert client.get(reverse("services:public-detail", args=[listing.pk])).status_code == 200
    assert [x["id"] for x in api_client.get("/api/v1/listings/").json()["results"]] == [listing.pk]
    for status in ("draft", "submitted", "suspended", "revoked"):
        Provider.objects.filter(pk=provider_a.pk).update(status=status)
        listings_refresh_visibility(provider=provider_a)  # what every status change triggers
        assert client.get(reverse("services:public-detail", args=[listing.pk])).status_code == 404
        assert api_client.get(f"/api/v1/listings/{listing.pk}/").status_code == 404
        assert api_client.get("/api/v1/listings/").json()["results"] == []


def test_a_black_listed_provider_disappears_from_the_public(api_client, provider_a):
    licensed_listing(provider_a)
    Provider.objects.filter(pk=provider_a.pk).update(standing="blacklisted")
    listings_refresh_visibility(provider=provider_a)
    assert api_client.get("/api/v1/listings/").json()["results"] == []


def test_suspending_a_provider_takes_its_listings_out_of_search_at_once(
    api_client, django_capture_on_commit_callbacks, provider_a, official_wuhou
):
    from providers.services.review import provider_transition

    listing = licensed_listing(provider_a)
    listings_refresh_visibility()
    listing.refresh_from_db()
    assert listing.is_public

    with django_capture_on_commit_callbacks(execute=True):
        provider_transition(
            provider=provider_a, action="suspend", actor=official_wuhou, reason="监督检查"
        )

    listing.refresh_from_db()
    assert not listing.is_public
    assert api_client.get(f"/api/v1/listings/{listing.pk}/").status_code == 404


def test_pausing_a_listing_takes_it_out_of_search_at_once(api_client, provider_a, staff_a):
    listing = licensed_listing(provider_a)
    RuleFactory(listing=listing)
    listings_refresh_visibility()
    listings.listing_set_status(listing=listing, actor=staff_a, status="paused")
    assert api_client.get(f"/api/v1/listings/{listing.pk}/").status_code == 404
    listings.listing_set_status(listing=listing, actor=staff_a, status="published")
    assert api_client.get(f"/api/v1/listings/{listing.pk}/").status_code == 200


def test_an_expired_required_licence_hides_listings_until_renewed(provider_a, staff_a):
    listing = licensed_listing(provider_a)
    provider_a.licences.update(valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2021, 1, 1))

    assert listings_refresh_visibility() == {"hidden": 1, "shown": 0}
    assert listings_refresh_visibility() == {"hidden": 0, "shown": 0}  # idempotent
    listing.refresh_from_db()
    assert listing.hidden_reason == "licence_expired"
    assert not listing.is_public

    from django.core.files.uploadedfile import SimpleUploadedFile

    from providers.services.licences import licence_add

    licence_add(
        provider=provider_a,
        actor=staff_a,
        kind="eldercare_filing",
        number="NEW-1",
        issuer="民政局",
        valid_from=dt.date(2025, 1, 1),
        valid_until=None,
        scan=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", "application/pdf"),
    )
    listings_refresh_visibility()
    listing.refresh_from_db()
    assert listing.hidden_reason == ""


def test_uploading_a_licence_shows_hidden_listings_at_once(
    django_capture_on_commit_callbacks, provider_a, staff_a
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from providers.services.licences import licence_add

    listing = ListingFactory(branch=BranchFactory(provider=provider_a))
    listings_refresh_visibility()
    listing.refresh_from_db()
    assert listing.hidden_reason == "licence_expired"  # no licence at all yet

    with django_capture_on_commit_callbacks(execute=True):
        licence_add(
            provider=provider_a,
            actor=staff_a,
            kind="eldercare_filing",
            number="N1",
            issuer="民政局",
            valid_from=dt.date(2025, 1, 1),
            valid_until=None,
            scan=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", "application/pdf"),
        )

    listing.refresh_from_db()
    assert listing.hidden_reason == ""


def test_expiring_licences_are_noticed_once(provider_a, staff_a, colleague_a):
    today = dt.date(2026, 11, 23)
    LicenceFactory(provider=provider_a, valid_until=today + dt.timedelta(days=20))
    LicenceFactory(provider=provider_a, valid_until=today + dt.timedelta(days=45))

    assert licences_notify_expiring(today=today) == 2  # one licence, two members
    assert licences_notify_expiring(today=today) == 0
    notice = Notification.objects.get(recipient=staff_a)
    assert "20 天" in notice.body


def test_public_listings_page_with_a_cursor(api_client, provider_a):
    for i in range(3):
        licensed_listing(provider_a, title=f"服务{i}")
    listings_refresh_visibility()
    first = api_client.get("/api/v1/listings/", {"page_size": 2}).json()
    assert len(first["results"]) == 2
    second = api_client.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert {x["id"] for x in first["results"]}.isdisjoint({x["id"] for x in second["results"]})


def test_a_new_licence_of_an_approved_provider_is_shown_to_its_supervisors(
    provider_a, staff_a, official_wuhou, official_jinjiang
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from providers.services.licences import licence_add

    licence_add(
        provider=provider_a,
        actor=staff_a,
        kind="eldercare_filing",
        number="R-1",
        issuer="民政局",
        valid_from=dt.date(2026, 1, 1),
        valid_until=None,
        scan=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", "application/pdf"),
    )

    notice = Notification.objects.get(kind="licence_changed")
    assert notice.recipient == official_wuhou
    assert "R-1" in notice.body
