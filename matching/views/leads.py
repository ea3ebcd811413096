"""The provider's leads: needs matched to its listings, the person's name masked; for a
referral (代办) its staff accept or decline before the deadline, and once accepted see the
name and phone they need to call back (an audited read)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from matching import selectors
from matching.forms import LeadAnswerForm
from matching.services import decisions
from portal.accounts.permissions import ProviderStaffRequiredMixin
from portal.errors import DomainError
from providers.views.common import staff_provider_or_404


def lead_rows(request, leads) -> list[dict]:
    decisions.lead_reads_record(viewer=request.user, leads=leads, request=request)
    return [
        {"lead": lead, "need": lead.need, "person": selectors.lead_person(lead)} for lead in leads
    ]


class LeadsView(ProviderStaffRequiredMixin, TemplateView):
    template_name = "matching/leads.html"

    def get_context_data(self, **kwargs):
        provider = staff_provider_or_404(self.request, self.kwargs["pk"])
        leads = selectors.lead_list_for_provider(provider=provider)[:200]
        return super().get_context_data(
            provider=provider,
            rows=lead_rows(self.request, leads),
            answer_form=LeadAnswerForm(),
            **kwargs,
        )


class LeadRespondView(ProviderStaffRequiredMixin, View):
    """Accept or decline (with a reason) a referral before its deadline."""

    def post(self, request, pk):
        lead = selectors.lead_get_for_staff(user=request.user, pk=pk)
        if lead is None:
            raise Http404
        form = LeadAnswerForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择接受或婉拒。"))
            return redirect("matching:leads", pk=lead.provider_id)
        accept = form.cleaned_data["answer"] == "accept"
        try:
            decisions.lead_respond(
                candidate=lead,
                actor=request.user,
                accept=accept,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("已接受转介，请尽快联系服务对象。") if accept else _("已婉拒这条转介。"),
            )
        return redirect("matching:leads", pk=lead.provider_id)


urlpatterns = [
    path("provider/organisations/<uuid:pk>/leads/", LeadsView.as_view(), name="leads"),
    path("provider/leads/<int:pk>/respond/", LeadRespondView.as_view(), name="lead-respond"),
]
