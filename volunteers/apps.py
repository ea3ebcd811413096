from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "volunteers"
    verbose_name = _("志愿服务")

    def ready(self) -> None:
        from portal import navigation
        from portal.accounts import personal_data
        from portal.audit.models import register_field, register_purpose
        from volunteers import personal_data as section
        from volunteers.services.contact import CONTACT_PURPOSE
        from volunteers.services.exports import ROSTER_FIELD_LABELS, ROSTER_PURPOSE
        from volunteers.services.timebank import REDEMPTION_CONTACT_PURPOSE

        # Organisers reach an accepted volunteer by phone (the "查看联系方式" action).
        register_purpose(CONTACT_PURPOSE, _("联系已录用的志愿者"))
        # Organisers deliver a service paid in banked hours (the redemption's detail page).
        register_purpose(REDEMPTION_CONTACT_PURPOSE, _("提供时间银行兑换的服务"))
        # Officials export the masked roster of their jurisdiction (one read per volunteer).
        register_purpose(ROSTER_PURPOSE, _("志愿服务统计与监管"))
        for field, label in ROSTER_FIELD_LABELS.items():
            register_field(field, label)
        navigation.register(
            "provider_staff", _("志愿服务组织"), "volunteers:organisation-mine", order=80
        )
        navigation.register(
            "official", _("志愿服务组织审核"), "volunteers:official-organisations", order=8
        )
        navigation.register(
            "official", _("志愿服务统计"), "volunteers:official-dashboard", order=65
        )

        personal_data.register(
            "volunteering",
            _("志愿服务"),
            export=section.export_volunteering,
            erase=section.erase_volunteering,
        )
