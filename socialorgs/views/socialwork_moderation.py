"""Moderation of residents' reviews of social-work services: the 民政 officials' queue of held
reviews in their jurisdiction (held for a listed word, or reported by a resident) with 发布 and
屏蔽 on each row, and a resident's report of a published review on the project's page.

Thin views: reads through socialorgs.selectors.socialwork (a review outside the official's
jurisdiction is a 404; an official of another department a 403), writes through
socialorgs.services.socialwork. htmx swaps the decided row; without JavaScript the forms post
and the page comes back with a message."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from portal.accounts.permissions import ResidentRequiredMixin
from socialorgs.errors import SocialOrgError
from socialorgs.forms_socialwork import ReviewModerationForm, ReviewReportForm
from socialorgs.selectors import socialwork as selectors
from socialorgs.services import socialwork as services
from socialorgs.views.socialwork_desk import CivilAffairsMixin
from socialorgs.views.socialwork_public import is_htmx

ROW_TEMPLATE = "socialorgs/socialwork/partials/moderation_row.html"


def _row_context(review) -> dict:
    review.pieces = selectors.moderation_text(review)
    return {"review": review}


class ReviewModerationView(CivilAffairsMixin, TemplateView):
    """The held reviews of the official's jurisdiction, oldest first: the text with phone
    and ID numbers masked and the listed words marked, the residents' reports, and a 发布 and
    a 屏蔽 form on each."""

    template_name = "socialorgs/socialwork/review_moderation.html"

    def get_context_data(self, **kwargs):
        queue = selectors.review_moderation_queue(official=self.request.user)
        reviews = list(queue[: selectors.LIST_LIMIT])
        for review in reviews:
            _row_context(review)
        return super().get_context_data(reviews=reviews, **kwargs)


class ReviewModerateView(CivilAffairsMixin, View):
    """Publish or hide one review (POST `action`, `reason`). htmx gets the row back (the
    decision, or the form with the error); a plain form a redirect with a message."""

    def post(self, request, pk):
        review = selectors.review_get_for_moderation(official=request.user, pk=pk)
        if review is None:
            raise Http404
        form = ReviewModerationForm(request.POST)
        error = None
        if not form.is_valid():
            error = SocialOrgError(_("请选择发布或屏蔽，原因不超过 300 字。"), code="invalid")
        else:
            try:
                review = services.project_review_moderate(
                    review=review,
                    official=request.user,
                    action=form.cleaned_data["action"],
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except SocialOrgError as exc:
                error = exc
        if is_htmx(request):
            context = {**_row_context(review), "error": error, "decided": error is None}
            return HttpResponse(render_to_string(ROW_TEMPLATE, context, request=request))
        if error is not None:
            messages.error(request, error.message)
        elif review.status == review.Status.PUBLISHED:
            messages.success(request, _("评价已发布，计入项目评分。"))
        else:
            messages.success(request, _("评价已屏蔽，已通知评价人。"))
        return redirect("socialorgs:sw-review-moderation")


class ReviewReportView(ResidentRequiredMixin, View):
    """A resident reports a published review (POST `reason`): it is held until an official
    decides. Back to the project's page with a message either way."""

    def post(self, request, pk):
        review = selectors.review_get_published(pk=pk)
        if review is None:
            raise Http404
        form = ReviewReportForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写举报原因（不超过 300 字）。"))
        else:
            try:
                services.project_review_report(
                    review=review,
                    reporter=request.user,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except SocialOrgError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("已收到您的举报，该评价暂停公开，等待民政部门审核。"))
        return redirect("socialorgs:project-detail", pk=review.project_id)
