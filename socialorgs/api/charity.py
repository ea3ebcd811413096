"""API of the socialorgs app: charity (routes under /api/v1/socialorgs/)."""

from django.urls import path  # noqa: F401

routes: list = []
