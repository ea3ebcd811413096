"""Open-data API URLs: the public API (mounted at /api/open/v1/) and the authenticated workflow
(mounted with the other apps at /api/v1/)."""

from django.urls import include, path

from openData import api

public = [
    path("datasets/", api.DatasetSearchApi.as_view(), name="open-datasets"),
    path("datasets/<slug:slug>/", api.DatasetDetailApi.as_view(), name="open-dataset"),
    path("datasets/<slug:slug>/releases/", api.ReleaseListApi.as_view(), name="open-releases"),
    path(
        "datasets/<slug:slug>/releases/<str:version>/",
        api.ReleaseDetailApi.as_view(),
        name="open-release",
    ),
    path(
        "datasets/<slug:slug>/releases/<str:version>/files/<str:name>",
        api.FileDownloadApi.as_view(),
        name="open-file",
    ),
    path("catalog.jsonld", api.CatalogueApi.as_view(fmt="json-ld"), name="open-catalog-jsonld"),
    path("catalog.ttl", api.CatalogueApi.as_view(fmt="turtle"), name="open-catalog-turtle"),
    path("hsds/", include("openData.api_hsds")),
]

workflow = [
    path(
        "open-data/applications/",
        api.ApplicationListCreateApi.as_view(),
        name="api-opendata-applications",
    ),
    path(
        "open-data/applications/<int:pk>/decision/",
        api.ApplicationDecideApi.as_view(),
        name="api-opendata-decide",
    ),
    path(
        "open-data/applications/<int:pk>/key/",
        api.KeyIssueApi.as_view(),
        name="api-opendata-key",
    ),
    path(
        "open-data/datasets/<slug:slug>/runs/",
        api.RunCreateApi.as_view(),
        name="api-opendata-run-create",
    ),
    path("open-data/runs/<uuid:pk>/", api.RunDetailApi.as_view(), name="api-opendata-run"),
]
