"""Forms of the providers pages. Field rules live in the services; forms only shape input."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.accounts.forms import PhoneField
from portal.accounts.models import Division
from portal.forms import ListTextField
from providers.domains import Domain, LicenceKind
from providers.models import Accessibility, Certificate, StaffMember


def division_choices() -> list[tuple[str, str]]:
    city = settings.PORTAL_CITY_CODE
    return [
        (d.code, d.name)
        for d in Division.objects.filter(code__startswith=city[:4]).exclude(code=city)
    ]


class DivisionChoiceField(forms.ChoiceField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("所在区（县、市）"))
        super().__init__(choices=division_choices, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"


class RegisterForm(forms.Form):
    """Self-service registration: the person and their organisation."""

    phone = PhoneField()
    person_name = forms.CharField(label=_("您的姓名"), max_length=50)
    email = forms.EmailField(label=_("电子邮箱（选填）"), required=False)
    password1 = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("再次输入密码"), strip=False, widget=forms.PasswordInput)
    name = forms.CharField(label=_("机构名称"), max_length=100)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=18)
    division = DivisionChoiceField()
    domains = forms.MultipleChoiceField(
        label=_("服务领域"), choices=Domain.choices, widget=forms.CheckboxSelectMultiple
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意《个人信息保护政策》"),
        error_messages={"required": _("注册前请阅读并同意个人信息保护政策。")},
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("机构名称"), max_length=100)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=18)
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    division = DivisionChoiceField()
    domains = forms.MultipleChoiceField(
        label=_("服务领域"),
        choices=Domain.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    description = forms.CharField(label=_("机构简介"), widget=forms.Textarea, required=False)
    outreach = forms.BooleanField(
        label=_("承担偏远地区延伸服务（1带N：巡回上门或远程服务）"), required=False
    )
    logo = forms.FileField(
        label=_("机构标志（PNG 或 JPEG，不超过 2 MB）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg"}),
    )


class BranchForm(forms.Form):
    name = forms.CharField(label=_("网点名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200)
    division = DivisionChoiceField()
    latitude = forms.DecimalField(label=_("纬度（GCJ-02）"), max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("经度（GCJ-02）"), max_digits=9, decimal_places=6)
    opening_hours = forms.CharField(label=_("营业时间"), max_length=200, required=False)
    beds = forms.IntegerField(label=_("床位数"), min_value=0, max_value=100000, required=False)
    places = forms.IntegerField(label=_("托位数"), min_value=0, max_value=100000, required=False)
    staff_capacity = forms.IntegerField(
        label=_("服务人员数"), min_value=0, max_value=100000, required=False
    )
    accessibility = forms.MultipleChoiceField(
        label=_("无障碍设施"),
        choices=Accessibility.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class LicenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("证照类型"), choices=LicenceKind.choices)
    number = forms.CharField(label=_("证照编号"), max_length=60)
    issuer = forms.CharField(label=_("发证机关"), max_length=100)
    valid_from = forms.DateField(label=_("有效期起"), widget=DateInput)
    valid_until = forms.DateField(
        label=_("有效期至（长期有效请留空）"), widget=DateInput, required=False
    )
    scan = forms.FileField(
        label=_("扫描件（PDF、JPEG 或 PNG，不超过 5 MB）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class StaffForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=StaffMember.Gender.choices)
    role = forms.ChoiceField(label=_("岗位"), choices=StaffMember.Role.choices)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, min_length=18)
    years_of_experience = forms.IntegerField(label=_("从业年限"), min_value=0, max_value=60)
    languages = ListTextField(
        label=_("语言/方言（用顿号分隔）"), max_length=100, required=False, initial="普通话"
    )
    health_certificate_expires = forms.DateField(
        label=_("健康证有效期至"), widget=DateInput, required=False
    )
    background_check = forms.ChoiceField(
        label=_("背景核查"), choices=StaffMember.BackgroundCheck.choices
    )
    background_checked_on = forms.DateField(label=_("核查日期"), widget=DateInput, required=False)
    is_active = forms.BooleanField(label=_("在职"), required=False, initial=True)


class CertificateForm(forms.Form):
    kind = forms.ChoiceField(label=_("证书类型"), choices=Certificate.Kind.choices)
    number = forms.CharField(label=_("证书编号"), max_length=60)
    issuer = forms.CharField(label=_("发证机构"), max_length=100)
    level = forms.CharField(label=_("等级"), max_length=20, required=False)
    issued_on = forms.DateField(label=_("发证日期"), widget=DateInput, required=False)
    expires_on = forms.DateField(label=_("有效期至"), widget=DateInput, required=False)


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("理由（机构可见）"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("统一社会信用代码或证书编号"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
