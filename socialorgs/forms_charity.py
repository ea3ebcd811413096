"""Forms of the charity pages (projects, the ledger desk, online donations, receipts and
disclosures). They only shape input: the rules live in socialorgs.services.charity, whose
Chinese errors are put back on these fields (portal.forms.apply_domain_error).

Every form that appends to the chain carries a hidden request key made when the form was
drawn, so a double-clicked or re-sent form records once."""

from __future__ import annotations

import secrets

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socialorgs.models import ChainEntry, DisclosureItem


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # What <input type=date> takes, whatever the language's display format.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _yuan(label, help_text: str = "") -> forms.CharField:
    """Amounts as text: the service parses them (at most two decimals) and says what is
    wrong in Chinese."""
    return forms.CharField(
        label=label,
        max_length=30,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class KeyedForm(forms.Form):
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("request_key", secrets.token_urlsafe(16))


PARTY_CHOICES = ChainEntry.Party.choices


class ProjectForm(forms.Form):
    filing_number = forms.CharField(
        label=_("备案编号"),
        max_length=40,
        help_text=_("民政部门出具的公开募捐方案备案编号。"),
    )
    title = forms.CharField(label=_("项目名称"), max_length=100)
    purpose = forms.CharField(
        label=_("募捐目的及用途"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    beneficiary_group = forms.CharField(label=_("受益人群"), max_length=100)
    target_yuan = _yuan(_("募捐目标（元）"))
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput)
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput)


class DonationRecordForm(KeyedForm):
    """A donation the organisation received (recorded by its staff)."""

    donor_name = forms.CharField(label=_("捐赠人"), max_length=100)
    party_kind = forms.ChoiceField(
        label=_("捐赠人类型"),
        choices=PARTY_CHOICES,
        initial=ChainEntry.Party.PERSON,
        widget=forms.RadioSelect,
        help_text=_("个人的姓名公示时隐去部分；单位名称全文公示。"),
    )
    anonymous = forms.BooleanField(
        label=_("捐赠人要求匿名（公示为“匿名爱心人士”）"), required=False
    )
    amount_yuan = _yuan(_("金额（元）"))
    occurred_on = forms.DateField(label=_("收到日期"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("occurred_on", timezone.localdate())


class DisbursementForm(KeyedForm):
    beneficiary_name = forms.CharField(label=_("受益人"), max_length=100)
    party_kind = forms.ChoiceField(
        label=_("受益人类型"),
        choices=PARTY_CHOICES,
        initial=ChainEntry.Party.PERSON,
        widget=forms.RadioSelect,
        help_text=_("个人的姓名公示时隐去部分；单位（如医院、学校）名称全文公示。"),
    )
    amount_yuan = _yuan(_("金额（元）"))
    purpose = forms.CharField(label=_("用途"), max_length=200)
    occurred_on = forms.DateField(label=_("拨付日期"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("occurred_on", timezone.localdate())


class OnlineDonationForm(KeyedForm):
    """A resident's online donation: a pledge until the charity confirms the money arrived."""

    amount_yuan = _yuan(_("捐赠金额（元）"))
    anonymous = forms.BooleanField(
        label=_("匿名捐赠（公示为“匿名爱心人士”，您的姓名不会公开）"), required=False
    )


class PledgeDecisionForm(forms.Form):
    """Which pledge (its id) and, to cancel it, why. The service says whether a reason is
    required (the organisation cancelling) and whether the caller may decide at all."""

    pledge = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("取消原因"), max_length=200, required=False)


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("捐赠凭证号"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "XXXXX-XXXXX"}),
        help_text=_("捐赠后获得的凭证号，不区分大小写，可查看这笔善款拨付到了哪里。"),
    )


class DisclosureForm(forms.Form):
    kind = forms.ChoiceField(label=_("公开事项"), choices=DisclosureItem.Kind.choices)
    project = forms.ChoiceField(label=_("募捐项目（项目进展必选）"), required=False)
    period = forms.CharField(
        label=_("所属期间"),
        max_length=20,
        help_text=_("年度报告填年份（如 2025）；项目进展填期次（如 第1期、结项）。"),
    )
    content = forms.CharField(
        label=_("公开内容"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [("", _("（机构事项，不选项目）"))] + [
            (p.filing_number, f"{p.title}（{p.filing_number}）") for p in projects
        ]
