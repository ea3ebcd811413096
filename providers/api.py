"""Providers API (read-only in the foundation): each viewer sees what selectors allow."""

from __future__ import annotations

from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from providers import selectors
from providers.filters import ProviderFilter
from providers.models import Provider
from providers.serializers import ProviderSerializer


class ProviderViewSet(viewsets.ReadOnlyModelViewSet):
    """Officials see their jurisdiction, staff their own organisations, everyone else approved."""

    permission_classes = [AllowAny]
    serializer_class = ProviderSerializer
    filterset_class = ProviderFilter
    queryset = Provider.objects.none()
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return selectors.provider_list_visible(viewer=self.request.user)
