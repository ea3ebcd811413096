"""Pages of the socialorgs app: credit."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
