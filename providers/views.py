"""Provider pages: officials' list and detail within their jurisdiction; staff's own desk."""

from __future__ import annotations

from django.http import Http404
from django.views.generic import DetailView, ListView

from portal.accounts.permissions import OfficialRequiredMixin, ProviderStaffRequiredMixin
from portal.audit.services import audit_record
from providers import selectors


class OfficialProviderListView(OfficialRequiredMixin, ListView):
    template_name = "providers/official_list.html"
    context_object_name = "providers"
    paginate_by = 50

    def get_queryset(self):
        return selectors.provider_list_for_official(official=self.request.user)


class OfficialProviderDetailView(OfficialRequiredMixin, DetailView):
    """An organisation outside the official's jurisdiction does not exist for them (404)."""

    template_name = "providers/official_detail.html"
    context_object_name = "provider"

    def get_object(self, queryset=None):
        provider = selectors.provider_get_for_official(
            official=self.request.user, pk=self.kwargs["pk"]
        )
        if provider is None:
            raise Http404
        audit_record(
            actor=self.request.user, action="provider.viewed", target=provider, request=self.request
        )
        return provider


class StaffHomeView(ProviderStaffRequiredMixin, ListView):
    template_name = "providers/staff_home.html"
    context_object_name = "providers"

    def get_queryset(self):
        return selectors.provider_list_for_staff(user=self.request.user)
