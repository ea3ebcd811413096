from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    """Listings, schedules, slots, bookings and the payment hold."""

    name = "services"
    verbose_name = _("服务与预约")

    def ready(self) -> None:
        from services.services import visibility  # noqa: F401 (signal receivers)
