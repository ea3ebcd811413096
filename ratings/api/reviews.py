"""reviews API."""

urlpatterns: list = []
