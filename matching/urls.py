"""Page URLs of the matching app (mounted by portal.urls)."""

app_name = "matching"
urlpatterns: list = []
