"""Forms of the complaint pages. They only shape the input: the rules (whose booking, which
files, which transition needs what) live in ratings.services.complaints."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.uploads import MB
from ratings.models import Complaint
from ratings.services.complaints import EVIDENCE_MAX_BYTES, EVIDENCE_MAX_FILES, TRANSITIONS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the list is checked by the service (type, size, count)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        items = data if isinstance(data, (list, tuple)) else [data] if data else []
        cleaned = []
        for item in items:
            cleaned.append(super().clean(item, initial))
        return cleaned


class ComplaintForm(forms.Form):
    booking = forms.ChoiceField(label=_("相关预约"), required=False)
    provider = forms.ChoiceField(label=_("被投诉机构"), required=False)
    category = forms.ChoiceField(
        label=_("投诉类别"), choices=[("", _("请选择")), *Complaint.Category.choices]
    )
    description = forms.CharField(
        label=_("投诉内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请写明时间、地点、经过。请勿填写与投诉无关的他人个人信息。"),
    )
    desired_outcome = forms.CharField(label=_("您的诉求"), max_length=300, required=False)
    files = MultipleFileField(
        label=_("证据材料"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
        help_text=format_lazy(
            _("PDF、PNG 或 JPEG，每个不超过 {mb} MB，最多 {n} 个。"),
            mb=EVIDENCE_MAX_BYTES // MB,
            n=EVIDENCE_MAX_FILES,
        ),
    )

    def __init__(self, *args, bookings=(), providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.bookings = {str(b.pk): b for b in bookings}
        self.providers = {str(p.pk): p for p in providers}
        self.fields["booking"].choices = [
            ("", _("不涉及具体预约")),
            *(
                (key, f"{b.reference} · {b.listing.title} · {b.provider.name}")
                for key, b in self.bookings.items()
            ),
        ]
        self.fields["provider"].choices = [
            ("", _("请选择（已选预约时可不选）")),
            *((key, p.name) for key, p in self.providers.items()),
        ]

    def clean(self):
        data = super().clean()
        data["booking"] = self.bookings.get(data.get("booking") or "")
        data["provider"] = self.providers.get(data.get("provider") or "")
        if data["booking"] is None and data["provider"] is None and not self.errors:
            self.add_error("provider", _("请选择被投诉的机构或预约。"))
        return data


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(name, t.label) for name, t in TRANSITIONS.items()])
    note = forms.CharField(label=_("理由或说明"), max_length=500, required=False)
    outcome = forms.CharField(label=_("办理结果"), max_length=2000, required=False)
    upheld = forms.TypedChoiceField(
        label=_("投诉是否成立"),
        choices=[("", "—"), ("yes", _("成立")), ("no", _("不成立"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("留言"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("对办理情况的评价"),
        choices=[(n, f"{n} ★") for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
