from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialOrgsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "socialorgs"
    verbose_name = _("社会组织")

    def ready(self) -> None:
        from portal import navigation
        from portal.accounts import personal_data
        from socialorgs import personal_data as section

        personal_data.register(
            "socialorgs",
            _("社会组织账号与慈善捐赠"),
            export=section.export_socialorgs,
            erase=section.erase_socialorgs,
        )

        navigation.register("official", _("社会组织登记"), "socialorgs:official-home", order=12)
        navigation.register("provider_staff", _("我的社会组织"), "socialorgs:mine", order=85)
        # Registry: the 民政 official reads a legal representative's full name on purpose
        # (socialorgs.services.registry.legal_rep_reveal; "legal_representative" is a field
        # portal.audit already names).
        from portal.audit.models import register_purpose as register_registry_purpose
        from socialorgs.services.registry import LEGAL_REP_PURPOSE

        register_registry_purpose(LEGAL_REP_PURPOSE, _("社会组织登记管理"))

        # Charity: the ledger desk's and the officials' audited reads of donors' and
        # beneficiaries' real names (socialorgs.services.charity.ledger_entries_reveal).
        from portal.audit.models import register_field, register_purpose
        from socialorgs.services.charity.ledger import LEDGER_PURPOSE, SUPERVISION_PURPOSE

        register_purpose(LEDGER_PURPOSE, _("慈善募捐记账与捐赠人服务"))
        register_purpose(SUPERVISION_PURPOSE, _("慈善募捐监督检查"))
        register_field("donor_name", _("捐赠人姓名"))
        register_field("beneficiary_name", _("受益人姓名"))
        navigation.register("provider_staff", _("慈善记账台"), "socialorgs:charity-desk", order=86)
        navigation.register("official", _("慈善募捐监管"), "socialorgs:charity-official", order=13)

        # Credit and complaints: ratings' complaint cases about social organisations (who
        # answers for them) and the credit event of an upheld one.
        from ratings.signals import complaint_upheld
        from socialorgs.services import complaints as org_complaints

        org_complaints.register_complaint_subjects()
        complaint_upheld.connect(
            org_complaints.credit_after_complaint_upheld,
            dispatch_uid="socialorgs_credit_after_complaint_upheld",
        )
        navigation.register("official", _("社会组织信用监管"), "socialorgs:credit-home", order=16)
        navigation.register(
            "provider_staff", _("社会组织收到的投诉"), "socialorgs:org-complaints", order=87
        )

        # Social work: the serving organisation reads a resident's home address and need in
        # full (socialorgs.services.socialwork.service_request_full_view); the catalogue desk.
        from socialorgs.services.socialwork import SERVICE_PURPOSE

        register_purpose(SERVICE_PURPOSE, _("提供社会工作服务"))
        register_field("need_description", _("服务需求描述"))
        navigation.register(
            "official", _("政府购买服务目录"), "socialorgs:sw-official-catalogue", order=14
        )

        # A resident's social-work requests and reviews in their data export; erased with the
        # account (socialorgs.services.socialwork.personal_data).
        from socialorgs.services.socialwork import personal_data as socialwork_data

        personal_data.register(
            "socialwork",
            _("社会工作服务"),
            export=socialwork_data.export_socialwork,
            erase=socialwork_data.erase_socialwork,
        )
