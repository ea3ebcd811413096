"""Page URLs of the services app (mounted by portal.urls)."""

app_name = "services"
urlpatterns: list = []
