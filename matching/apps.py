from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    """Residents' needs, match runs on the `matching` queue, supply/demand gaps (issue 7)."""

    name = "matching"
    verbose_name = _("供需匹配")

    def ready(self) -> None:
        from portal import navigation

        navigation.register("official", _("代办需求"), "matching:proxy-needs", order=55)
        navigation.register("official", _("供需缺口"), "matching:gaps", order=60)
