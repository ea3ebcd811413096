"""Forms of the booking pages: book a slot, cancel, reschedule, family members, addresses,
plans. Rules live in services.services.*; the forms only parse input."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from providers.forms import division_choices
from services.models import Address, Dependant, FamilyDoctorPackage, Plan, ScheduleRule


class BookingForm(forms.Form):
    """`token` is the idempotency key: generated when the form is shown, so submitting the
    same page twice (a double click, a refresh) makes one booking."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    person = forms.ChoiceField(label=_("服务对象"))
    address = forms.TypedChoiceField(label=_("上门地址"), coerce=int, required=False)
    use_package = forms.BooleanField(label=_("使用次卡支付"), required=False)
    note = forms.CharField(
        label=_("备注（选填）"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args, dependants=(), addresses=(), at_home=False, has_package=False, **kwargs
    ):
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        if not has_package:
            del self.fields["use_package"]
        self.fields["person"].choices = [("self", _("本人"))] + [
            (str(d.pk), str(d)) for d in dependants
        ]
        if at_home:
            self.fields["address"].required = True
            self.fields["address"].choices = [
                (a.pk, f"{a.label} · {a.masked_detail}") for a in addresses
            ]
        else:
            del self.fields["address"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因（选填）"), max_length=300, required=False)


class RescheduleForm(forms.Form):
    slot = forms.TypedChoiceField(label=_("新的时段"), coerce=int)

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [
            (s.pk, f"{s.starts_at:%m-%d %H:%M}（{_('剩余')} {s.remaining}）") for s in slots
        ]


class DependantForm(forms.ModelForm):
    class Meta:
        model = Dependant
        fields = [
            "name",
            "relationship",
            "gender",
            "birth_date",
            "phone",
            "care_notes",
            "authority",
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "authority": forms.RadioSelect,
        }


class AddressForm(forms.Form):
    label = forms.CharField(label=_("名称"), max_length=30, initial=_("家"))
    division = forms.ChoiceField(label=_("所在区县"))
    detail = forms.CharField(label=_("详细地址"), max_length=200)
    latitude = forms.DecimalField(label=_("纬度（GCJ-02）"), max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("经度（GCJ-02）"), max_digits=9, decimal_places=6)
    is_default = forms.BooleanField(label=_("设为默认地址"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = division_choices()


class PlanForm(forms.Form):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("每周"),
        choices=ScheduleRule.Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    start_time = forms.TimeField(
        label=_("时段开始时间"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("结束日期（选填）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    person = forms.ChoiceField(label=_("服务对象"))
    address = forms.TypedChoiceField(
        label=_("上门地址"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, dependants=(), addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("self", _("本人"))] + [
            (str(d.pk), str(d)) for d in dependants
        ]
        self.fields["address"].choices = [("", "—")] + [
            (a.pk, f"{a.label} · {a.masked_detail}") for a in addresses
        ]


class PlanStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Plan.Status.choices)


class ContractForm(forms.Form):
    package = forms.ModelChoiceField(
        label=_("签约服务包"), queryset=FamilyDoctorPackage.objects.none()
    )
    person = forms.ChoiceField(label=_("签约对象"))

    def __init__(self, *args, packages=None, dependants=(), **kwargs):
        super().__init__(*args, **kwargs)
        if packages is not None:
            self.fields["package"].queryset = packages
        self.fields["person"].choices = [("self", _("本人"))] + [
            (str(d.pk), str(d)) for d in dependants
        ]


def person_of(value: str, dependants) -> Dependant | None:
    """The dependant chosen in a `person` field ("self" → None)."""
    if value == "self":
        return None
    return next((d for d in dependants if str(d.pk) == value), None)


def address_of(value, addresses) -> Address | None:
    return next((a for a in addresses if a.pk == value), None)
