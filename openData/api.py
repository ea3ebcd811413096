"""The open-data API.

Public, under /api/open/v1/ (no login for unconditional data): dataset search with facets,
dataset detail, releases, file downloads (a conditional dataset's files need an API key in the
X-API-Key header, or ?key=), the DCAT-AP catalogue as JSON-LD and Turtle, and the HSDS
directory. Per-address and per-key rate limits answer 429 with Retry-After.

Authenticated, under /api/v1/open-data/: applications for conditional datasets, decisions,
keys, and publication runs.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import ErrorDetail
from rest_framework.generics import ListAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from openData import dcat, selectors
from openData.errors import OpenDataError
from openData.filters import DatasetFilter
from openData.models import AccessApplication, ApiKey, Dataset
from openData.serializers import (
    ApplicationSerializer,
    DatasetSearchSerializer,
    DatasetSerializer,
    DecisionSerializer,
    IssuedKeySerializer,
    PublicationRunSerializer,
    ReleaseSerializer,
)
from openData.services import access, releases
from openData.services.catalogue import can_steward
from portal.accounts.permissions import is_official
from portal.netutils import client_ip

# --- Keys and rate limits ------------------------------------------------------------------------


class ApiKeyAuthentication(BaseAuthentication):
    """Finds the key sent as X-API-Key (or ?key=); request.auth is the ApiKey, the user stays
    anonymous. A wrong secret is not an error here: the file view decides what it needs."""

    def authenticate(self, request):
        secret = request.headers.get("X-API-Key") or request.query_params.get("key")
        if not secret:
            return None
        key = access.key_find(secret)
        request.opendata_key_sent = True
        if key is None:
            return None
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser(), key

    def authenticate_header(self, request) -> str:
        return "X-API-Key"


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "openData.api.ApiKeyAuthentication"
    name = "openDataApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-API-Key"}


class OpenAddressThrottle(SimpleRateThrottle):
    """Requests without a valid key: per client address (OPENDATA_ANON_RATE)."""

    scope = "open"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


class ApiKeyThrottle(SimpleRateThrottle):
    """Requests with a key: per key, at the key's own rate per minute."""

    scope = "open-key"

    def allow_request(self, request, view):
        key = request.auth if isinstance(request.auth, ApiKey) else None
        if key is None:
            return True
        self.num_requests, self.duration = key.rate_per_minute, 60
        self.key = self.cache_format % {"scope": self.scope, "ident": key.prefix}
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()

    def get_rate(self):
        return None  # the rate is the key's own, read in allow_request


class FormatIsAFilter(DefaultContentNegotiation):
    """In the open-data API `?format=` filters by file format (csv, xlsx...) or names HSDS's
    json; it never picks a renderer (DRF's URL_FORMAT_OVERRIDE, switched off here only)."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


class OpenApi(APIView):
    """Base of the public open-data endpoints."""

    content_negotiation_class = FormatIsAFilter
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [OpenAddressThrottle, ApiKeyThrottle]

    def throttled(self, request, wait):
        seconds = math.ceil(wait) if wait else 60  # as DRF's Retry-After header says
        if isinstance(request.auth, ApiKey):
            _log_key_use(request, request.auth, status.HTTP_429_TOO_MANY_REQUESTS)
        error = exceptions.Throttled(wait=wait)
        # Replace DRF's detail, which would append its own second wording of the wait.
        error.detail = ErrorDetail(
            _("请求过于频繁，请在 %(seconds)s 秒后重试。") % {"seconds": seconds}, code="throttled"
        )
        raise error


def _log_key_use(request, key: ApiKey, status_code: int) -> None:
    access.key_use_record(
        key=key,
        path=request.get_full_path().split("?")[0],
        status_code=status_code,
        ip=client_ip(request),
    )


# --- Catalogue -----------------------------------------------------------------------------------


class DatasetSearchApi(OpenApi):
    @extend_schema(
        operation_id="open_datasets_search",
        summary="Search the catalogue",
        tags=["open-data"],
        parameters=[
            OpenApiParameter("q", str, description="Words in the title, description or keywords"),
            OpenApiParameter("theme", str, enum=[c for c, _ in Dataset.Theme.choices]),
            OpenApiParameter("publisher", str),
            OpenApiParameter("access", str, enum=[c for c, _ in Dataset.Access.choices]),
            OpenApiParameter("format", str),
        ],
        responses={200: DatasetSearchSerializer},
    )
    def get(self, request):
        filterset = DatasetFilter(request.query_params, queryset=selectors.dataset_list())
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        datasets, facets = selectors.dataset_search(queryset=filterset.qs)
        return Response(
            {
                "count": len(datasets),
                "results": DatasetSerializer(datasets, many=True).data,
                "facets": facets,
            }
        )


def _dataset(slug: str) -> Dataset:
    dataset = selectors.dataset_get(slug=slug)
    if dataset is None:
        raise exceptions.NotFound(_("数据集不存在。"))
    return dataset


class DatasetDetailApi(OpenApi):
    @extend_schema(
        operation_id="open_dataset_get",
        summary="A dataset's metadata",
        tags=["open-data"],
        responses={200: DatasetSerializer},
    )
    def get(self, request, slug: str):
        dataset = _dataset(slug)
        dataset.formats = selectors.dataset_formats(dataset)
        dataset.latest = selectors.release_latest(dataset=dataset)
        return Response(DatasetSerializer(dataset).data)


class ReleaseListApi(OpenApi):
    @extend_schema(
        summary="A dataset's releases, newest first",
        tags=["open-data"],
        responses={200: ReleaseSerializer(many=True)},
    )
    def get(self, request, slug: str):
        dataset = _dataset(slug)
        return Response(ReleaseSerializer(selectors.release_list(dataset=dataset), many=True).data)


def _release(dataset: Dataset, version: str):
    release = (
        selectors.release_latest(dataset=dataset)
        if version == "latest"
        else selectors.release_get(dataset=dataset, version=version)
    )
    if release is None:
        raise exceptions.NotFound(_("该版本不存在。"))
    return release


class ReleaseDetailApi(OpenApi):
    @extend_schema(
        summary="One release (a version number, or `latest`)",
        tags=["open-data"],
        responses={200: ReleaseSerializer},
    )
    def get(self, request, slug: str, version: str):
        return Response(ReleaseSerializer(_release(_dataset(slug), version)).data)


class FileDownloadApi(OpenApi):
    """A release file, streamed from disk (flat memory whatever its size), with its SHA-256 in
    the ETag and X-Checksum-SHA256 headers."""

    @extend_schema(
        summary="Download a release file",
        description=(
            "Files of a conditional (有条件开放) dataset need a valid API key in the X-API-Key "
            "header (or ?key=); every use of a key is logged."
        ),
        tags=["open-data"],
        parameters=[OpenApiParameter("X-API-Key", str, OpenApiParameter.HEADER, required=False)],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, slug: str, version: str, name: str):
        dataset = _dataset(slug)
        key = request.auth if isinstance(request.auth, ApiKey) else None
        if dataset.is_conditional and not access.key_valid_for(key, dataset):
            if key is not None:
                _log_key_use(request, key, status.HTTP_403_FORBIDDEN)
            sent = getattr(request, "opendata_key_sent", False)
            return Response(
                {
                    "detail": _("接口密钥无效、已过期或已撤销，或不适用于该数据集。")
                    if sent
                    else _("该数据集为有条件开放，下载需要经批准的接口密钥（X-API-Key）。"),
                    "code": "key_invalid" if sent else "key_required",
                    "fields": {},
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        try:
            release = _release(dataset, version)
            file = selectors.file_get(release=release, name=name)
            if file is None:
                raise exceptions.NotFound(_("文件不存在。"))
        except exceptions.NotFound:
            if key is not None and dataset.is_conditional:
                _log_key_use(request, key, status.HTTP_404_NOT_FOUND)
            raise
        if key is not None and dataset.is_conditional:
            _log_key_use(request, key, status.HTTP_200_OK)
        path = releases.release_path(release) / file.name
        response = FileResponse(
            open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
            as_attachment=True,
            filename=f"{dataset.slug}-v{release.version}-{file.name}",
            content_type=file.media_type,
        )
        response["ETag"] = f'"{file.sha256}"'
        response["X-Checksum-SHA256"] = file.sha256
        response["Cache-Control"] = (
            "private, no-store" if dataset.is_conditional else "public, max-age=86400, immutable"
        )
        return response


class CatalogueApi(OpenApi):
    """The whole catalogue as DCAT-AP 3.0.1."""

    fmt = "json-ld"

    @extend_schema(
        summary="The catalogue as DCAT-AP (JSON-LD or Turtle)",
        tags=["open-data"],
        responses={
            (200, "application/ld+json"): OpenApiTypes.OBJECT,
            (200, "text/turtle"): OpenApiTypes.STR,
        },
    )
    def get(self, request):
        body = dcat.catalogue_serialise(list(selectors.dataset_list()), self.fmt)
        content_type = "application/ld+json" if self.fmt == "json-ld" else "text/turtle"
        return HttpResponse(body, content_type=f"{content_type}; charset=utf-8")


# --- The authenticated workflow -------------------------------------------------------------------


class ApplicationListCreateApi(ListAPIView):
    """An organisation's applications for conditional datasets (GET) and a new one (POST)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ApplicationSerializer
    queryset = AccessApplication.objects.none()  # for the schema; get_queryset is per user

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.application_list_for_applicant(user=self.request.user)

    @extend_schema(
        summary="Apply for a conditional dataset",
        tags=["open-data: access"],
        request=ApplicationSerializer,
        responses={201: ApplicationSerializer},
    )
    def post(self, request):
        if is_official(request.user):
            # Officials never apply: refused before the body is read (the service says so too).
            raise OpenDataError("applicant_role", status=403)
        serializer = ApplicationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dataset = data["dataset"]
        application = access.application_submit(
            dataset=dataset,
            applicant=request.user,
            organisation_name=data["organisation_name"],
            credit_code=data["credit_code"],
            purpose=data["purpose"],
            fields=data["fields"],
            duration_days=data["duration_days"],
            security_measures=data["security_measures"],
            agreement_accepted=data["agreement_accepted"],
            field_names=selectors.dataset_field_names(dataset),
        )
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)


def _application_for_steward(request, pk) -> AccessApplication:
    application = selectors.application_get_for_steward(user=request.user, pk=pk)
    if application is None:
        raise exceptions.NotFound(_("申请不存在。"))
    return application


class ApplicationDecideApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Approve or reject an application (officials stewarding the dataset)",
        tags=["open-data: access"],
        request=DecisionSerializer,
        responses={200: ApplicationSerializer},
    )
    def post(self, request, pk: int):
        application = _application_for_steward(request, pk)
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = access.application_decide(
            application=application, official=request.user, **serializer.validated_data
        )
        return Response(ApplicationSerializer(application).data)


class KeyIssueApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Generate the API key of an approved application (the secret is shown once)",
        tags=["open-data: access"],
        request=None,
        responses={201: IssuedKeySerializer},
    )
    def post(self, request, pk: int):
        application = selectors.application_get_for_applicant(user=request.user, pk=pk)
        if application is None:
            raise exceptions.NotFound(_("申请不存在。"))
        key, secret = access.key_issue(application=application, user=request.user)
        return Response(
            {
                "prefix": key.prefix,
                "secret": secret,
                "valid_until": application.valid_until,
                "rate_per_minute": key.rate_per_minute,
            },
            status=status.HTTP_201_CREATED,
        )


class RunCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Publish a dataset now (officials stewarding it); the run is queued",
        tags=["open-data: publication"],
        request=None,
        responses={202: PublicationRunSerializer},
    )
    def post(self, request, slug: str):
        dataset = _dataset(slug)
        if not can_steward(request.user, dataset):
            raise OpenDataError("not_steward", status=403)
        run = releases.run_request(dataset=dataset, requested_by=request.user)
        run.refresh_from_db()
        return Response(PublicationRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class RunDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="A publication run: status, progress and the gate's report",
        tags=["open-data: publication"],
        responses={200: PublicationRunSerializer},
    )
    def get(self, request, pk):
        run = selectors.run_get_for_steward(user=request.user, pk=pk)
        if run is None:
            raise exceptions.NotFound(_("发布任务不存在。"))
        return Response(PublicationRunSerializer(run).data)
