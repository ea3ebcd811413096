"""Pages of the socialorgs app: charity transparency (socialorgs.views.charity)."""

from django.urls import path

from socialorgs.views import charity

urlpatterns: list = [
    # Public
    path("charity/", charity.CharityListView.as_view(), name="charity-list"),
    path(
        "charity/orgs/<str:credit_code>/",
        charity.CharityOrgView.as_view(),
        name="charity-org",
    ),
    path(
        "charity/<str:filing_number>/",
        charity.CharityProjectView.as_view(),
        name="charity-project",
    ),
    path(
        "charity/<str:filing_number>/donate/",
        charity.DonateView.as_view(),
        name="charity-donate",
    ),
    # The organisation's accounts
    path("mine/charity/", charity.DeskView.as_view(), name="charity-desk"),
    path(
        "mine/charity/<int:pk>/projects/new/",
        charity.ProjectNewView.as_view(),
        name="charity-project-new",
    ),
    path(
        "mine/charity/<int:pk>/disclosures/",
        charity.DisclosuresView.as_view(),
        name="charity-disclosures",
    ),
    path(
        "mine/charity/projects/<str:filing_number>/",
        charity.LedgerView.as_view(),
        name="charity-ledger",
    ),
    path(
        "mine/charity/projects/<str:filing_number>/close/",
        charity.ProjectCloseView.as_view(),
        name="charity-project-close",
    ),
    # Civil-affairs officials
    path("official/charity/", charity.OfficialListView.as_view(), name="charity-official"),
    path(
        "official/charity/<str:filing_number>/",
        charity.OfficialProjectView.as_view(),
        name="charity-official-project",
    ),
]
