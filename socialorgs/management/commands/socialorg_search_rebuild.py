"""Recompute every social organisation's search vector: `manage.py socialorg_search_rebuild`
(idempotent)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from socialorgs.services.registry import orgs_reindex


class Command(BaseCommand):
    help = "Re-segment every social organisation's name, code, scope and address (jieba + pinyin)."

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        count = orgs_reindex()
        self.stdout.write(
            self.style.SUCCESS(
                f"{count} social organisations re-indexed in {time.monotonic() - started:.1f} s"
            )
        )
