from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvidersConfig(AppConfig):
    """Provider organisations and the people who work for them."""

    name = "providers"
    verbose_name = _("服务机构")

    def ready(self) -> None:
        from portal import navigation
        from portal.accounts import personal_data
        from providers import selectors

        personal_data.register(
            "provider_memberships", _("所属服务机构"), export=selectors.memberships_export
        )
        navigation.register("official", _("机构注册审核"), "providers:review-queue", order=5)
        navigation.register("official", _("辖区服务机构"), "providers:official-list", order=10)
        navigation.register("provider_staff", _("我的机构"), "providers:staff-home", order=10)
