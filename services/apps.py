from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    """Listings, schedules, slots, bookings and the payment hold (issue 5)."""

    name = "services"
    verbose_name = _("服务与预约")
