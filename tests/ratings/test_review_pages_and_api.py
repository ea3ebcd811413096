"""The review pages and API: writing, reading (masked), photos, replies, reports and the
officials' moderation queue; the happy path, the permission boundary and bad input of each."""

import datetime as dt
import json

import pytest
import time_machine
import yaml
from django.urls import reverse

from portal.audit.models import AuditEntry
from ratings.models import Review, ReviewReply, ReviewReport
from ratings.services.reviews import booking_completed_at, review_create, review_report
from tests.ratings.factories import completed_booking, ratings_for, review_photo
from tests.services.factories import SlotFactory, book, public_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(wang_fang, provider_a, staff_a):
    return completed_booking(wang_fang, provider_a, staff_a)


@pytest.fixture
def review(booking):
    return review_create(
        booking=booking,
        resident=booking.resident,
        overall=4,
        dimensions=ratings_for("eldercare", 4),
        text="送餐准时，味道清淡。",
        photos=[review_photo()],
    )


@pytest.fixture
def held(wang_fang, provider_a, staff_a, booking):
    other = completed_booking(wang_fang, provider_a, staff_a, listing=booking.listing)
    return review_create(
        booking=other,
        resident=wang_fang,
        overall=1,
        dimensions=ratings_for("eldercare", 1),
        text="这家是诈骗",
    )


def _form(domain="eldercare", value=5, **extra):
    data = {"overall": value, **{f"dim_{c}": value for c in ratings_for(domain)}}
    data.update(extra)
    return data


# --- Writing a review (page) -----------------------------------------------------------------


def test_the_booking_page_offers_a_review_once_completed_and_not_after(
    client, wang_fang, booking, provider_a
):
    client.force_login(wang_fang)
    url = reverse("ratings:review-new", args=[booking.pk])
    page = reverse("services:my-booking", args=[booking.pk])

    assert url in client.get(page).content.decode()
    review_create(
        booking=booking, resident=wang_fang, overall=5, dimensions=ratings_for("eldercare")
    )
    assert url not in client.get(page).content.decode()
    upcoming = book(wang_fang, SlotFactory(listing=public_listing(provider_a, price_fen=0)))
    other = client.get(reverse("services:my-booking", args=[upcoming.pk])).content.decode()
    assert "评价这次服务" not in other


def test_a_resident_writes_a_review_with_a_photo(client, wang_fang, booking):
    client.force_login(wang_fang)
    url = reverse("ratings:review-new", args=[booking.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert "环境卫生" in form.content.decode()

    response = client.post(url, _form(value=4, text="很好", photos=[review_photo()]))

    assert response.status_code == 302
    assert response["Location"] == reverse("services:my-booking", args=[booking.pk])
    review = Review.objects.get(booking=booking)
    assert review.overall == 4
    assert review.dimensions == ratings_for("eldercare", 4)
    assert review.photos.count() == 1
    booking.listing.refresh_from_db()
    assert booking.listing.review_count == 1


def test_the_review_form_shows_what_is_wrong(client, wang_fang, booking):
    client.force_login(wang_fang)
    url = reverse("ratings:review-new", args=[booking.pk])
    data = _form(text="好" * 1001)
    del data["dim_value"]
    data["overall"] = 9

    response = client.post(url, data)

    assert response.status_code == 400
    form = response.context["form"]
    assert {"overall", "dim_value", "text"} <= set(form.errors)
    fake = client.post(url, _form(photos=[review_photo("x.png", b"GIF89a not png")]))
    assert fake.status_code == 400
    assert "photos" in fake.context["form"].errors
    assert not Review.objects.exists()


def test_the_page_says_why_a_booking_cannot_be_reviewed(client, wang_fang, booking, provider_a):
    client.force_login(wang_fang)
    upcoming = book(wang_fang, SlotFactory(listing=public_listing(provider_a, price_fen=0)))
    response = client.get(reverse("ratings:review-new", args=[upcoming.pk]))
    assert response.status_code == 409
    assert "服务完成后才能评价" in response.content.decode()

    with time_machine.travel(booking_completed_at(booking) + dt.timedelta(days=31), tick=False):
        client.force_login(wang_fang)  # the session would have expired meanwhile
        late = client.post(reverse("ratings:review-new", args=[booking.pk]), _form())
    assert late.status_code == 400
    assert "评价期已过" in late.content.decode()

    Review.objects.all().delete()
    review_create(
        booking=booking, resident=wang_fang, overall=5, dimensions=ratings_for("eldercare")
    )
    again = client.post(reverse("ratings:review-new", args=[booking.pk]), _form())
    assert again.status_code == 409
    assert "已评价" in again.content.decode()


def test_only_the_resident_reaches_the_review_form(client, booking, daughter, staff_a):
    url = reverse("ratings:review-new", args=[booking.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(daughter)
    assert client.get(url).status_code == 404
    client.force_login(staff_a)
    assert client.get(url).status_code == 404


# --- Reading and reporting (page) ---------------------------------------------------------------


def test_the_listing_reviews_page_masks_names_and_hides_held_reviews(
    client, review, held, django_assert_max_num_queries
):
    url = reverse("ratings:listing-reviews", args=[review.listing_id])

    with django_assert_max_num_queries(6):
        response = client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert "王*" in page
    assert "王芳" not in page
    assert "送餐准时" in page
    assert "诈骗" not in page
    assert reverse("ratings:review-photo", args=[review.photos.get().pk]) in page
    assert reverse("ratings:review-report", args=[review.pk]) in page


def test_a_listing_that_is_not_public_has_no_reviews_page(client, review):
    review.listing.__class__.objects.filter(pk=review.listing_id).update(is_public=False)
    response = client.get(reverse("ratings:listing-reviews", args=[review.listing_id]))
    assert response.status_code == 404


def test_photos_of_a_held_review_are_only_for_those_who_handle_it(
    client, wang_fang, staff_a, staff_b, official_wuhou, official_jinjiang, booking, provider_a
):
    other = completed_booking(wang_fang, provider_a, staff_a, listing=booking.listing)
    held = review_create(
        booking=other,
        resident=wang_fang,
        overall=2,
        dimensions=ratings_for("eldercare", 2),
        text="刷单",
        photos=[review_photo()],
    )
    url = reverse("ratings:review-photo", args=[held.photos.get().pk])

    assert client.get(url).status_code == 404
    for outsider in (staff_b, official_jinjiang):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    for insider in (wang_fang, staff_a, official_wuhou):
        client.force_login(insider)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"


def test_a_published_reviews_photo_is_public(client, review):
    response = client.get(reverse("ratings:review-photo", args=[review.photos.get().pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_anyone_can_report_a_review_with_a_reason(client, review):
    url = reverse("ratings:review-report", args=[review.pk])

    blank = client.post(url, {"reason": ""})
    assert blank.status_code == 400
    assert blank.context["page_error"]
    assert not ReviewReport.objects.exists()

    response = client.post(url, {"reason": "内容与事实不符"})
    assert response.status_code == 302
    report = ReviewReport.objects.get()
    assert report.reporter is None
    assert client.get(url).status_code == 405


def test_a_held_review_cannot_be_reported(client, held):
    response = client.post(reverse("ratings:review-report", args=[held.pk]), {"reason": "x"})
    assert response.status_code == 404


# --- Replying (page) ------------------------------------------------------------------------------


def test_the_provider_replies_once_from_its_reviews_page(client, staff_a, provider_a, review):
    client.force_login(staff_a)
    page = client.get(reverse("ratings:provider-reviews", args=[provider_a.pk]))
    assert page.status_code == 200
    assert "送餐准时" in page.content.decode()
    url = reverse("ratings:review-reply", args=[provider_a.pk, review.pk])

    blank = client.post(url, {"text": ""})
    assert blank.status_code == 400
    assert blank.context["reviews"][0].action_form.errors

    assert client.post(url, {"text": "感谢您的评价！"}).status_code == 302
    assert ReviewReply.objects.get().text == "感谢您的评价！"
    again = client.post(url, {"text": "再次感谢"})
    assert again.status_code == 409
    assert "只能回复一次" in again.content.decode()
    assert (
        "感谢您的评价！"
        in client.get(reverse("ratings:listing-reviews", args=[review.listing_id])).content.decode()
    )


def test_another_providers_staff_cannot_see_or_reply(client, staff_b, provider_a, review):
    client.force_login(staff_b)
    assert client.get(reverse("ratings:provider-reviews", args=[provider_a.pk])).status_code == 404
    url = reverse("ratings:review-reply", args=[provider_a.pk, review.pk])
    assert client.post(url, {"text": "谢谢"}).status_code == 404
    assert not ReviewReply.objects.exists()


def test_residents_are_refused_the_provider_page(client, wang_fang, provider_a):
    client.force_login(wang_fang)
    assert client.get(reverse("ratings:provider-reviews", args=[provider_a.pk])).status_code in (
        403,
        404,
    )


# --- Moderation (page) --------------------------------------------------------------------------


def test_the_queue_shows_held_and_reported_reviews_in_the_jurisdiction(
    client, official_wuhou, official_jinjiang, review, held, daughter
):
    review_report(review=review, reporter=daughter, reason="评分与实际不符")
    client.force_login(official_wuhou)

    page = client.get(reverse("ratings:moderation")).content.decode()

    assert "诈骗" in page  # the held word
    assert "评分与实际不符" in page  # the open report
    assert reverse("ratings:review-moderate", args=[held.pk]) in page
    assert reverse("ratings:review-moderate", args=[review.pk]) in page
    client.force_login(official_jinjiang)
    other = client.get(reverse("ratings:moderation")).content.decode()
    assert reverse("ratings:review-moderate", args=[held.pk]) not in other


def test_the_official_workbench_links_to_the_queue(client, official_wuhou):
    client.force_login(official_wuhou)
    page = client.get(reverse("workbench-official")).content.decode()
    assert reverse("ratings:moderation") in page
    assert "评价审核" in page


def test_an_official_moderates_with_a_reason_and_it_is_audited(client, official_wuhou, held):
    client.force_login(official_wuhou)
    url = reverse("ratings:review-moderate", args=[held.pk])

    missing = client.post(url, {"action": "publish", "reason": ""})
    assert missing.status_code == 400
    assert Review.objects.get(pk=held.pk).status == Review.Status.HELD

    response = client.post(url, {"action": "hide", "reason": "含有攻击性言论"})
    assert response.status_code == 302
    assert Review.objects.get(pk=held.pk).status == Review.Status.HIDDEN
    assert AuditEntry.objects.filter(
        action="review.moderate", actor=official_wuhou, target_id=str(held.pk)
    ).exists()

    wrong = client.post(url, {"action": "publish", "reason": "再次发布"})
    assert wrong.status_code == 409


def test_an_official_of_another_district_gets_not_found(client, official_jinjiang, held, wang_fang):
    client.force_login(official_jinjiang)
    url = reverse("ratings:review-moderate", args=[held.pk])
    assert client.post(url, {"action": "publish", "reason": "误判"}).status_code == 404
    assert Review.objects.get(pk=held.pk).status == Review.Status.HELD
    client.force_login(wang_fang)
    assert client.get(reverse("ratings:moderation")).status_code == 403


# --- API ----------------------------------------------------------------------------------------


def _api_review(booking):
    return f"/api/v1/bookings/{booking.pk}/review/"


def test_api_a_resident_reviews_once(api_client, wang_fang, booking):
    api_client.force_authenticate(wang_fang)
    body = {"overall": 5, "dimensions": ratings_for("eldercare"), "text": "很满意"}

    first = api_client.post(_api_review(booking), body, format="json")
    again = api_client.post(_api_review(booking), body, format="json")

    assert first.status_code == 201
    assert first.data["status"] == "published"
    assert first.data["reviewer"] == "王*"
    assert again.status_code == 409
    assert again.json()["code"] == "already_reviewed"
    assert "已评价" in again.json()["detail"]


def test_api_multipart_with_photos(api_client, wang_fang, booking):
    api_client.force_authenticate(wang_fang)
    body = {
        "overall": "4",
        "dimensions": json.dumps(ratings_for("eldercare", 4)),
        "photos": [review_photo(), review_photo("b.png")],
    }
    response = api_client.post(_api_review(booking), body, format="multipart")
    assert response.status_code == 201, response.json()
    assert len(response.data["photos"]) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"overall": 5, "dimensions": {"attitude": 5}}, "dimensions"),
        ({"overall": 7, "dimensions": ratings_for("eldercare")}, "overall"),
        ({"overall": "abc", "dimensions": ratings_for("eldercare")}, "overall"),
        ({"overall": 5}, "dimensions"),
        ({"overall": 5, "dimensions": ratings_for("eldercare"), "text": "好" * 1001}, "text"),
    ],
)
def test_api_bad_input_names_the_field(api_client, wang_fang, booking, body, field):
    api_client.force_authenticate(wang_fang)
    response = api_client.post(_api_review(booking), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "code", "fields"}
    assert field in response.json()["fields"]
    assert not Review.objects.exists()


def test_api_refusals(api_client, wang_fang, daughter, staff_a, booking, provider_a):
    body = {"overall": 5, "dimensions": ratings_for("eldercare")}
    assert api_client.post(_api_review(booking), body, format="json").status_code == 401
    api_client.force_authenticate(daughter)
    assert api_client.post(_api_review(booking), body, format="json").status_code == 404
    api_client.force_authenticate(staff_a)
    assert api_client.post(_api_review(booking), body, format="json").status_code == 403

    api_client.force_authenticate(wang_fang)
    upcoming = book(wang_fang, SlotFactory(listing=public_listing(provider_a, price_fen=0)))
    early = api_client.post(_api_review(upcoming), body, format="json")
    assert early.status_code == 409
    assert early.json()["code"] == "not_completed"
    with time_machine.travel(booking_completed_at(booking) + dt.timedelta(days=31), tick=False):
        late = api_client.post(_api_review(booking), body, format="json")
    assert late.status_code == 400
    assert late.json()["code"] == "window_closed"


def test_api_listing_reviews_are_public_paginated_and_masked(
    api_client, review, held, django_assert_max_num_queries
):
    url = f"/api/v1/listings/{review.listing_id}/reviews/"
    with django_assert_max_num_queries(4):
        response = api_client.get(url)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["results"]
    assert item["reviewer"] == "王*"
    assert item["overall"] == 4
    assert item["reply"] is None
    assert "王芳" not in response.content.decode()
    assert api_client.get("/api/v1/listings/999999/reviews/").status_code == 404


def test_api_reply_once_by_the_providers_staff(api_client, staff_a, staff_b, wang_fang, review):
    url = f"/api/v1/reviews/{review.pk}/reply/"
    api_client.force_authenticate(staff_b)
    assert api_client.post(url, {"text": "谢谢"}, format="json").status_code == 403
    api_client.force_authenticate(wang_fang)
    assert api_client.post(url, {"text": "谢谢"}, format="json").status_code == 403

    api_client.force_authenticate(staff_a)
    blank = api_client.post(url, {"text": ""}, format="json")
    assert blank.status_code == 400
    assert "text" in blank.json()["fields"]
    assert api_client.post(url, {"text": "感谢反馈"}, format="json").status_code == 201
    again = api_client.post(url, {"text": "再次感谢"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_replied"


def test_api_report_needs_no_account(api_client, review, held):
    url = f"/api/v1/reviews/{review.pk}/report/"
    assert api_client.post(url, {"reason": ""}, format="json").status_code == 400
    response = api_client.post(url, {"reason": "虚假评价"}, format="json")
    assert response.status_code == 201
    assert ReviewReport.objects.get().reporter is None
    held_url = f"/api/v1/reviews/{held.pk}/report/"
    assert api_client.post(held_url, {"reason": "x"}, format="json").status_code == 404


def test_api_moderation_within_the_jurisdiction(
    api_client, official_wuhou, official_jinjiang, wang_fang, held
):
    url = f"/api/v1/reviews/{held.pk}/moderate/"
    api_client.force_authenticate(wang_fang)
    assert (
        api_client.post(url, {"action": "publish", "reason": "x"}, format="json").status_code == 403
    )
    api_client.force_authenticate(official_jinjiang)
    assert (
        api_client.post(url, {"action": "publish", "reason": "x"}, format="json").status_code == 404
    )

    api_client.force_authenticate(official_wuhou)
    missing = api_client.post(url, {"action": "publish"}, format="json")
    assert missing.status_code == 400
    assert "reason" in missing.json()["fields"]
    unknown = api_client.post(url, {"action": "delete", "reason": "x"}, format="json")
    assert "action" in unknown.json()["fields"]

    response = api_client.post(
        url, {"action": "publish", "reason": "误判，内容正常"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert AuditEntry.objects.filter(action="review.moderate").count() == 1
    held.listing.refresh_from_db()
    assert held.listing.review_count == 1


def test_the_schema_describes_the_review_endpoints(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    for path in (
        "/api/v1/bookings/{id}/review/",
        "/api/v1/listings/{listing_id}/reviews/",
        "/api/v1/reviews/{id}/reply/",
        "/api/v1/reviews/{id}/report/",
        "/api/v1/reviews/{id}/moderate/",
    ):
        assert path in schema["paths"], path
