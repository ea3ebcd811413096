"""API URLs of the ratings app (mounted under /api/v1/ by portal.urls)."""

from ratings.api import complaints, credit, dashboard, inspections, reviews

urlpatterns = [
    *reviews.urlpatterns,
    *inspections.urlpatterns,
    *complaints.urlpatterns,
    *credit.urlpatterns,
    *dashboard.urlpatterns,
]
