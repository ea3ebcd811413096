"""Page URLs of the ratings app (mounted by portal.urls): each sub-domain's views module
brings its own patterns."""

from ratings.views import complaints, credit, dashboard, inspections, reviews

app_name = "ratings"

urlpatterns = [
    *reviews.urlpatterns,
    *inspections.urlpatterns,
    *complaints.urlpatterns,
    *credit.urlpatterns,
    *dashboard.urlpatterns,
]
