from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Users, roles, jurisdictions (administrative divisions), consent and personal-data rights."""

    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("账户与权限")

    def ready(self) -> None:
        from portal.accounts import personal_data, signals  # noqa: F401 (receivers)

        personal_data.register_account_sections()
