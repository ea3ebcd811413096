"""Bad input gets field errors, never a 500; list pages and APIs run a fixed number of queries."""

import datetime as dt

import pytest
from django.db.models import F
from django.urls import reverse

from portal.audit.models import AuditEntry
from services.models import Listing, Slot
from services.services import schedules
from tests.providers.factories import BranchFactory, ProviderFactory
from tests.services.factories import ListingFactory, RuleFactory, licensed_listing

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 22, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_a_booked_slot_whose_rule_goes_is_kept_but_closed(provider_a, staff_a):
    listing = ListingFactory(branch__provider=provider_a)
    RuleFactory(listing=listing, capacity=5)
    schedules.slots_materialise(listing=listing, now=NOW)
    slot = Slot.objects.filter(listing=listing).order_by("starts_at").first()
    Slot.objects.filter(pk=slot.pk).update(remaining=F("remaining") - 1)  # 1 of 5 booked

    schedules.rules_replace(listing=listing, actor=staff_a, rules=[])
    schedules.slots_materialise(listing=listing, now=NOW)

    slot.refresh_from_db()
    assert (slot.capacity, slot.remaining) == (1, 0)  # the booking stays, no new ones
    assert Slot.objects.filter(listing=listing).count() == 1


def test_the_nightly_job_also_serves_listings_with_only_extra_openings(provider_a, staff_a):
    listing = ListingFactory(branch__provider=provider_a)
    schedules.exception_add(
        listing=listing,
        actor=staff_a,
        data={
            "date": dt.date(2026, 11, 28),
            "kind": "extra",
            "start": dt.time(9),
            "end": dt.time(10),
            "slot_minutes": 60,
            "capacity": 2,
        },
    )

    schedules.slots_materialise_all(now=NOW)

    assert Slot.objects.filter(listing=listing).count() == 1


def test_huge_numbers_in_the_listing_form_are_field_errors(client, provider_a, staff_a):
    branch = BranchFactory(provider=provider_a)
    client.force_login(staff_a)
    response = client.post(
        reverse("services:listing-new", args=[provider_a.pk]),
        {
            "branch": branch.pk,
            "category": "elder_meals",
            "title": "午餐",
            "price_yuan": "15",
            "price_unit": "visit",
            "delivery_mode": "at_branch",
            "duration_minutes": "99999999999",
            "capacity_per_slot": "99999999999",
            "age_max_months": "99999999999",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"duration_minutes", "capacity_per_slot", "age_max_months"} <= set(errors)


def test_huge_numbers_in_the_branch_form_are_field_errors(client, provider_a, staff_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("providers:branch-new", args=[provider_a.pk]),
        {
            "name": "x",
            "address": "y",
            "division": "510107",
            "latitude": "30.6",
            "longitude": "104.0",
            "beds": "99999999999",
        },
    )
    assert response.status_code == 200
    assert "beds" in response.context["form"].errors


def test_an_extra_opening_without_times_is_an_error_not_a_crash(client, provider_a, staff_a):
    listing = ListingFactory(branch__provider=provider_a)
    client.force_login(staff_a)
    response = client.post(
        reverse("services:exception-new", args=[listing.pk]),
        {"date": "2026-11-28", "kind": "extra", "slot_minutes": "60", "capacity": "2"},
        follow=True,
    )
    assert response.status_code == 200
    assert "排班规则需要" in response.content.decode()
    assert not listing.exceptions.exists()


def test_a_forged_formset_count_is_harmless(client, provider_a, staff_a):
    listing = ListingFactory(branch__provider=provider_a)
    client.force_login(staff_a)
    response = client.post(
        reverse("services:schedule", args=[listing.pk]),
        {"add_row": "1", "rules-TOTAL_FORMS": "lots"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"start": "25:99"}, "start"),
        ({"valid_from": "2027-01-01", "valid_until": "2026-01-01"}, "valid_until"),
    ],
)
def test_bad_rules_through_the_api_are_field_errors(api_client, provider_a, staff_a, rule, field):
    listing = ListingFactory(branch__provider=provider_a)
    api_client.force_authenticate(staff_a)
    good = {"weekday": 0, "start": "09:00", "end": "10:00", "slot_minutes": 60, "capacity": 1}
    response = api_client.put(
        f"/api/v1/listings/{listing.pk}/schedule/", {"rules": [{**good, **rule}]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"]


def test_a_bulk_update_changes_only_what_it_sends(api_client, provider_a, staff_a):
    listing = ListingFactory(
        branch__provider=provider_a, duration_minutes=120, capacity_per_slot=5, age_min_months=12
    )
    api_client.force_authenticate(staff_a)

    ok = api_client.post(
        f"/api/v1/providers/{provider_a.pk}/listings/bulk/",
        {"items": [{"id": listing.pk, "title": "新名称"}]},
        format="json",
    )
    assert ok.status_code == 200
    listing.refresh_from_db()
    assert (listing.title, listing.duration_minutes, listing.capacity_per_slot) == (
        "新名称",
        120,
        5,
    )

    bad = api_client.post(
        f"/api/v1/providers/{provider_a.pk}/listings/bulk/",
        {"items": [{"id": listing.pk, "age_max_months": 6}]},
        format="json",
    )
    assert bad.status_code == 400
    assert "age_max_months" in bad.json()["fields"]["items"]["0"]


def test_an_officials_api_read_of_the_legal_representative_is_audited(
    api_client, provider_a, official_wuhou
):
    api_client.force_authenticate(official_wuhou)
    data = api_client.get(f"/api/v1/providers/{provider_a.pk}/").json()
    assert data["legal_representative"] == provider_a.legal_representative
    assert AuditEntry.objects.filter(action="personal_data.read", actor=official_wuhou).exists()
    listed = api_client.get("/api/v1/providers/").json()["results"]
    assert "legal_representative" not in listed[0]


def test_an_oversized_request_is_refused_before_it_is_read(client, api_client, settings):
    settings.MAX_REQUEST_BYTES = 1000
    response = api_client.post("/api/v1/accounts/signup/", {"name": "x" * 5000}, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_list_pages_and_apis_run_a_fixed_number_of_queries(
    client, api_client, provider_a, staff_a, official_city, django_assert_max_num_queries
):
    for i in range(12):
        licensed_listing(ProviderFactory(division_id="510105"), title=f"服务{i}")
    for _ in range(6):
        ListingFactory(branch=BranchFactory(provider=provider_a))
    ProviderFactory.create_batch(8, status="submitted", division_id="510106")

    with django_assert_max_num_queries(4):
        assert api_client.get("/api/v1/listings/").status_code == 200
    api_client.force_authenticate(staff_a)
    with django_assert_max_num_queries(6):
        assert api_client.get(f"/api/v1/providers/{provider_a.pk}/listings/").status_code == 200
    client.force_login(staff_a)
    with django_assert_max_num_queries(12):
        assert (
            client.get(reverse("services:staff-listings", args=[provider_a.pk])).status_code == 200
        )
    client.force_login(official_city)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("providers:review-queue")).status_code == 200
    assert Listing.objects.count() == 18
