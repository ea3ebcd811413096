"""Verified reviews: a resident reviews a completed booking once, within 30 days; the provider
replies once; anyone may report a review; officials of the provider's jurisdiction moderate.

A review whose text contains a listed word (ratings/data/sensitive_words.txt) is held for
moderation instead of published. Only published reviews count towards quality scores, which are
refreshed in the same transaction whenever a review enters or leaves the published state.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.permissions import is_resident, is_staff_of, official_covers
from portal.audit.services import audit_record
from portal.notifications.services import notify
from portal.uploads import IMAGE_KINDS, MB, private_name, sniff
from ratings.dimensions import LABELS, dimension_codes
from ratings.errors import RatingsConflict, RatingsError, RatingsForbidden
from ratings.models import Review, ReviewPhoto, ReviewReply, ReviewReport
from ratings.services import scores
from services.models import Booking, BookingEvent

REVIEW_WINDOW_DAYS = 30
TEXT_MAX_CHARS = 1000
REASON_MAX_CHARS = 300
PHOTOS_PER_REVIEW = 6
PHOTO_MAX_BYTES = 5 * MB
SENSITIVE_WORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "sensitive_words.txt"

S = Review.Status
# Moderation actions: the states each may start from, and the state it leads to. "restore" on
# a published review keeps it published and dismisses the reports against it.
MODERATION = {
    "publish": ((S.HELD,), S.PUBLISHED),
    "hide": ((S.PUBLISHED, S.HELD), S.HIDDEN),
    "restore": ((S.HIDDEN, S.PUBLISHED), S.PUBLISHED),
}
MODERATION_ACTIONS = tuple(MODERATION)


# --- Sensitive words ---------------------------------------------------------------------------


@functools.cache
def sensitive_words() -> tuple[str, ...]:
    """The listed words, read once per process (the file changes with a deployment)."""
    lines = SENSITIVE_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    words = (line.strip().lower() for line in lines)
    return tuple(dict.fromkeys(w for w in words if w and not w.startswith("#")))


def _squeeze(text: str) -> str:
    # Spaces and punctuation put between the characters of a word do not hide it.
    return "".join(ch for ch in text.lower() if ch.isalnum())


def sensitive_words_in(text: str) -> list[str]:
    """The listed words that occur in `text`, in the list's order."""
    plain, squeezed = (text or "").lower(), _squeeze(text or "")
    return [w for w in sensitive_words() if w in plain or _squeeze(w) in squeezed]


# --- Validation --------------------------------------------------------------------------------


def _invalid(fields: dict[str, list[str]]) -> RatingsError:
    error = RatingsError(_("评价内容有误，请检查标出的项目。"), code="invalid")
    error.fields = fields
    return error


def _is_rating(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


def _clean_text(value, *, field: str, max_chars: int, required: bool) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise RatingsError(_("应为文本。"), code="invalid", field=field)
    if required and not text:
        raise RatingsError(_("请填写这一项。"), code="required", field=field)
    if len(text) > max_chars:
        raise RatingsError(
            _("不能超过 %(n)d 个字。") % {"n": max_chars}, code="too_long", field=field
        )
    return text


def review_validate(*, domain: str, overall, dimensions, text, photos) -> tuple[str, list]:
    """Check a review's input; return (clean text, [(upload, content_type, extension)]).

    Raises RatingsError with every field's problems at once (`fields`)."""
    errors: dict[str, list[str]] = {}
    if not _is_rating(overall):
        errors["overall"] = [_("总体评分应为 1 到 5 的整数。")]

    codes = dimension_codes(domain)
    if not isinstance(dimensions, dict):
        errors["dimensions"] = [_('分项评分应为一个对象，例如 {"attitude": 5}。')]
    else:
        problems = []
        missing = [code for code in codes if code not in dimensions]
        unknown = sorted(str(code) for code in dimensions if code not in codes)
        if missing:
            problems.append(
                _("缺少分项评分：%(names)s。")
                % {"names": "、".join(str(LABELS[c]) for c in missing)}
            )
        if unknown:
            problems.append(_("该领域没有这些分项：%(codes)s。") % {"codes": "、".join(unknown)})
        for code in codes:
            if code in dimensions and not _is_rating(dimensions[code]):
                problems.append(_("%(name)s：评分应为 1 到 5 的整数。") % {"name": LABELS[code]})
        if problems:
            errors["dimensions"] = problems

    clean_text = ""
    try:
        clean_text = _clean_text(text, field="text", max_chars=TEXT_MAX_CHARS, required=False)
    except RatingsError as exc:
        errors["text"] = [str(exc.message)]

    checked = []
    photos = list(photos or ())
    if len(photos) > PHOTOS_PER_REVIEW:
        errors["photos"] = [_("最多上传 %(n)d 张图片。") % {"n": PHOTOS_PER_REVIEW}]
    else:
        for number, upload in enumerate(photos, start=1):
            try:
                content_type, extension = sniff(
                    upload, allowed=IMAGE_KINDS, max_bytes=PHOTO_MAX_BYTES
                )
            except ValidationError as exc:
                errors.setdefault("photos", []).append(
                    _("第 %(n)d 张图片：%(problem)s") % {"n": number, "problem": exc.messages[0]}
                )
            else:
                checked.append((upload, content_type, extension))
    if errors:
        raise _invalid(errors)
    return clean_text, checked


# --- Create ------------------------------------------------------------------------------------


def booking_completed_at(booking: Booking) -> dt.datetime:
    """When the booking was completed: its last `completed` event (the booking's end time for
    records older than the event log)."""
    at = (
        BookingEvent.objects.filter(booking_id=booking.pk, to_status=Booking.Status.COMPLETED)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return at or booking.ends_at


def review_check_eligible(*, booking: Booking, resident, now: dt.datetime | None = None):
    """Raise the reason `resident` may not review `booking` now; return the review deadline."""
    if not is_resident(resident) or booking.resident_id != resident.pk:
        raise RatingsForbidden(_("只有预约本人可以评价这次服务。"), code="not_your_booking")
    if booking.status != Booking.Status.COMPLETED:
        raise RatingsConflict(_("服务完成后才能评价。"), code="not_completed")
    if Review.objects.filter(booking_id=booking.pk).exists():
        raise _already_reviewed()
    deadline = booking_completed_at(booking) + dt.timedelta(days=REVIEW_WINDOW_DAYS)
    if (now or timezone.now()) > deadline:
        raise RatingsError(
            _("服务完成 %(n)d 天内可以评价，这次服务的评价期已过。") % {"n": REVIEW_WINDOW_DAYS},
            code="window_closed",
        )
    return deadline


def _already_reviewed() -> RatingsConflict:
    return RatingsConflict(_("您已评价过这次服务，每次服务只能评价一次。"), code="already_reviewed")


def review_create(
    *,
    booking: Booking,
    resident,
    overall: int,
    dimensions: dict,
    text: str = "",
    photos=(),
    now: dt.datetime | None = None,
) -> Review:
    """The resident's one review of a completed booking, within 30 days of completion.

    Published at once unless its text contains a listed word (then held for moderation); a
    published review refreshes the listing's and provider's scores in the same transaction."""
    now = now or timezone.now()
    review_check_eligible(booking=booking, resident=resident, now=now)
    listing = booking.listing
    domain = listing.category.domain
    text, checked = review_validate(
        domain=domain, overall=overall, dimensions=dimensions, text=text, photos=photos
    )
    held_words = sensitive_words_in(text)
    try:
        with transaction.atomic():
            # One review per booking even for two submissions at once: the second waits here
            # and then finds the first (the one-to-one key is the last line).
            list(Booking.objects.select_for_update().filter(pk=booking.pk).values_list("pk"))
            if Review.objects.filter(booking_id=booking.pk).exists():
                raise _already_reviewed()
            review = Review.objects.create(
                booking=booking,
                resident=resident,
                provider_id=booking.provider_id,
                listing=listing,
                domain=domain,
                overall=overall,
                dimensions={code: dimensions[code] for code in dimension_codes(domain)},
                text=text,
                status=S.HELD if held_words else S.PUBLISHED,
                held_words=held_words,
                created_at=now,
            )
            for upload, content_type, extension in checked:
                photo = ReviewPhoto(review=review, content_type=content_type)
                upload.seek(0)
                photo.image.save(
                    private_name("reviews", extension), ContentFile(upload.read()), save=False
                )
                photo.save()
            if review.status == S.PUBLISHED:
                _published(review, now=now)
    except IntegrityError:
        raise _already_reviewed() from None
    return review


def _published(review: Review, *, now: dt.datetime) -> None:
    """A review just became public: scores now, the provider's notice after commit."""
    scores.scores_refresh(listing_id=review.listing_id, provider_id=review.provider_id, now=now)
    transaction.on_commit(lambda: _notify_provider(review))


def _notify_provider(review: Review) -> None:
    recipients = [m.user for m in review.provider.memberships.select_related("user")]
    notify(
        recipients=recipients,
        kind="review.published",
        title=str(_("收到一条新的服务评价")),
        body=f"{review.listing.title} · ★{review.overall}",
        link=reverse("ratings:provider-reviews", kwargs={"pk": review.provider_id}),
        dedupe_key=f"review:{review.pk}:published",
    )


# --- Reply and report --------------------------------------------------------------------------


def review_reply(*, review: Review, actor, text: str) -> ReviewReply:
    """The provider's one public reply to a published review of theirs."""
    if not is_staff_of(actor, review.provider_id):
        raise RatingsForbidden(_("只有该机构的工作人员可以回复这条评价。"), code="forbidden")
    text = _clean_text(text, field="text", max_chars=TEXT_MAX_CHARS, required=True)
    words = sensitive_words_in(text)
    if words:
        raise RatingsError(
            _("回复中含有不允许的内容：%(words)s。") % {"words": "、".join(words)},
            code="sensitive_words",
            field="text",
        )
    if review.status != S.PUBLISHED:
        raise RatingsConflict(_("只能回复已发布的评价。"), code="not_published")
    try:
        with transaction.atomic():
            list(Review.objects.select_for_update().filter(pk=review.pk).values_list("pk"))
            if ReviewReply.objects.filter(review_id=review.pk).exists():
                raise _already_replied()
            reply = ReviewReply.objects.create(review=review, author=actor, text=text)
            audit_record(actor=actor, action="review.reply", target=review)
            transaction.on_commit(lambda: _notify_resident_of_reply(review))
    except IntegrityError:
        raise _already_replied() from None
    return reply


def _already_replied() -> RatingsConflict:
    return RatingsConflict(
        _("机构已回复过这条评价，每条评价只能回复一次。"), code="already_replied"
    )


def _notify_resident_of_reply(review: Review) -> None:
    notify(
        recipients=[review.resident],
        kind="review.replied",
        title=str(_("机构回复了您的评价")),
        body=review.listing.title,
        link=reverse("ratings:listing-reviews", kwargs={"listing_id": review.listing_id}),
        dedupe_key=f"review:{review.pk}:reply",
    )


def review_report(*, review: Review, reporter, reason: str) -> ReviewReport:
    """Report a published review to the officials (anyone, signed in or not). A person's second
    report of the same review, while the first is open, is the same report."""
    reason = _clean_text(reason, field="reason", max_chars=REASON_MAX_CHARS, required=True)
    if review.status != S.PUBLISHED:
        raise RatingsConflict(_("这条评价当前不可举报。"), code="not_published")
    reporter = reporter if getattr(reporter, "is_authenticated", False) else None
    if reporter is not None:
        existing = ReviewReport.objects.filter(
            review=review, reporter=reporter, resolved_at__isnull=True
        ).first()
        if existing is not None:
            return existing
    return ReviewReport.objects.create(review=review, reporter=reporter, reason=reason)


# --- Moderation --------------------------------------------------------------------------------


def review_moderate(*, review: Review, official, action: str, reason: str) -> Review:
    """An official of the provider's jurisdiction publishes a held review, hides one, or
    restores one (which also dismisses reports against a published review). Open reports are
    resolved, the decision is audited and the scores follow."""
    if not official_covers(official, review.provider.division_id):
        raise RatingsForbidden(_("该评价不在您的管辖区域内。"), code="out_of_jurisdiction")
    if action not in MODERATION:
        raise RatingsError(_("未知的处理方式。"), code="unknown_action", field="action")
    reason = _clean_text(reason, field="reason", max_chars=REASON_MAX_CHARS, required=True)
    sources, target = MODERATION[action]
    now = timezone.now()
    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("provider")
            .get(pk=review.pk)
        )
        if review.status not in sources:
            raise RatingsConflict(
                _("评价当前状态为“%(status)s”，不能进行此操作。")
                % {"status": review.get_status_display()},
                code="illegal_transition",
            )
        source = review.status
        review.status = target
        review.moderation_reason = reason
        review.moderated_by = official
        review.save(update_fields=["status", "moderation_reason", "moderated_by"])
        resolved = ReviewReport.objects.filter(review=review, resolved_at__isnull=True).update(
            resolved_at=now
        )
        audit_record(
            actor=official,
            action="review.moderate",
            target=review,
            detail={
                "action": action,
                "from": source,
                "to": target,
                "reason": reason,
                "reports_resolved": resolved,
            },
        )
        if target == S.PUBLISHED:
            _published(review, now=now)
        else:
            scores.scores_refresh(
                listing_id=review.listing_id, provider_id=review.provider_id, now=now
            )
    return review
