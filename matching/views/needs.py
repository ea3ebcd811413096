"""Need pages: a resident posts a need and follows it (the run's progress, then the proposed
candidate with its reasons, alternatives, accept / decline / withdraw); a community worker
(an official) does the same for an elderly person without web access (代办)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from matching import selectors
from matching.forms import DeclineForm, NeedForm
from matching.models import Candidate, Need
from matching.services import decisions
from matching.services import needs as service
from portal.accounts.permissions import OfficialRequiredMixin, ResidentRequiredMixin
from portal.errors import DomainError
from services.models import Address, Dependant


def need_url(need: Need) -> str:
    name = "matching:proxy-need" if need.proxy_name else "matching:my-need"
    return reverse(name, kwargs={"pk": need.pk})


def _owned_need(request, pk) -> Need:
    need = selectors.need_get_for_owner(user=request.user, pk=pk)
    if need is None:
        raise Http404
    return need


def need_context(need: Need) -> dict:
    """What the need page shows: the run in progress, or the latest run's candidates."""
    candidates = list(selectors.candidate_list_for_need(need))
    proposed = [c for c in candidates if c.status == Candidate.Status.PROPOSED]
    return {
        "need": need,
        "pending_run": selectors.need_run_pending(need),
        "candidates": candidates,
        "proposed": proposed[0] if proposed else None,
        "alternatives": proposed[1:],
        "decided": [c for c in candidates if c.status != Candidate.Status.PROPOSED],
        "can_decide": need.status in Need.OPEN_STATES,
        "decline_form": DeclineForm(),
    }


# --- Lists and forms -----------------------------------------------------------------------------


class MyNeedsView(ResidentRequiredMixin, TemplateView):
    template_name = "matching/my_needs.html"

    def get_context_data(self, **kwargs):
        needs = selectors.need_list_for_owner(user=self.request.user)[:100]
        return super().get_context_data(needs=needs, **kwargs)


class NeedCreateView(ResidentRequiredMixin, FormView):
    template_name = "matching/need_form.html"
    form_class = NeedForm
    proxy = False

    def get_form_kwargs(self):
        user = self.request.user
        kwargs = {**super().get_form_kwargs(), "proxy": self.proxy}
        if not self.proxy:
            kwargs["addresses"] = Address.objects.filter(owner=user)
            kwargs["dependants"] = Dependant.objects.filter(owner=user, removed_at__isnull=True)
        return kwargs

    def get_initial(self):
        initial = {"domain": self.request.GET.get("domain", "eldercare"), "place": "home"}
        if not self.proxy:
            default = Address.objects.filter(owner=self.request.user).first()
            initial["address"] = str(default.pk) if default else ""
        return initial

    def form_valid(self, form):
        try:
            need = service.need_create(resident=self.request.user, data=form.to_service_data())
        except DomainError as exc:
            form.apply_error(exc)
            return self.form_invalid(form)
        messages.success(self.request, _("需求已发布，正在为您匹配服务。"))
        return redirect(need_url(need))


class ProxyNeedsView(OfficialRequiredMixin, TemplateView):
    template_name = "matching/proxy_needs.html"

    def get_context_data(self, **kwargs):
        needs = selectors.need_list_for_owner(user=self.request.user)[:100]
        return super().get_context_data(needs=needs, **kwargs)


class ProxyNeedCreateView(OfficialRequiredMixin, NeedCreateView):
    """代办: an official posts for an elderly person without web access."""

    proxy = True  # the official's role_predicate comes first on the MRO


# --- One need -------------------------------------------------------------------------------------


class NeedDetailView(ResidentRequiredMixin, TemplateView):
    template_name = "matching/need_detail.html"

    def get_context_data(self, **kwargs):
        need = _owned_need(self.request, self.kwargs["pk"])
        return super().get_context_data(**need_context(need), **kwargs)


class ProxyNeedDetailView(OfficialRequiredMixin, NeedDetailView):
    """The official's role rule comes first on the MRO, so its `role_predicate` applies."""


class NeedProgressView(LoginRequiredMixin, View):
    """The htmx fragment polled while the need's run is queued or running; once it is done,
    htmx reloads the page to show the candidates."""

    def get(self, request, pk):
        need = _owned_need(request, pk)
        run = selectors.need_run_pending(need)
        if run is None:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        html = render_to_string(
            "matching/partials/progress.html", {"need": need, "run": run}, request=request
        )
        return HttpResponse(html)


class NeedWithdrawView(LoginRequiredMixin, View):
    def post(self, request, pk):
        need = _owned_need(request, pk)
        try:
            service.need_withdraw(need=need, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("需求已撤回。"))
        return redirect(need_url(need))


class CandidateDecisionView(LoginRequiredMixin, View):
    """Accept or decline (with a reason) one candidate of one of my needs."""

    decision = "accept"

    def post(self, request, pk):
        candidate = selectors.candidate_get_for_owner(user=request.user, pk=pk)
        if candidate is None:
            raise Http404
        need = candidate.need
        try:
            if self.decision == "accept":
                candidate = decisions.candidate_accept(candidate=candidate, resident=request.user)
                if candidate.booking_id:
                    messages.success(
                        request,
                        _("已预约 %(title)s，预约编号 %(ref)s。")
                        % {"title": candidate.listing.title, "ref": candidate.booking.reference},
                    )
                else:
                    messages.success(request, _("已转介给服务机构，机构将在 24 小时内答复。"))
            else:
                decisions.candidate_decline(
                    candidate=candidate,
                    resident=request.user,
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("已婉拒这条推荐。"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(need_url(need))


urlpatterns = [
    path("me/needs/", MyNeedsView.as_view(), name="my-needs"),
    path("me/needs/new/", NeedCreateView.as_view(), name="need-new"),
    path("me/needs/<int:pk>/", NeedDetailView.as_view(), name="my-need"),
    path("me/needs/<int:pk>/progress/", NeedProgressView.as_view(), name="need-progress"),
    path("me/needs/<int:pk>/withdraw/", NeedWithdrawView.as_view(), name="need-withdraw"),
    path(
        "me/needs/candidates/<int:pk>/accept/",
        CandidateDecisionView.as_view(decision="accept"),
        name="candidate-accept",
    ),
    path(
        "me/needs/candidates/<int:pk>/decline/",
        CandidateDecisionView.as_view(decision="decline"),
        name="candidate-decline",
    ),
    path("official/needs/", ProxyNeedsView.as_view(), name="proxy-needs"),
    path("official/needs/new/", ProxyNeedCreateView.as_view(), name="proxy-need-new"),
    path("official/needs/<int:pk>/", ProxyNeedDetailView.as_view(), name="proxy-need"),
]
