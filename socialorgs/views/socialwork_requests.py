"""Residents' pages of social work: request a service near home, follow it (the proposed
project with the reasons it was chosen; accept, decline or cancel) and review it once the
organisation completed it.

Thin views: reads through socialorgs.selectors.socialwork (someone else's request is a 404),
writes through socialorgs.services.socialwork, whose errors go back on the form fields."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from portal.accounts.permissions import ResidentRequiredMixin
from portal.forms import apply_domain_error
from ratings.dimensions import LABELS
from socialorgs.errors import SocialOrgError
from socialorgs.forms_socialwork import RequestActionForm, RequestForm, SocialWorkReviewForm
from socialorgs.models import ServiceRequest, TargetGroup
from socialorgs.selectors import socialwork as selectors
from socialorgs.services import socialwork as services
from socialorgs.services.socialwork.common import proposal_deadline
from socialorgs.services.socialwork.matching import COMPONENTS, REASONS
from socialorgs.services.socialwork.reviews import review_deadline

COMPONENT_LABELS = {
    "distance": gettext_lazy("距离"),
    "quality": gettext_lazy("服务评价"),
    "evaluation": gettext_lazy("社会组织评估等级"),
    "credit": gettext_lazy("信用等级"),
}


class RequestListView(ResidentRequiredMixin, TemplateView):
    """我的社会工作服务申请."""

    template_name = "socialorgs/socialwork/requests.html"

    def get_context_data(self, **kwargs):
        requests = selectors.request_list_for_resident(user=self.request.user)
        return super().get_context_data(requests=requests[: selectors.LIST_LIMIT], **kwargs)


class RequestCreateView(ResidentRequiredMixin, FormView):
    """Ask for social-work service at home; the match run proposes a project."""

    template_name = "socialorgs/socialwork/request_new.html"

    def get_form(self, form_class=None):
        return RequestForm(**self.get_form_kwargs(), user=self.request.user)

    def get_initial(self):
        group = self.request.GET.get("target_group", "")
        return {"target_group": group} if group in TargetGroup.values else {}

    def form_valid(self, form):
        try:
            service_request = services.service_request_create(
                resident=self.request.user, data=form.service_data(), request=self.request
            )
        except SocialOrgError as exc:
            apply_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("申请已提交，平台正在为您匹配附近的服务项目。"))
        return redirect("socialorgs:sw-request", pk=service_request.pk)


def explanation_rows(service_request: ServiceRequest) -> list[dict]:
    """The proposal's score components as the resident reads them (percent of full marks)."""
    components = (service_request.match_explanation or {}).get("components") or {}
    return [
        {"label": COMPONENT_LABELS[c], "percent": round(float(components[c]) * 100)}
        for c in COMPONENTS
        if c in components
    ]


class RequestDetailView(ResidentRequiredMixin, TemplateView):
    """One request of the resident's: its state, the proposed project and why; accept,
    decline or cancel (POST `action`)."""

    template_name = "socialorgs/socialwork/request.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_resident:
            self.object = selectors.request_get_for_resident(user=request.user, pk=kwargs["pk"])
            if self.object is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        service_request = self.object
        review = getattr(service_request, "review", None)
        return super().get_context_data(
            service_request=service_request,
            explanation=explanation_rows(service_request),
            distance_km=(service_request.match_explanation or {}).get("distance_km"),
            unmatched_reason=REASONS.get(service_request.unmatched_reason, ""),
            proposal_deadline=proposal_deadline(service_request),
            review=review,
            may_review=service_request.status == ServiceRequest.Status.COMPLETED and not review,
            cancellable=service_request.status in (*ServiceRequest.MATCHABLE, "proposed"),
            **kwargs,
        )

    def post(self, request, pk):
        form = RequestActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择要进行的操作。"))
            return redirect("socialorgs:sw-request", pk=pk)
        action = form.cleaned_data["action"]
        reason = form.cleaned_data["reason"]
        arguments = {"service_request": self.object, "resident": request.user, "request": request}
        try:
            if action == "accept":
                services.service_request_accept(**arguments)
                messages.success(request, _("已接受推荐，服务机构将与您联系。"))
            elif action == "decline":
                services.service_request_decline(**arguments, reason=reason)
                messages.success(request, _("已婉拒该项目，平台将为您重新匹配。"))
            else:
                services.service_request_cancel(**arguments, reason=reason)
                messages.success(request, _("申请已取消。"))
        except SocialOrgError as exc:
            messages.error(request, exc.message)
        return redirect("socialorgs:sw-request", pk=pk)


class ReviewView(ResidentRequiredMixin, FormView):
    """Review a completed service once (ratings' dimensions for social work)."""

    template_name = "socialorgs/socialwork/review.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_resident:
            self.object = selectors.request_get_for_resident(user=request.user, pk=kwargs["pk"])
            if self.object is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return SocialWorkReviewForm(**self.get_form_kwargs())

    def get_context_data(self, **kwargs):
        service_request = self.object
        problem = ""
        try:
            services.review_check_eligible(
                service_request=service_request, resident=self.request.user
            )
        except SocialOrgError as exc:
            problem = exc.message
        return super().get_context_data(
            service_request=service_request,
            problem=problem,
            deadline=review_deadline(service_request),
            labels=LABELS,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            review = services.project_review_create(
                service_request=self.object,
                resident=self.request.user,
                request=self.request,
                **form.service_data(),
            )
        except SocialOrgError as exc:
            apply_domain_error(form, exc)
            return self.form_invalid(form)
        if review.status == review.Status.HELD:
            messages.info(self.request, _("感谢评价！评价内容需审核后公开。"))
        else:
            messages.success(self.request, _("感谢您的评价！"))
        return redirect("socialorgs:sw-request", pk=self.object.pk)
