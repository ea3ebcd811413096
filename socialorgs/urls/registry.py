"""Pages of the socialorgs app: registry (一网通查, the officials' registry, annual reports,
evaluation, the organisation accounts' pages)."""

from django.urls import path

from socialorgs import converters  # noqa: F401  (registers <creditcode:>)
from socialorgs.views import registry, registry_mine, registry_official

urlpatterns: list = [
    # The public (socialorgs.views.registry)
    path("", registry.SearchView.as_view(), name="search"),
    path("org/<creditcode:credit_code>/", registry.ProfileView.as_view(), name="detail"),
    # Officials (socialorgs.views.registry_official)
    path("official/", registry_official.OfficialHomeView.as_view(), name="official-home"),
    path(
        "official/register/",
        registry_official.OrgRegisterView.as_view(),
        name="official-register",
    ),
    path(
        "official/org/<creditcode:credit_code>/",
        registry_official.OfficialOrgView.as_view(),
        name="official-org",
    ),
    path(
        "official/org/<creditcode:credit_code>/edit/",
        registry_official.OrgEditView.as_view(),
        name="official-edit",
    ),
    path(
        "official/org/<creditcode:credit_code>/status/",
        registry_official.OrgStatusView.as_view(),
        name="official-status",
    ),
    path(
        "official/org/<creditcode:credit_code>/charity/",
        registry_official.OrgCharityView.as_view(),
        name="official-charity",
    ),
    path(
        "official/org/<creditcode:credit_code>/owner/",
        registry_official.OrgOwnerView.as_view(),
        name="official-owner",
    ),
    path(
        "official/org/<creditcode:credit_code>/legal-rep/",
        registry_official.LegalRepView.as_view(),
        name="official-legal-rep",
    ),
    path(
        "official/org/<creditcode:credit_code>/evaluate/",
        registry_official.EvaluateView.as_view(),
        name="official-evaluate",
    ),
    path(
        "official/evaluations/<int:pk>/revoke/",
        registry_official.EvaluationRevokeView.as_view(),
        name="official-evaluation-revoke",
    ),
    path("official/reports/", registry_official.ReportQueueView.as_view(), name="official-reports"),
    path(
        "official/reports/<int:pk>/",
        registry_official.ReportReviewView.as_view(),
        name="official-report",
    ),
    # Organisation accounts (socialorgs.views.registry_mine)
    path("mine/", registry_mine.MineView.as_view(), name="mine"),
    path("mine/<creditcode:credit_code>/", registry_mine.MineOrgView.as_view(), name="mine-org"),
    path(
        "mine/<creditcode:credit_code>/reports/<int:year>/",
        registry_mine.MineReportView.as_view(),
        name="mine-report",
    ),
]
