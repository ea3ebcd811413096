from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialOrgsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "socialorgs"
    verbose_name = _("社会组织")

    def ready(self) -> None:
        from portal import navigation

        navigation.register("official", _("社会组织登记"), "socialorgs:official-home", order=12)
        navigation.register("provider_staff", _("我的社会组织"), "socialorgs:mine", order=85)
