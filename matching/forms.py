"""Forms of the need pages. They only shape the input (yuan to fen, rows of time windows);
the rules live in matching.services.needs.need_clean, which the API uses too."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from matching.models import Need
from portal.accounts.models import Division
from providers.domains import Domain
from providers.forms import division_choices
from providers.models import Certificate, StaffMember
from services.models import Category, Listing, ScheduleRule

WINDOW_ROWS = 3
# Service field names → the form's, where the page asks for them differently.
FIELD_OF = {
    "dependant": "person",
    "budget_min_fen": "budget_min_yuan",
    "budget_max_fen": "budget_max_yuan",
}


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def category_choices() -> list:
    """Categories grouped by domain (option groups), the domain named first."""
    groups = {}
    for category in Category.objects.order_by("domain", "code"):
        groups.setdefault(category.domain, []).append((category.code, category.name))
    labels = dict(Domain.choices)
    return [("", _("不限类别"))] + [
        (labels.get(domain, domain), items) for domain, items in groups.items()
    ]


class NeedForm(forms.Form):
    """A resident's need (with `addresses` and `dependants`), or an official's 代办 need
    (`proxy=True`: the person's name and phone instead of family members and saved
    addresses)."""

    proxy_name = forms.CharField(label=_("服务对象姓名"), max_length=50)
    proxy_phone = forms.CharField(
        label=_("服务对象电话"),
        max_length=32,
        help_text=_("手机或固定电话，供服务机构回访联系。"),
    )
    proxy_address = forms.CharField(
        label=_("服务对象住址（选填）"),
        max_length=200,
        required=False,
        help_text=_("上门服务时机构需要；只在机构接受转介后向其显示。"),
    )
    person = forms.ChoiceField(label=_("服务对象"), required=False)
    domain = forms.ChoiceField(label=_("服务领域"), choices=Domain.choices)
    category = forms.ChoiceField(label=_("服务类别"), required=False)
    place = forms.ChoiceField(
        label=_("服务地点"), choices=Need.Place.choices, widget=forms.RadioSelect
    )
    address = forms.ChoiceField(label=_("常用地址"), required=False)
    division = forms.ChoiceField(label=_("所在区（县、市）"), required=False)
    latitude = forms.DecimalField(
        label=_("纬度（选填）"), max_digits=9, decimal_places=6, required=False
    )
    longitude = forms.DecimalField(
        label=_("经度（选填）"),
        max_digits=9,
        decimal_places=6,
        required=False,
        help_text=_("不填时按所选区的中心位置计算距离。"),
    )
    max_distance_km = forms.IntegerField(
        label=_("到机构的最远距离（公里）"), initial=5, min_value=1, max_value=50
    )
    budget_min_yuan = forms.DecimalField(
        label=_("预算下限（元）"), min_value=0, max_digits=9, decimal_places=2, required=False
    )
    budget_max_yuan = forms.DecimalField(
        label=_("预算上限（元）"), min_value=0, max_digits=9, decimal_places=2
    )
    caregiver_gender = forms.ChoiceField(
        label=_("服务人员性别"),
        choices=[("", _("不限")), *StaffMember.Gender.choices],
        required=False,
    )
    languages = forms.CharField(
        label=_("语言/方言（选填）"),
        max_length=120,
        required=False,
        help_text=_("多个用逗号分隔，如：普通话，四川话。"),
    )
    certificates = forms.MultipleChoiceField(
        label=_("需要的证书"),
        choices=Certificate.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    care_level = forms.ChoiceField(
        label=_("失能等级"), choices=Need.CareLevel.choices, required=False
    )
    subsidy = forms.ChoiceField(
        label=_("补贴类型"),
        choices=[("", _("不适用")), *Listing.Subsidy.choices],
        required=False,
    )
    text = forms.CharField(
        label=_("需求描述（选填）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    urgency = forms.ChoiceField(
        label=_("紧急程度"),
        choices=Need.Urgency.choices,
        initial=Need.Urgency.NORMAL,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, proxy: bool = False, addresses=(), dependants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.proxy = proxy
        self.fields["category"].choices = category_choices()
        self.fields["division"].choices = [("", _("请选择")), *division_choices()]
        if proxy:
            del self.fields["person"], self.fields["address"]
            self.fields["place"].choices = [
                (Need.Place.HOME, _("上门（服务对象家中）")),
                (Need.Place.AREA, Need.Place.AREA.label),
                (Need.Place.BRANCH, Need.Place.BRANCH.label),
            ]
        else:
            del self.fields["proxy_name"], self.fields["proxy_phone"], self.fields["proxy_address"]
            self.fields["person"].choices = [("", _("本人"))] + [
                (str(d.pk), str(d)) for d in dependants
            ]
            self.fields["address"].choices = [("", _("不使用保存的地址"))] + [
                (str(a.pk), f"{a.label} · {a.masked_detail}") for a in addresses
            ]
            self.fields["division"].help_text = _("选择“指定区域”时填写。")
        self.windows = WindowFormSet(self.data if self.is_bound else None, prefix="window")

    def is_valid(self) -> bool:
        return all([super().is_valid(), self.windows.is_valid()])

    def to_service_data(self) -> dict:
        data = self.cleaned_data
        values = {
            key: data.get(key)
            for key in (
                "domain",
                "category",
                "place",
                "division",
                "max_distance_km",
                "caregiver_gender",
                "languages",
                "certificates",
                "care_level",
                "subsidy",
                "text",
                "urgency",
                "latitude",
                "longitude",
            )
        }
        values["budget_min_fen"] = _fen(data.get("budget_min_yuan")) or 0
        values["budget_max_fen"] = _fen(data.get("budget_max_yuan"))
        values["windows"] = [row for row in self.windows.rows() if row]
        division = data.get("division")
        if division and (values["latitude"] is None or values["longitude"] is None):
            # No point given: the district's centre stands in for distances.
            centre = Division.objects.filter(pk=division).first()
            if centre is not None:
                values.update(latitude=centre.latitude, longitude=centre.longitude)
        if self.proxy:
            values.update(
                proxy_name=data["proxy_name"],
                proxy_phone=data["proxy_phone"],
                proxy_address=data.get("proxy_address", ""),
            )
        else:
            values.update(dependant=data.get("person") or None, address=data.get("address"))
        return values

    def apply_error(self, error) -> None:
        """Show each of the service's field errors on the field that asked for it (the time
        windows' above the form)."""
        problems = error.field_errors() or {None: [error.message]}
        for field, messages in problems.items():
            field = FIELD_OF.get(field, field)
            for message in messages:
                self.add_error(field if field in self.fields else None, str(message))


def _fen(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


class WindowForm(forms.Form):
    """One time window: a date or a weekday, with a start and an end."""

    date = forms.DateField(label=_("日期"), required=False, widget=DateInput)
    weekday = forms.TypedChoiceField(
        label=_("或每周"),
        choices=[("", "—"), *ScheduleRule.Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    start = forms.TimeField(label=_("开始"), required=False, widget=TimeInput)
    end = forms.TimeField(label=_("结束"), required=False, widget=TimeInput)

    def row(self) -> dict:
        data = getattr(self, "cleaned_data", {}) or {}
        if not any(data.get(key) not in (None, "") for key in ("date", "weekday", "start", "end")):
            return {}
        return {
            "date": data["date"].isoformat() if data.get("date") else None,
            "weekday": data.get("weekday"),
            "start": f"{data['start']:%H:%M}" if data.get("start") else "",
            "end": f"{data['end']:%H:%M}" if data.get("end") else "",
        }


class BaseWindowFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        return [form.row() for form in self.forms]


WindowFormSet = forms.formset_factory(
    WindowForm, formset=BaseWindowFormSet, extra=WINDOW_ROWS, max_num=WINDOW_ROWS
)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("婉拒原因"), max_length=300)


class LeadAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", _("接受")), ("decline", _("婉拒"))])
    reason = forms.CharField(label=_("婉拒原因"), max_length=300, required=False)
