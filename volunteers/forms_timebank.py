"""Forms of the time-bank pages. They parse input; the rules (who may give to whom, how much,
when) live in volunteers.services.timebank, whose errors come back on these fields."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from providers.forms import DivisionChoiceField, division_choices
from volunteers.formatting import hours_label
from volunteers.models import Skill


class IsoDateInput(forms.DateInput):
    """A date picker: the browser's date input wants its value as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class _RequestIdForm(forms.Form):
    """`request_id` is generated when the form is shown, so submitting the same page twice
    (a double click, a refresh) moves the hours once."""

    request_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("request_id", uuid.uuid4())
        super().__init__(*args, **kwargs)


class TransferForm(_RequestIdForm):
    dependant = forms.ChoiceField(label=_("转给哪位家人"))
    hours = forms.DecimalField(
        label=_("转赠时长（小时）"),
        min_value=Decimal("0.1"),
        max_digits=7,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0.1", "inputmode": "decimal"}),
        help_text=_("以小时计，可填一位小数，如 1.5。"),
    )
    note = forms.CharField(label=_("附言（选填）"), max_length=100, required=False)

    field_order = ["dependant", "hours", "note", "request_id"]

    def __init__(self, *args, targets=(), available_minutes: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dependant"].choices = [
            (str(d.pk), f"{d.name}（{d.get_relationship_display()}）") for d in targets
        ]
        if available_minutes is not None:
            # Rounded down like every amount shown: the most offered can be given in full.
            most = hours_label(available_minutes)
            self.fields["hours"].widget.attrs["max"] = most
            self.fields["hours"].help_text = _(
                "以小时计，可填一位小数，如 1.5；最多可转 %(h)s 小时。"
            ) % {"h": most}

    @property
    def minutes(self) -> int:
        return int(self.cleaned_data["hours"] * 60)


class RedeemForm(_RequestIdForm):
    account = forms.ChoiceField(label=_("使用谁的时间、为谁兑换"), widget=forms.RadioSelect)
    wanted_on = forms.DateField(label=_("期望服务日期"), widget=IsoDateInput)
    note = forms.CharField(
        label=_("留言（选填，如方便的服务时间段）"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "服务组织会看到这段留言。请勿填写住址、身份证号码等个人信息，"
            "服务组织需要时会另行联系您。"
        ),
    )

    field_order = ["account", "wanted_on", "note", "request_id"]

    def __init__(self, *args, accounts=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault(
            "wanted_on", timezone.localdate() + dt.timedelta(days=1)
        )
        super().__init__(*args, **kwargs)
        self.fields["wanted_on"].widget.attrs["min"] = timezone.localdate().isoformat()
        choices = []
        for account in accounts:
            balance = _("余额 %(h)s 小时") % {"h": hours_label(account.balance_minutes)}
            if account.dependant_id:
                label = _("家人 %(name)s 的账户，为其兑换（%(balance)s）") % {
                    "name": account.dependant.name,
                    "balance": balance,
                }
                choices.append((str(account.dependant_id), label))
            else:
                label = _("我的账户，为本人兑换（%(balance)s）") % {"balance": balance}
                choices.append(("self", label))
        self.fields["account"].choices = choices
        if choices:
            self.fields["account"].initial = choices[0][0]


class ServiceForm(forms.Form):
    title = forms.CharField(label=_("服务名称"), max_length=100)
    skill = forms.ChoiceField(label=_("服务类别"), choices=Skill.choices)
    division = DivisionChoiceField(label=_("服务区划"))
    price_minutes = forms.IntegerField(
        label=_("所需时长（分钟）"),
        min_value=15,
        max_value=24 * 60,
        help_text=_("兑换一次所需的时间银行时长，15 分钟到 24 小时；时间银行服务不收取任何费用。"),
    )
    description = forms.CharField(
        label=_("服务说明（选填）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, organisation=None, **kwargs):
        if organisation is not None:
            kwargs.setdefault("initial", {}).setdefault("division", organisation.division_id)
        super().__init__(*args, **kwargs)


class ServiceFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), max_length=50, required=False)
    division = forms.ChoiceField(label=_("区（县、市）"), required=False)
    skill = forms.ChoiceField(label=_("服务类别"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = [("", _("全市")), *division_choices()]
        self.fields["skill"].choices = [("", _("全部")), *Skill.choices]
