"""Pages of the socialorgs app: socialwork."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
