"""Pages of the socialorgs app: charity."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
