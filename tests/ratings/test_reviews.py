"""ratings.services.reviews: who may review what and when, the input rules, held words,
replies, reports and moderation."""

import datetime as dt

import pytest
import time_machine

from portal.audit.models import AuditEntry
from portal.notifications.models import Notification
from ratings.dimensions import dimension_codes
from ratings.errors import RatingsConflict, RatingsError, RatingsForbidden
from ratings.models import Review, ReviewReport
from ratings.services import reviews
from ratings.services.reviews import (
    review_create,
    review_moderate,
    review_reply,
    review_report,
    sensitive_words_in,
)
from services.models import Category
from tests.providers.factories import LicenceFactory
from tests.ratings.factories import (
    completed_booking,
    ratings_for,
    review_photo,
)
from tests.services.factories import SlotFactory, book, public_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(wang_fang, provider_a, staff_a):
    return completed_booking(wang_fang, provider_a, staff_a)


def _review(booking, **kwargs):
    kwargs.setdefault("overall", 5)
    kwargs.setdefault("dimensions", ratings_for("eldercare"))
    kwargs.setdefault("text", "阿姨很耐心，饭菜软烂适合老人。")
    return review_create(booking=booking, resident=booking.resident, **kwargs)


# --- Who, when, how often -------------------------------------------------------------------


def test_a_resident_reviews_a_completed_booking_and_the_scores_follow(
    booking, provider_a, staff_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review = _review(booking, overall=4)

    assert review.status == Review.Status.PUBLISHED
    assert review.domain == "eldercare"
    assert review.provider_id == provider_a.pk
    booking.listing.refresh_from_db()
    provider_a.refresh_from_db()
    assert booking.listing.review_count == 1
    assert booking.listing.quality_score is not None
    assert provider_a.review_count == 1
    assert provider_a.quality_score == pytest.approx(booking.listing.quality_score)
    notice = Notification.objects.get(recipient=staff_a, kind="review.published")
    assert notice.dedupe_key == f"review:{review.pk}:published"


def test_a_booking_that_is_not_completed_cannot_be_reviewed(wang_fang, provider_a):
    booking = book(wang_fang, SlotFactory(listing=public_listing(provider_a, price_fen=0)))

    with pytest.raises(RatingsConflict) as exc:
        _review(booking)
    assert exc.value.code == "not_completed"
    assert not Review.objects.exists()


def test_only_the_bookings_resident_may_review_it(booking, daughter, staff_a):
    for someone in (daughter, staff_a):
        with pytest.raises(RatingsForbidden):
            review_create(
                booking=booking, resident=someone, overall=5, dimensions=ratings_for("eldercare")
            )
    assert not Review.objects.exists()


def test_a_booking_is_reviewed_only_once(booking):
    _review(booking)

    with pytest.raises(RatingsConflict, match="已评价") as exc:
        _review(booking, overall=1)
    assert exc.value.code == "already_reviewed"
    assert exc.value.status == 409
    assert Review.objects.get().overall == 5


def test_the_window_closes_thirty_days_after_completion(wang_fang, provider_a, staff_a):
    listing = public_listing(provider_a)
    first = completed_booking(wang_fang, provider_a, staff_a, listing=listing)
    second = completed_booking(wang_fang, provider_a, staff_a, listing=listing)
    completed_at = reviews.booking_completed_at(second)

    with time_machine.travel(completed_at + dt.timedelta(days=30, minutes=-1), tick=False):
        assert _review(first).status == Review.Status.PUBLISHED
    with (
        time_machine.travel(completed_at + dt.timedelta(days=30, minutes=1), tick=False),
        pytest.raises(RatingsError) as exc,
    ):
        _review(second)
    assert exc.value.code == "window_closed"
    assert exc.value.status == 400


# --- Input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"overall": 0}, "overall"),
        ({"overall": 6}, "overall"),
        ({"overall": True}, "overall"),
        ({"overall": "5"}, "overall"),
        ({"dimensions": [5, 5, 5, 5, 5]}, "dimensions"),
        ({"dimensions": {"attitude": 5}}, "dimensions"),
        ({"dimensions": {**ratings_for("eldercare"), "safety": 5}}, "dimensions"),
        ({"dimensions": {**ratings_for("eldercare"), "skill": 6}}, "dimensions"),
        ({"dimensions": {**ratings_for("eldercare"), "skill": "4"}}, "dimensions"),
        ({"text": "好" * 1001}, "text"),
        ({"photos": [review_photo() for _ in range(7)]}, "photos"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(booking, change, field):
    with pytest.raises(RatingsError) as exc:
        _review(booking, **change)

    assert exc.value.status == 400
    assert field in exc.value.field_errors()
    assert not Review.objects.exists()


def test_every_problem_is_reported_at_once(booking):
    with pytest.raises(RatingsError) as exc:
        _review(booking, overall=9, dimensions={"attitude": 0, "smell": 3}, text="好" * 1001)

    fields = exc.value.field_errors()
    assert set(fields) == {"overall", "dimensions", "text"}
    problems = " ".join(fields["dimensions"])
    assert "专业能力" in problems  # missing
    assert "smell" in problems  # unknown
    assert "服务态度" in problems  # out of range


def test_home_and_health_services_rate_safety_instead_of_hygiene():
    assert dimension_codes("eldercare") == ("attitude", "skill", "punctuality", "hygiene", "value")
    assert dimension_codes("childcare")[3] == "hygiene"
    assert dimension_codes("domestic")[3] == "safety"
    assert dimension_codes("health")[3] == "safety"


def test_a_domestic_booking_needs_the_safety_rating(wang_fang, provider_a, staff_a):
    LicenceFactory(provider=provider_a, kind="business_licence")
    cleaning = Category.objects.get(code="home_routine_cleaning")
    booking = completed_booking(wang_fang, provider_a, staff_a, category=cleaning)
    with pytest.raises(RatingsError):
        _review(booking, dimensions=ratings_for("eldercare"))
    review = _review(booking, dimensions=ratings_for("domestic", 4))
    assert set(review.dimensions) == set(dimension_codes("domestic"))


def test_photos_are_read_by_content_and_stored_privately(booking):
    with pytest.raises(RatingsError) as exc:
        _review(
            booking, photos=[review_photo(), review_photo("fake.png", b"%PDF-1.4 not an image")]
        )
    assert "第 2 张" in exc.value.field_errors()["photos"][0]

    review = _review(
        booking, photos=[review_photo(), review_photo("b.jpg", b"\xff\xd8\xff" + b"0")]
    )
    photos = list(review.photos.all())
    assert [p.content_type for p in photos] == ["image/png", "image/jpeg"]
    assert all(p.image.name.startswith("private/reviews/") for p in photos)


def test_a_photo_over_five_megabytes_is_refused(booking):
    big = review_photo(content=b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * 1024 * 1024))
    with pytest.raises(RatingsError) as exc:
        _review(booking, photos=[big])
    assert "5 MB" in exc.value.field_errors()["photos"][0]


# --- Held words -------------------------------------------------------------------------------


def test_a_review_with_a_listed_word_is_held_and_does_not_count(booking, staff_a):
    review = _review(booking, overall=1, text="想要返现请加 微 信")

    assert review.status == Review.Status.HELD
    assert review.held_words == ["加微信", "返现"]
    booking.listing.refresh_from_db()
    assert booking.listing.quality_score is None
    assert booking.listing.review_count == 0
    assert not Notification.objects.filter(recipient=staff_a).filter(kind="review.published")


def test_spaces_and_punctuation_do_not_hide_a_word():
    assert sensitive_words_in("诈-骗！") == ["诈骗"]
    assert sensitive_words_in("服务很好") == []


# --- Replies and reports ----------------------------------------------------------------------


def test_the_provider_replies_once(booking, staff_a, colleague_a, staff_b):
    review = _review(booking)

    with pytest.raises(RatingsForbidden):
        review_reply(review=review, actor=staff_b, text="谢谢")
    with pytest.raises(RatingsError) as blank:
        review_reply(review=review, actor=staff_a, text="   ")
    assert blank.value.field == "text"

    reply = review_reply(review=review, actor=colleague_a, text="感谢您的认可，欢迎再来！")
    assert reply.author == colleague_a
    with pytest.raises(RatingsConflict) as again:
        review_reply(review=review, actor=staff_a, text="再次感谢")
    assert again.value.code == "already_replied"
    assert AuditEntry.objects.filter(action="review.reply", actor=colleague_a).exists()


def test_a_reply_with_a_listed_word_is_refused(booking, staff_a):
    review = _review(booking)
    with pytest.raises(RatingsError) as exc:
        review_reply(review=review, actor=staff_a, text="请加微信联系我们")
    assert exc.value.code == "sensitive_words"
    assert not hasattr(Review.objects.get(pk=review.pk), "reply")


def test_anyone_may_report_a_review_and_a_repeat_is_the_same_report(booking, daughter):
    review = _review(booking)

    anonymous = review_report(review=review, reporter=None, reason="内容与事实不符")
    first = review_report(review=review, reporter=daughter, reason="内容不实")
    again = review_report(review=review, reporter=daughter, reason="内容不实")

    assert anonymous.reporter is None
    assert first == again
    assert ReviewReport.objects.count() == 2
    with pytest.raises(RatingsError) as exc:
        review_report(review=review, reporter=None, reason="")
    assert exc.value.field == "reason"


# --- Moderation -------------------------------------------------------------------------------


def test_an_official_outside_the_jurisdiction_cannot_moderate(booking, official_jinjiang, staff_a):
    review = _review(booking)
    for someone in (official_jinjiang, staff_a):
        with pytest.raises(RatingsForbidden):
            review_moderate(review=review, official=someone, action="hide", reason="不实")
    assert Review.objects.get().status == Review.Status.PUBLISHED
    assert not AuditEntry.objects.filter(action="review.moderate").exists()


def test_hiding_a_reported_review_resolves_reports_audits_and_drops_the_score(
    booking, official_wuhou, daughter
):
    review = _review(booking)
    review_report(review=review, reporter=daughter, reason="内容不实")

    review = review_moderate(
        review=review, official=official_wuhou, action="hide", reason="经核实内容不实"
    )

    assert review.status == Review.Status.HIDDEN
    assert review.moderated_by == official_wuhou
    assert not ReviewReport.objects.filter(resolved_at__isnull=True).exists()
    entry = AuditEntry.objects.get(action="review.moderate")
    assert entry.actor == official_wuhou
    assert entry.target_id == str(review.pk)
    assert entry.detail == {
        "action": "hide",
        "from": "published",
        "to": "hidden",
        "reason": "经核实内容不实",
        "reports_resolved": 1,
    }
    booking.listing.refresh_from_db()
    assert booking.listing.quality_score is None
    assert booking.listing.review_count == 0

    review_moderate(review=review, official=official_wuhou, action="restore", reason="复核后恢复")
    booking.listing.refresh_from_db()
    assert booking.listing.review_count == 1


def test_publishing_a_held_review_counts_it(booking, official_city, staff_a):
    review = _review(booking, text="诈骗？不，是误会，服务很好")
    assert review.status == Review.Status.HELD

    review_moderate(review=review, official=official_city, action="publish", reason="误判")

    booking.listing.refresh_from_db()
    assert booking.listing.review_count == 1
    assert Review.objects.get().status == Review.Status.PUBLISHED


@pytest.mark.parametrize(
    ("action", "reason", "field"),
    [("hide", "", "reason"), ("hide", "  ", "reason"), ("delete", "不实", "action")],
)
def test_moderation_needs_a_known_action_and_a_reason(
    booking, official_wuhou, action, reason, field
):
    review = _review(booking)
    with pytest.raises(RatingsError) as exc:
        review_moderate(review=review, official=official_wuhou, action=action, reason=reason)
    assert exc.value.field == field
    assert Review.objects.get().status == Review.Status.PUBLISHED


def test_a_published_review_cannot_be_published_again(booking, official_wuhou):
    review = _review(booking)
    with pytest.raises(RatingsConflict) as exc:
        review_moderate(review=review, official=official_wuhou, action="publish", reason="发布")
    assert exc.value.code == "illegal_transition"
