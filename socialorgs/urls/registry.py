"""Pages of the socialorgs app: registry."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
