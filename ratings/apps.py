from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    """Reviews, inspections and grades, quality scores, complaints, credit records (issue 6)."""

    name = "ratings"
    verbose_name = _("质量与信用")

    def ready(self) -> None:
        from portal import navigation
        from portal.accounts import personal_data
        from ratings import personal_data as sections
        from ratings import receivers  # noqa: F401 - connects the credit receivers

        personal_data.register("complaints", _("我的投诉"), export=sections.export_complaints)
        personal_data.register_retention("complaints", purge=sections.purge_complaints)

        navigation.register("official", _("质量监管看板"), "ratings:dashboard", order=15)
        navigation.register("official", _("投诉处理"), "ratings:complaint-board", order=20)
        navigation.register("official", _("评价审核"), "ratings:moderation", order=30)
        navigation.register("official", _("监督检查"), "ratings:inspections", order=40)
        navigation.register("official", _("信用监管"), "ratings:credit-lists", order=50)
