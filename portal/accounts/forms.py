"""Forms for login, signup and erasure; field rules come from portal.identifiers and services."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.identifiers import normalize_mobile


class PhoneField(forms.CharField):
    """A mainland mobile number, cleaned to E.164."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("手机号码"))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"autocomplete": "tel", "inputmode": "tel", "placeholder": "13800138000"}
        )

    def clean(self, value):
        return normalize_mobile(super().clean(value))


class PhoneAuthenticationForm(AuthenticationForm):
    username = PhoneField()
    error_messages = {
        "invalid_login": _("手机号码或密码不正确。"),
        "inactive": _("该账户已停用。"),
    }

    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["password"].label = _("密码")


class SignupForm(forms.Form):
    phone = PhoneField()
    name = forms.CharField(label=_("姓名"), max_length=50)
    email = forms.EmailField(label=_("电子邮箱（选填，用于找回密码）"), required=False)
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 8 位，不能全是数字，不能与手机号或姓名相似。"),
    )
    password2 = forms.CharField(
        label=_("再次输入密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意《个人信息保护政策》"),
        error_messages={"required": _("注册前请阅读并同意个人信息保护政策。")},
    )

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif p1:
            try:
                password_validation.validate_password(p1)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    notify_by_email = forms.BooleanField(
        label=_("预约等通知同时发送到电子邮箱（站内通知始终保留）"), required=False
    )


class ErasureForm(forms.Form):
    password = forms.CharField(
        label=_("请输入密码确认"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("我了解注销后账户不可恢复，个人信息将被删除或匿名化。"),
        error_messages={"required": _("请勾选确认。")},
    )


class AdminPhoneAuthenticationForm(AdminAuthenticationForm):
    """The admin login: the same phone normalisation, and only staff accounts get in."""

    username = PhoneField()
