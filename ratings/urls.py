"""Page URLs of the ratings app (mounted by portal.urls)."""

app_name = "ratings"
urlpatterns: list = []
