from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialOrgsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "socialorgs"
    verbose_name = _("社会组织")

    def ready(self) -> None:
        self._register_audit()
        self._register_personal_data()
        self._register_complaints()
        self._register_navigation()

    @staticmethod
    def _register_audit() -> None:
        """Why officials and organisations read personal data in full (each read audited)."""
        from portal.audit.models import register_field, register_purpose
        from socialorgs.services.charity.ledger import LEDGER_PURPOSE, SUPERVISION_PURPOSE
        from socialorgs.services.registry import LEGAL_REP_PURPOSE
        from socialorgs.services.socialwork import SERVICE_PURPOSE

        # The 民政 official reads a legal representative's name ("legal_representative" is a
        # field portal.audit already names).
        register_purpose(LEGAL_REP_PURPOSE, _("社会组织登记管理"))
        # The ledger desk and the supervising officials read donors' and beneficiaries' names.
        register_purpose(LEDGER_PURPOSE, _("慈善募捐记账与捐赠人服务"))
        register_purpose(SUPERVISION_PURPOSE, _("慈善募捐监督检查"))
        register_field("donor_name", _("捐赠人姓名"))
        register_field("beneficiary_name", _("受益人姓名"))
        # The serving organisation reads a resident's home address and need.
        register_purpose(SERVICE_PURPOSE, _("提供社会工作服务"))
        register_field("need_description", _("服务需求描述"))

    @staticmethod
    def _register_personal_data() -> None:
        from portal.accounts import personal_data
        from socialorgs import personal_data as organisations
        from socialorgs.services.socialwork import personal_data as socialwork

        personal_data.register(
            "socialorgs",
            _("社会组织账号与慈善捐赠"),
            export=organisations.export_socialorgs,
            erase=organisations.erase_socialorgs,
        )
        personal_data.register(
            "socialwork",
            _("社会工作服务"),
            export=socialwork.export_socialwork,
            erase=socialwork.erase_socialwork,
        )

    @staticmethod
    def _register_complaints() -> None:
        """Ratings' complaint cases about social organisations: who answers for them, and
        the credit event of an upheld one."""
        from ratings.signals import complaint_upheld
        from socialorgs.services import complaints

        complaints.register_complaint_subjects()
        complaint_upheld.connect(
            complaints.credit_after_complaint_upheld,
            dispatch_uid="socialorgs_credit_after_complaint_upheld",
        )

    @staticmethod
    def _register_navigation() -> None:
        from portal import navigation

        for label, url_name, order in (
            (_("社会组织登记"), "socialorgs:official-home", 12),
            (_("慈善募捐监管"), "socialorgs:charity-official", 13),
            (_("政府购买服务目录"), "socialorgs:sw-official-catalogue", 14),
            (_("社会工作服务评价审核"), "socialorgs:sw-review-moderation", 15),
            (_("社会组织信用监管"), "socialorgs:credit-home", 16),
        ):
            navigation.register("official", label, url_name, order=order)
        for label, url_name, order in (
            (_("我的社会组织"), "socialorgs:mine", 85),
            (_("慈善记账台"), "socialorgs:charity-desk", 86),
            (_("社会组织收到的投诉"), "socialorgs:org-complaints", 87),
        ):
            navigation.register("provider_staff", label, url_name, order=order)
