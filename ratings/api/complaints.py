"""complaints API."""

urlpatterns: list = []
