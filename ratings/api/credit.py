"""credit API."""

urlpatterns: list = []
