from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    """The open-data catalogue, releases and publication jobs on the `opendata` queue (issue 8).

    The label is lower-case so table names need no quoting in hand-written SQL.
    """

    name = "openData"
    label = "opendata"
    verbose_name = _("数据开放")
