"""Forms of the credit and complaint pages. They only shape the input: the rules live in
socialorgs.services.credit and, for complaints, ratings.services.complaints."""

from __future__ import annotations

import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Division
from ratings.forms_complaints import ComplaintForm
from socialorgs.models import IllegalOrganisation, OrgListEntry, Penalty
from socialorgs.services.complaints import REPORT_LEVELS

DATE = forms.DateInput(attrs={"type": "date"})


class OrgComplaintForm(forms.Form):
    """A complaint about a social organisation: ratings' filing fields without the provider
    and booking choice (the organisation is the page's)."""

    category = copy.deepcopy(ComplaintForm.base_fields["category"])
    description = copy.deepcopy(ComplaintForm.base_fields["description"])
    desired_outcome = copy.deepcopy(ComplaintForm.base_fields["desired_outcome"])
    files = copy.deepcopy(ComplaintForm.base_fields["files"])


class IllegalReportForm(forms.Form):
    """A report of a body suspected of acting as a social organisation without registration."""

    name = forms.CharField(label=_("被举报组织名称"), max_length=100)
    division = forms.ChoiceField(label=_("活动所在区县或街道"))
    description = forms.CharField(
        label=_("举报内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请写明该组织的活动时间、地点和方式。请勿填写无关的他人个人信息。"),
    )
    files = copy.deepcopy(ComplaintForm.base_fields["files"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = [
            ("", _("请选择")),
            *Division.objects.filter(level__in=REPORT_LEVELS)
            .order_by("code")
            .values_list("code", "name"),
        ]


class PenaltyForm(forms.Form):
    decision_number = forms.CharField(label=_("处罚决定书文号"), max_length=60)
    kind = forms.ChoiceField(
        label=_("处罚种类"), choices=[("", _("请选择")), *Penalty.Kind.choices]
    )
    facts = forms.CharField(
        label=_("违法事实"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    basis = forms.CharField(label=_("处罚依据"), max_length=300)
    amount_yuan = forms.DecimalField(
        label=_("罚没金额（元）"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("仅罚款或没收时填写。"),
    )
    decided_on = forms.DateField(label=_("处罚决定日期"), widget=DATE)
    decided_by = forms.CharField(label=_("处罚机关"), max_length=100)


class LicenceForm(forms.Form):
    name = forms.CharField(label=_("许可名称"), max_length=100)
    number = forms.CharField(label=_("许可文书编号"), max_length=60)
    issued_by = forms.CharField(label=_("许可机关"), max_length=100)
    issued_on = forms.DateField(label=_("许可日期"), widget=DATE)
    valid_until = forms.DateField(label=_("有效期至"), required=False, widget=DATE)
    content = forms.CharField(label=_("许可内容"), max_length=300, required=False)


class ListEntryForm(forms.Form):
    list = forms.ChoiceField(
        label=_("名单"), choices=[("", _("请选择")), *OrgListEntry.List.choices]
    )
    reason = forms.CharField(label=_("列入原因"), max_length=300)
    basis = forms.CharField(label=_("依据"), max_length=300)
    starts_on = forms.DateField(label=_("列入日期"), widget=DATE)
    ends_on = forms.DateField(label=_("移出日期（可不填）"), required=False, widget=DATE)


class ListRemoveForm(forms.Form):
    reason = forms.CharField(label=_("移出原因"), max_length=300)


class CommendForm(forms.Form):
    note = forms.CharField(label=_("表彰事由"), max_length=300)
    occurred_on = forms.DateField(label=_("表彰日期"), widget=DATE)


class IllegalExposeForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    division = forms.ChoiceField(label=_("活动区划"))
    description = forms.CharField(
        label=_("活动情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    basis = forms.CharField(label=_("认定依据"), max_length=300)
    exposed_on = forms.DateField(label=_("曝光日期"), widget=DATE)

    def __init__(self, *args, official=None, **kwargs):
        super().__init__(*args, **kwargs)
        divisions = Division.objects.filter(level__in=REPORT_LEVELS).order_by("code")
        if official is not None:
            divisions = [d for d in divisions if official.covers(d.code)]
        self.fields["division"].choices = [
            ("", _("请选择")),
            *((d.code, d.name) for d in divisions),
        ]


class IllegalStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[
            (IllegalOrganisation.Status.BANNED, IllegalOrganisation.Status.BANNED.label),
            (IllegalOrganisation.Status.WITHDRAWN, IllegalOrganisation.Status.WITHDRAWN.label),
        ],
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
