"""Recompute every listing's search lexemes: `manage.py search_rebuild` (idempotent)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from services.services.listings import listings_reindex


class Command(BaseCommand):
    help = "Re-segment every listing's text (jieba + pinyin) for the search index."

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        count = listings_reindex()
        self.stdout.write(
            self.style.SUCCESS(f"{count} listings re-indexed in {time.monotonic() - started:.1f} s")
        )
