"""Forms of the certificate and dispute pages. They only parse input; the rules live in
volunteers.services.certificates and volunteers.services.disputes."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # What <input type=date> takes, whatever the language's display format.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


def _datetime_field(label, *, required=True) -> forms.DateTimeField:
    # Entered in the portal's time zone (Asia/Shanghai); the field makes it aware.
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


class CertificateIssueForm(forms.Form):
    period_start = forms.DateField(label=_("起始日期"), widget=DateInput)
    period_end = forms.DateField(label=_("截止日期"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault(
            "initial", {"period_start": today.replace(month=1, day=1), "period_end": today}
        )
        super().__init__(*args, **kwargs)


class DisputeForm(forms.Form):
    claimed_start = _datetime_field(_("实际开始时间"))
    claimed_end = _datetime_field(_("实际结束时间"))
    reason = forms.CharField(
        label=_("异议理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("请说明哪里不对，例如忘记签退、签到时间有误。组织方将看到这段说明。"),
    )


class DisputeResolutionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理结果"),
        choices=[("uphold", _("更正并确认时长")), ("dismiss", _("驳回异议"))],
        widget=forms.RadioSelect,
    )
    start = _datetime_field(_("更正后开始时间（留空按志愿者申报）"), required=False)
    end = _datetime_field(_("更正后结束时间（留空按志愿者申报）"), required=False)
    resolution = forms.CharField(
        label=_("处理意见（志愿者可见）"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, dispute=None, **kwargs):
        # Several disputes on one page: each form's fields get the dispute's prefix.
        if dispute is not None:
            kwargs.setdefault("prefix", f"d{dispute.pk}")
        super().__init__(*args, **kwargs)
        self.dispute = dispute


class CertificateVerifyForm(forms.Form):
    code = forms.CharField(
        label=_("证明验证码"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "XXXX-XXXX-XXXX"}),
        help_text=_("验证码印在志愿服务证明首页的二维码旁和每页页脚，不区分大小写。"),
    )
