"""inspections pages (filled by its issue work)."""

urlpatterns: list = []
