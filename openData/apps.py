from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    """The open-data catalogue, releases and publication jobs on the `opendata` queue (issue 8).

    The label is lower-case so table names need no quoting in hand-written SQL.
    """

    name = "openData"
    label = "opendata"
    verbose_name = _("数据开放")

    def ready(self) -> None:
        from openData import datasets  # noqa: F401 - registers the built-in builders
        from portal import navigation

        navigation.register("official", _("数据开放"), "opendata:console", order=70)

        post_migrate.connect(_sync_catalogue, sender=self)


def _sync_catalogue(**kwargs) -> None:
    """Every migrate adds built-in datasets that are missing (officials' edits are kept)."""
    from openData.services.catalogue import catalogue_sync

    catalogue_sync()
