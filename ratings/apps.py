from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    """Reviews, inspections and grades, quality scores, complaints, credit records (issue 6)."""

    name = "ratings"
    verbose_name = _("质量与信用")
