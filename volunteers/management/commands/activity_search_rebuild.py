"""Recompute every activity's search vector: `manage.py activity_search_rebuild` (idempotent)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from volunteers.services import activities_reindex


class Command(BaseCommand):
    help = "Re-segment every volunteer activity's text (jieba + pinyin) for the search index."

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        count = activities_reindex()
        self.stdout.write(
            self.style.SUCCESS(
                f"{count} activities re-indexed in {time.monotonic() - started:.1f} s"
            )
        )
