"""Forms of the services pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import ListTextField
from providers.forms import division_choices
from services import selectors
from services.models import Listing, ScheduleException, ScheduleRule


class ListingForm(forms.Form):
    branch = forms.TypedChoiceField(label=_("服务网点"), coerce=int)
    category = forms.ChoiceField(label=_("服务类别"))
    title = forms.CharField(label=_("服务名称"), max_length=100)
    description = forms.CharField(label=_("服务内容"), widget=forms.Textarea, required=False)
    price_yuan = forms.DecimalField(
        label=_("价格（元）"),
        min_value=Decimal("0"),
        max_value=Decimal("1000000"),
        decimal_places=2,
    )
    price_unit = forms.ChoiceField(label=_("计价单位"), choices=Listing.PriceUnit.choices)
    subsidies = forms.MultipleChoiceField(
        label=_("可用补贴"),
        choices=Listing.Subsidy.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    delivery_mode = forms.ChoiceField(label=_("服务方式"), choices=Listing.DeliveryMode.choices)
    service_divisions = forms.MultipleChoiceField(
        label=_("上门服务范围"), required=False, widget=forms.CheckboxSelectMultiple
    )
    duration_minutes = forms.IntegerField(
        label=_("服务时长（分钟）"), min_value=5, max_value=44640, initial=60
    )
    capacity_per_slot = forms.IntegerField(
        label=_("每时段名额"), min_value=1, max_value=10000, initial=1
    )
    age_min_months = forms.IntegerField(
        label=_("服务对象最小月龄"), min_value=0, max_value=1500, required=False
    )
    age_max_months = forms.IntegerField(
        label=_("服务对象最大月龄"), min_value=0, max_value=1500, required=False
    )
    languages = ListTextField(
        label=_("语言/方言（用顿号分隔）"), max_length=100, required=False, initial="普通话"
    )

    def __init__(self, *args, provider, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [(b.pk, b.name) for b in provider.branches.all()]
        self.fields["category"].choices = [
            (c.code, str(c)) for c in selectors.category_list(domains=provider.domains)
        ]
        self.fields["service_divisions"].choices = division_choices()

    def to_service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["price_fen"] = int((data.pop("price_yuan") * 100).to_integral_value())
        return data


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("图片（PNG 或 JPEG，不超过 5 MB）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg"}),
    )
    caption = forms.CharField(label=_("说明"), max_length=100, required=False)


class RuleForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("星期"), choices=ScheduleRule.Weekday.choices, coerce=int
    )
    start = forms.TimeField(label=_("开始"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("结束"), widget=forms.TimeInput(attrs={"type": "time"}))
    slot_minutes = forms.IntegerField(label=_("每段（分钟）"), min_value=5, max_value=1440)
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=10000)


RuleFormSet = forms.formset_factory(RuleForm, extra=0, can_delete=True, max_num=50)


class ExceptionForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("类型"), choices=ScheduleException.Kind.choices)
    start = forms.TimeField(
        label=_("开始（增开时）"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end = forms.TimeField(
        label=_("结束（增开时）"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    slot_minutes = forms.IntegerField(
        label=_("每段（分钟）"), min_value=5, max_value=1440, required=False
    )
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=10000, required=False)
    note = forms.CharField(label=_("说明"), max_length=100, required=False)
