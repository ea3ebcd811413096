"""Review pages: a resident writes a review of a completed booking; the public reads a
listing's reviews and may report one; provider staff reply; officials moderate."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from portal.accounts.permissions import (
    OfficialRequiredMixin,
    ProviderStaffRequiredMixin,
    ResidentRequiredMixin,
)
from portal.errors import DomainError
from portal.uploads import upload_response
from providers.views.common import staff_provider_or_404
from ratings import selectors
from ratings.forms_reviews import ModerationForm, ReplyForm, ReportForm, ReviewForm
from ratings.services import reviews
from services import selectors as service_selectors


def _show_error(form, error: DomainError) -> None:
    """Put each of a domain error's field messages on the form's field, the rest on top."""
    fields = error.field_errors()
    if not fields:
        form.add_error(None, str(error.message))
    for name, problems in fields.items():
        for problem in problems:
            form.add_error(name if name in form.fields else None, str(problem))


class ReviewCreateView(ResidentRequiredMixin, FormView):
    """Write the one review of a completed booking; the page says why when it cannot be."""

    template_name = "ratings/reviews/write.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.booking = service_selectors.booking_get_for_resident(
                user=request.user, pk=kwargs["pk"]
            )
            if self.booking is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return ReviewForm(domain=self.booking.listing.category.domain, **self.get_form_kwargs())

    def get_context_data(self, **kwargs):
        return super().get_context_data(booking=self.booking, **kwargs)

    def _refused(self, error: DomainError):
        context = self.get_context_data(refusal=error.message)
        return self.render_to_response(context, status=error.status)

    def get(self, request, *args, **kwargs):
        try:
            deadline = reviews.review_check_eligible(booking=self.booking, resident=request.user)
        except DomainError as exc:
            return self._refused(exc)
        return self.render_to_response(self.get_context_data(deadline=deadline))

    def form_invalid(self, form, status: int = 400):
        return self.render_to_response(self.get_context_data(form=form), status=status)

    def form_valid(self, form):
        try:
            review = reviews.review_create(
                booking=self.booking, resident=self.request.user, **form.service_data()
            )
        except DomainError as exc:
            if not exc.field_errors():
                return self._refused(exc)
            _show_error(form, exc)
            return self.form_invalid(form, status=exc.status)
        if review.status == review.Status.HELD:
            messages.info(self.request, _("评价已提交，审核通过后公开展示。"))
        else:
            messages.success(self.request, _("感谢您的评价！"))
        return redirect("services:my-booking", pk=self.booking.pk)


class ReviewListMixin:
    """A list of reviews, each with its own action form (unique ids; a failed one keeps the
    input and its errors and the page answers 400)."""

    form_class: type | None = None  # the form under each review
    paginate_by = 20
    context_object_name = "reviews"

    def attach_forms(self, page, failed=None):
        failed_id, failed_form = failed or (None, None)
        for review in page:
            if review.pk == failed_id:
                review.action_form = failed_form
            else:
                review.action_form = self.form_class(auto_id=f"review{review.pk}_%s")
        return page

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        self.attach_forms(context["reviews"], getattr(self, "failed", None))
        return context

    def render_failed(self, review_id: int, form, error: DomainError | None = None):
        """The list again, the failed form with its input and errors, the reason on top."""
        self.failed = (review_id, form)
        self.object_list = self.get_queryset()
        if error is not None:
            _show_error(form, error)
        message = error.message if error is not None else _("提交的内容有误，请检查标出的项目。")
        context = self.get_context_data(page_error=message, failed_review_id=review_id)
        return self.render_to_response(context, status=error.status if error else 400)


class ListingReviewsView(ReviewListMixin, ListView):
    """A public listing's published reviews, reviewer names masked, with a report form."""

    template_name = "ratings/reviews/listing.html"
    form_class = ReportForm

    def dispatch(self, request, *args, **kwargs):
        self.listing = service_selectors.listing_get_public(pk=kwargs["listing_id"])
        if self.listing is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.review_list_public(listing=self.listing)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            listing=self.listing,
            summary=selectors.review_score_summary(listing=self.listing),
            **kwargs,
        )


class ReviewReportView(ListingReviewsView):
    """Report a published review (signed in or not); it goes to the officials' queue."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        self.review = selectors.review_get_published(pk=kwargs["pk"])
        if self.review is None:
            raise Http404
        kwargs["listing_id"] = self.review.listing_id
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, pk, **kwargs):
        form = ReportForm(request.POST, auto_id=f"review{pk}_%s")
        if not form.is_valid():
            return self.render_failed(pk, form)
        try:
            reviews.review_report(review=self.review, reporter=request.user, **form.cleaned_data)
        except DomainError as exc:
            return self.render_failed(pk, form, exc)
        messages.success(request, _("已收到您的举报，监管人员会尽快处理。"))
        return redirect("ratings:listing-reviews", listing_id=self.review.listing_id)


class ReviewPhotoView(View):
    """A review photo: public with a published review, otherwise only for its author, the
    provider's staff and the officials covering the provider."""

    def get(self, request, photo_id):
        photo = selectors.review_photo_get_visible(viewer=request.user, pk=photo_id)
        if photo is None:
            raise Http404
        return upload_response(
            photo.image, content_type=photo.content_type, cache_control="private, max-age=600"
        )


class ProviderReviewsView(ProviderStaffRequiredMixin, ReviewListMixin, ListView):
    """The organisation's reviews, with a reply form under each one not yet answered."""

    template_name = "ratings/reviews/provider.html"
    form_class = ReplyForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.provider = staff_provider_or_404(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.review_list_for_provider(provider=self.provider)

    def get_context_data(self, **kwargs):
        return super().get_context_data(provider=self.provider, **kwargs)


class ReviewReplyView(ProviderReviewsView):
    http_method_names = ["post"]

    def post(self, request, pk, review_id):
        review = self.get_queryset().filter(pk=review_id).first()
        if review is None:
            raise Http404
        form = ReplyForm(request.POST, auto_id=f"review{review_id}_%s")
        if not form.is_valid():
            return self.render_failed(review_id, form)
        try:
            reviews.review_reply(review=review, actor=request.user, text=form.cleaned_data["text"])
        except DomainError as exc:
            return self.render_failed(review_id, form, exc)
        messages.success(request, _("回复已发布。"))
        return redirect("ratings:provider-reviews", pk=pk)


class ModerationQueueView(OfficialRequiredMixin, ReviewListMixin, ListView):
    """Held reviews and reported reviews in the official's jurisdiction, oldest first."""

    template_name = "ratings/reviews/moderation.html"
    form_class = ModerationForm

    def get_queryset(self):
        return selectors.review_moderation_queue(official=self.request.user)


class ReviewModerateView(ModerationQueueView):
    """Publish, hide or restore one review, with a reason (a review outside the official's
    jurisdiction does not exist for them)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        review = selectors.review_get_for_moderation(official=request.user, pk=pk)
        if review is None:
            raise Http404
        form = ModerationForm(request.POST, auto_id=f"review{pk}_%s")
        if not form.is_valid():
            return self.render_failed(pk, form)
        try:
            reviews.review_moderate(review=review, official=request.user, **form.cleaned_data)
        except DomainError as exc:
            return self.render_failed(pk, form, exc)
        messages.success(request, _("已处理。"))
        return redirect("ratings:moderation")


urlpatterns = [
    path("me/bookings/<uuid:pk>/review/", ReviewCreateView.as_view(), name="review-new"),
    path(
        "services/<int:listing_id>/reviews/", ListingReviewsView.as_view(), name="listing-reviews"
    ),
    path("reviews/<int:pk>/report/", ReviewReportView.as_view(), name="review-report"),
    path("reviews/photos/<int:photo_id>/", ReviewPhotoView.as_view(), name="review-photo"),
    path(
        "provider/organisations/<uuid:pk>/reviews/",
        ProviderReviewsView.as_view(),
        name="provider-reviews",
    ),
    path(
        "provider/organisations/<uuid:pk>/reviews/<int:review_id>/reply/",
        ReviewReplyView.as_view(),
        name="review-reply",
    ),
    path("official/reviews/", ModerationQueueView.as_view(), name="moderation"),
    path(
        "official/reviews/<int:pk>/moderate/", ReviewModerateView.as_view(), name="review-moderate"
    ),
]
