"""Forms of the open-data pages (validation rules live in the services; forms shape input)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from openData.models import Dataset
from openData.services.catalogue import EDITABLE
from portal.forms import ListTextField
from portal.identifiers import validate_credit_code


class ApplicationForm(forms.Form):
    organisation_name = forms.CharField(label=_("申请单位"), max_length=100)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        min_length=18,
        validators=[validate_credit_code],
        error_messages={"min_length": _("统一社会信用代码为 18 位。")},
    )
    purpose = forms.CharField(
        label=_("使用目的"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    columns = forms.MultipleChoiceField(
        label=_("所需字段"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    duration_days = forms.IntegerField(
        label=_("使用期限（天）"),
        min_value=1,
        max_value=365,
        initial=90,
        error_messages={
            "min_value": _("使用期限至少 1 天。"),
            "max_value": _("使用期限最多 365 天。"),
            "invalid": _("使用期限应为整数天数。"),
        },
    )
    security_measures = forms.CharField(
        label=_("安全保障措施"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("例如：专人管理、加密存储、不向第三方提供、用后删除。"),
    )
    agreement_accepted = forms.BooleanField(
        label=_("我已阅读并同意《数据使用协议》：仅用于所述目的，不尝试重新识别任何个人，期满删除"),
        error_messages={"required": _("须阅读并同意数据使用协议。")},
    )

    def __init__(self, *args, field_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = field_choices


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("审核意见"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class RevokeForm(forms.Form):
    note = forms.CharField(
        label=_("撤销理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("请填写撤销理由。")},
    )


class DatasetForm(forms.ModelForm):
    """What an official may edit: descriptions, contact, keywords and the timetable."""

    keywords = ListTextField(
        label=_("关键词"), required=False, help_text=_("以顿号或逗号分隔"), max_length=300
    )

    class Meta:
        model = Dataset
        fields = list(EDITABLE)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_keywords(self) -> list[str]:
        words = self.cleaned_data["keywords"]
        if any(len(word) > 30 for word in words):
            raise forms.ValidationError(_("每个关键词不超过 30 个字。"))
        return words
