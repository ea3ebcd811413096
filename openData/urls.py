"""Page URLs of the openData app (mounted by portal.urls)."""

from django.urls import path

from openData.views import access, console, public

app_name = "opendata"
urlpatterns = [
    path("open/", public.CatalogueView.as_view(), name="catalogue"),
    path("open/list/", public.OpenListView.as_view(), name="open-list"),
    path("open/agreement/", public.AgreementView.as_view(), name="agreement"),
    path("open/datasets/<slug:slug>/", public.DatasetView.as_view(), name="dataset"),
    path("open/datasets/<slug:slug>/apply/", access.ApplyView.as_view(), name="apply"),
    path("open/applications/", access.MyApplicationsView.as_view(), name="my-applications"),
    path("open/applications/<int:pk>/", access.ApplicationView.as_view(), name="application"),
    path("open/applications/<int:pk>/key/", access.KeyIssueView.as_view(), name="key-issue"),
    path("official/open-data/", console.ConsoleView.as_view(), name="console"),
    path(
        "official/open-data/datasets/<slug:slug>/",
        console.DatasetEditView.as_view(),
        name="dataset-edit",
    ),
    path(
        "official/open-data/datasets/<slug:slug>/run/",
        console.RunNowView.as_view(),
        name="run-now",
    ),
    path("official/open-data/runs/<uuid:pk>/", console.RunView.as_view(), name="run"),
    path(
        "official/open-data/runs/<uuid:pk>/progress/",
        console.RunProgressView.as_view(),
        name="run-progress",
    ),
    path(
        "official/open-data/applications/<int:pk>/",
        console.ApplicationReviewView.as_view(),
        name="application-review",
    ),
    path(
        "official/open-data/keys/<int:pk>/revoke/",
        console.KeyRevokeView.as_view(),
        name="key-revoke",
    ),
]
