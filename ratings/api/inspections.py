"""inspections API."""

urlpatterns: list = []
