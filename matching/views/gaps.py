"""The officials' supply/demand gap page and its CSV export (jurisdiction-scoped, counts only:
no personal data)."""

from __future__ import annotations

import csv

from django import forms
from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from matching.selectors import (
    GAP_FLAGS,
    GAP_WEEKS_MAX,
    UNMATCHED_REASONS,
    gaps_by_division,
    gaps_summary,
    unmatched_reasons,
)
from portal.accounts.permissions import OfficialRequiredMixin
from providers.domains import Domain


class GapFilterForm(forms.Form):
    domain = forms.ChoiceField(
        label=_("服务领域"), choices=[("", _("全部")), *Domain.choices], required=False
    )
    weeks = forms.IntegerField(
        label=_("统计周数"),
        min_value=1,
        max_value=GAP_WEEKS_MAX,
        required=False,
        widget=forms.NumberInput(attrs={"placeholder": "4"}),
        error_messages={
            "invalid": _("统计周数应为整数。"),
            "min_value": _("统计周数至少为 1。"),
            "max_value": _("统计周数最多为 %(limit_value)s。"),
        },
    )

    def filters(self) -> dict:
        """The selector arguments; call only when the form is valid."""
        return {
            "domain": self.cleaned_data["domain"] or None,
            "weeks": self.cleaned_data["weeks"] or 4,
        }


class GapsView(OfficialRequiredMixin, TemplateView):
    template_name = "matching/gaps/official.html"

    def get(self, request, *args, **kwargs):
        form = GapFilterForm(request.GET)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        filters = form.filters()
        official = request.user
        gaps = gaps_summary(official=official, **filters)
        context = self.get_context_data(
            form=form,
            filters=filters,
            gaps=gaps,
            reasons=unmatched_reasons(
                official=official, domain=filters["domain"], districts=gaps["names"]
            ),
            reason_labels=list(UNMATCHED_REASONS.values()),
            flags=GAP_FLAGS,
            query=request.GET.urlencode(),
        )
        return self.render_to_response(context)


CSV_HEADER = [
    _("区划代码"),
    _("区划"),
    _("服务领域"),
    _("周"),
    _("本地供给"),
    _("上门覆盖供给"),
    _("延伸服务供给"),
    _("线上供给"),
    _("供给合计"),
    _("剩余名额"),
    _("需求（发布）"),
    _("需求（预约）"),
    _("需求合计"),
    _("未匹配"),
    _("供需比"),
    _("标记"),
]


class GapsExportView(OfficialRequiredMixin, View):
    """The page's rows by district, domain and week as CSV (the page's filters apply)."""

    def get(self, request):
        form = GapFilterForm(request.GET)
        if not form.is_valid():
            errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
            return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
        rows = gaps_by_division(official=request.user, **form.filters())
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="supply-demand-gaps.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([str(h) for h in CSV_HEADER])
        for row in rows:
            writer.writerow(
                [
                    row.district,
                    row.district_name,
                    row.domain_label,
                    row.week_label,
                    row.supply_local,
                    row.supply_home,
                    row.supply_outreach,
                    row.supply_online,
                    row.supply,
                    row.free,
                    row.demand_needs,
                    row.demand_bookings,
                    row.demand,
                    row.unmatched,
                    f"{row.ratio:.2f}",
                    row.flag_label,
                ]
            )
        return response


urlpatterns = [
    path("official/gaps/", GapsView.as_view(), name="gaps"),
    path("official/gaps.csv", GapsExportView.as_view(), name="gaps-export"),
]
