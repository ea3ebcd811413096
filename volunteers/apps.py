from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "volunteers"
    verbose_name = _("志愿服务")

    def ready(self) -> None:
        from portal.accounts import personal_data
        from volunteers import personal_data as section

        personal_data.register(
            "volunteering",
            _("志愿服务"),
            export=section.export_volunteering,
            erase=section.erase_volunteering,
        )
