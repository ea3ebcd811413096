from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    """Residents' needs, match runs on the `matching` queue, supply/demand gaps (issue 7)."""

    name = "matching"
    verbose_name = _("供需匹配")

    def ready(self) -> None:
        from matching import personal_data as sections
        from portal import navigation
        from portal.accounts import personal_data

        personal_data.register(
            "needs", _("我的服务需求"), export=sections.export_needs, erase=sections.erase_needs
        )

        navigation.register("official", _("代办需求"), "matching:proxy-needs", order=55)
        navigation.register("official", _("供需缺口"), "matching:gaps", order=60)
