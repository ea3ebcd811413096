from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    """Listings, schedules, slots, bookings and the payment hold."""

    name = "services"
    verbose_name = _("服务与预约")

    def ready(self) -> None:
        from portal.accounts import personal_data
        from services import personal_data as sections
        from services.services import visibility  # noqa: F401 (signal receivers)

        personal_data.register(
            "bookings",
            _("我的预约"),
            export=sections.export_bookings,
            erase=sections.erase_bookings,
        )
        personal_data.register("payments", _("支付与退款"), export=sections.export_payments)
        personal_data.register(
            "family",
            _("家庭成员、地址、计划与签约"),
            export=sections.export_family,
            erase=sections.erase_family,
        )
