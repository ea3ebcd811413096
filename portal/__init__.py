"""The portal project package: settings, root URLs, the Celery app and cross-cutting apps."""

from portal.celery import app as celery_app

__all__ = ["celery_app"]
