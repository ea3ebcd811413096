"""Officials' pages: providers in the jurisdiction, the review queue, decisions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from portal.accounts.permissions import OfficialRequiredMixin
from portal.audit.services import audit_record
from providers import selectors
from providers.domains import Domain, domains_of_department
from providers.errors import ProviderError
from providers.forms import DecisionForm
from providers.models import ReviewEvent
from providers.services import review


class OfficialProviderListView(OfficialRequiredMixin, ListView):
    template_name = "providers/official_list.html"
    context_object_name = "providers"
    paginate_by = 50

    def get_queryset(self):
        return selectors.provider_list_for_official(official=self.request.user)


class ReviewQueueView(OfficialRequiredMixin, ListView):
    template_name = "providers/review_queue.html"
    context_object_name = "providers"
    paginate_by = 50

    def get_queryset(self):
        domain = self.request.GET.get("domain") or None
        if domain and domain not in Domain.values:
            domain = None
        return selectors.review_queue(official=self.request.user, domain=domain)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            summary=selectors.review_queue_summary(official=user),
            domains=[(d, Domain(d).label) for d in domains_of_department(user.department)],
            selected=self.request.GET.get("domain", ""),
            **kwargs,
        )


DECISIONS = [
    (ReviewEvent.Action.APPROVE, "approve"),
    (ReviewEvent.Action.RETURN, "return"),
    (ReviewEvent.Action.REJECT, "reject"),
    (ReviewEvent.Action.SUSPEND, "suspend"),
    (ReviewEvent.Action.REINSTATE, "reinstate"),
    (ReviewEvent.Action.REVOKE, "revoke"),
]


class OfficialProviderDetailView(OfficialRequiredMixin, TemplateView):
    """An organisation outside the official's jurisdiction does not exist for them (404).
    Staff names are shown in full to the reviewing official, and the read is audited."""

    template_name = "providers/official_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        provider = selectors.provider_get_for_official(official=user, pk=self.kwargs["pk"])
        if provider is None:
            raise Http404
        staff = list(provider.staff.all())
        audit_record(
            actor=user,
            action="personal_data.read",
            target=provider,
            detail={
                "staff": [s.pk for s in staff],
                "fields": ["name", "legal_representative"],
                "purpose": "registration_review",
            },
            request=self.request,
        )
        may_decide = review.official_may_review(user, provider)
        actions = [
            (action, ReviewEvent.Action(action).label)
            for action, _slug in DECISIONS
            if may_decide and provider.status in review.TRANSITIONS[action].sources
        ]
        return super().get_context_data(
            provider=provider,
            staff_members=staff,
            branches=provider.branches.all(),
            licences=provider.licences.all(),
            events=provider.review_events.all(),
            actions=actions,
            form=DecisionForm(),
            may_decide=may_decide,
            **kwargs,
        )


class DecisionView(OfficialRequiredMixin, View):
    def post(self, request, pk, action):
        provider = selectors.provider_get_for_official(official=request.user, pk=pk)
        if provider is None:
            raise Http404
        form = DecisionForm(request.POST)
        form.is_valid()
        try:
            review.provider_transition(
                provider=provider,
                action=action,
                actor=request.user,
                reason=form.cleaned_data.get("reason", ""),
                request=request,
            )
        except ProviderError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("已完成：%(action)s") % {"action": ReviewEvent.Action(action).label}
            )
        return redirect("providers:official-detail", pk=pk)
