from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    """Residents' needs, match runs on the `matching` queue, supply/demand gaps (issue 7)."""

    name = "matching"
    verbose_name = _("供需匹配")
