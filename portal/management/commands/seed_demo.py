"""Load the demo city: `manage.py seed_demo [--scale N] [--if-empty]`.

Each app contributes its part in a `demo` module with `seed(*, scale, log)`, run in the order of
INSTALLED_APPS inside one transaction. Running it twice changes nothing the second time.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Create the demo city (accounts for each role, providers); idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Copies of the generated city (1 = about 320 organisations and 900 listings; "
            "250 reaches about 200k listings for benchmarks).",
        )
        parser.add_argument(
            "--minimal",
            action="store_true",
            help="Only the personas and their organisations (fast; used by tests).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has users (used by `make run`).",
        )

    def handle(self, *args, scale: int, if_empty: bool, minimal: bool, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a published password, so it runs only with "
                "DEBUG=true."
            )
        if scale < 1 or scale > 100_000:
            raise CommandError("--scale must be between 1 and 100000.")
        if if_empty and get_user_model().objects.exists():
            self.stdout.write("Database already has data; demo city not loaded again.")
            return

        with transaction.atomic():
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if find_spec(module_name) is None:
                    continue
                import_module(module_name).seed(scale=scale, minimal=minimal, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Demo city ready (scale {scale})."))
