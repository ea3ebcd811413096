"""The officials' quality dashboard (jurisdiction-scoped, CSV per table) and the provider's
own quality page."""

from __future__ import annotations

import csv

from django.http import Http404, HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from portal.accounts.permissions import OfficialRequiredMixin, ProviderStaffRequiredMixin
from providers.views.common import staff_provider_or_404
from ratings.dashboard import dashboard_for, provider_quality


class DashboardView(OfficialRequiredMixin, TemplateView):
    template_name = "ratings/dashboard/official.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(board=dashboard_for(official=self.request.user), **kwargs)


EXPORTS = {
    "risk": (
        lambda b: b["risk"],
        [_("机构"), _("居民评分"), _("评价数"), _("近90天投诉"), _("信用等级")],
        lambda r: [
            r["provider"].name,
            "" if r["provider"].quality_score is None else f"{r['provider'].quality_score:.2f}",
            r["provider"].review_count,
            r["complaints"],
            r["provider"].credit_grade,
        ],
    ),
    "licences": (
        lambda b: b["licences"],
        [_("机构"), _("证照"), _("有效期至")],
        lambda lic: [lic.provider.name, lic.get_kind_display(), lic.valid_until],
    ),
    "inspections": (
        lambda b: b["inspections_due"],
        [_("机构"), _("检查类型"), _("计划检查日期")],
        lambda i: [i.provider.name, i.get_kind_display(), i.due_on],
    ),
    "rectifications": (
        lambda b: b["rectifications"],
        [_("机构"), _("整改期限")],
        lambda i: [i.provider.name, i.rectification_due],
    ),
    "complaints": (
        lambda b: b["complaints_by_stage"],
        [_("阶段"), _("办理中"), _("已超期")],
        lambda s: [s["label"], s["total"], s["overdue"]],
    ),
}


class DashboardExportView(OfficialRequiredMixin, View):
    """One table of the board as CSV (organisations and counts only: nothing to mask)."""

    def get(self, request, table):
        if table not in EXPORTS:
            raise Http404
        rows, header, line = EXPORTS[table]
        board = dashboard_for(official=request.user)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="quality-{table}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([str(h) for h in header])
        for row in rows(board):
            writer.writerow(line(row))
        return response


class ProviderQualityView(ProviderStaffRequiredMixin, TemplateView):
    template_name = "ratings/dashboard/provider.html"

    def get_context_data(self, **kwargs):
        provider = staff_provider_or_404(self.request, self.kwargs["pk"])
        return super().get_context_data(quality=provider_quality(provider=provider), **kwargs)


urlpatterns = [
    path("official/quality/", DashboardView.as_view(), name="dashboard"),
    path(
        "official/quality/<slug:table>.csv", DashboardExportView.as_view(), name="dashboard-export"
    ),
    path(
        "provider/organisations/<uuid:pk>/quality/",
        ProviderQualityView.as_view(),
        name="provider-quality",
    ),
]
