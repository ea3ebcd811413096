"""reviews pages (filled by its issue work)."""

urlpatterns: list = []
