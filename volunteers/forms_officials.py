"""Forms of the recognition and officials' pages: the ranking's and the dashboard's filters,
the commendation an official records, the decision on an organisation. They shape input; the
rules are in volunteers.services (whose errors go back onto these fields)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from volunteers.models import Commendation
from volunteers.selectors import ranking_districts, this_year

YEARS_SHOWN = 10


def year_choices() -> list[tuple[int, str]]:
    latest = this_year()
    return [(y, _("%(year)d年") % {"year": y}) for y in range(latest, latest - YEARS_SHOWN, -1)]


class YearForm(forms.Form):
    """The dashboard's year (this year unless chosen)."""

    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()

    def chosen_year(self) -> int:
        # Each field on its own: a bad year keeps a good district, and the other way round.
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("year") or this_year()


class RankingForm(YearForm):
    district = forms.ChoiceField(label=_("区县"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.districts = {d.code: d for d in ranking_districts()}
        self.fields["district"].choices = [(code, d.name) for code, d in self.districts.items()]

    def chosen_district(self, default: str = ""):
        self.is_valid()
        code = getattr(self, "cleaned_data", {}).get("district") or default
        if code not in self.districts:
            code = next(iter(self.districts), "")
        return self.districts.get(code)


class CommendationForm(forms.Form):
    title = forms.CharField(label=_("表彰名称"), max_length=100)
    level = forms.ChoiceField(label=_("级别"))
    year = forms.IntegerField(label=_("年度"))
    reason = forms.CharField(
        label=_("事迹（公开显示）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(lv, Commendation.Level(lv).label) for lv in levels]
        self.fields["year"].initial = this_year()


class OrganisationDecisionForm(forms.Form):
    ACTIONS = [("approve", _("通过")), ("return", _("退回修改")), ("reject", _("不予通过"))]

    action = forms.ChoiceField(choices=ACTIONS)
    reason = forms.CharField(
        label=_("理由（组织可见）"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
