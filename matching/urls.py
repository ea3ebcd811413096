"""Page URLs of the matching app (mounted by portal.urls): each sub-domain's views module
brings its own patterns."""

from matching.views import gaps, leads, needs

app_name = "matching"

urlpatterns = [
    *needs.urlpatterns,
    *leads.urlpatterns,
    *gaps.urlpatterns,
]
