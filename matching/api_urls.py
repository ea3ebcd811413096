"""API URLs of the matching app (mounted under /api/v1/ by portal.urls)."""

from matching.api import urlpatterns as needs

urlpatterns = [*needs]
