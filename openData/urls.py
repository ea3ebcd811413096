"""Page URLs of the openData app (mounted by portal.urls)."""

app_name = "opendata"
urlpatterns: list = []
