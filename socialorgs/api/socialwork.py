"""API of social work under /api/v1/socialorgs/socialwork/: projects (public, near a point),
the purchase catalogue (public; officials write it), residents' requests (create, accept,
decline, cancel, review), and the organisations' projects, social workers and matched
requests.

Thin views: reads through socialorgs.selectors.socialwork (an object the caller may not see
is a 404), writes through socialorgs.services.socialwork. The caller's permission is checked
before their input is read."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.permissions import IsOfficial, IsResident
from socialorgs import converters  # noqa: F401  (registers <creditcode:>)
from socialorgs.api.common import found, valid
from socialorgs.selectors import socialwork as selectors
from socialorgs.serializers.socialwork import (
    CatalogueItemSerializer,
    CatalogueItemWriteSerializer,
    CatalogueQuerySerializer,
    ModerationReviewSerializer,
    OrgServiceRequestSerializer,
    OrgSocialWorkSerializer,
    ProjectReviewModerateSerializer,
    ProjectReviewReportSerializer,
    ProjectReviewReportWriteSerializer,
    ProjectReviewSerializer,
    ProjectReviewWriteSerializer,
    ServiceRequestCompleteSerializer,
    ServiceRequestDeclinedSerializer,
    ServiceRequestOrgDeclineSerializer,
    ServiceRequestReasonSerializer,
    ServiceRequestSerializer,
    ServiceRequestWriteSerializer,
    SocialWorkerSerializer,
    SocialWorkerUpdateSerializer,
    SocialWorkerWriteSerializer,
    SocialWorkOrgProjectSerializer,
    SocialWorkProjectCloseSerializer,
    SocialWorkProjectDetailSerializer,
    SocialWorkProjectQuerySerializer,
    SocialWorkProjectSerializer,
    SocialWorkProjectWriteSerializer,
)
from socialorgs.services import socialwork as services
from socialorgs.services.common import require_civil_affairs, require_org_manager

DEFAULT_RADIUS_KM = 10.0


def _query(serializer_class, request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


# --- The public -----------------------------------------------------------------------------


class ProjectListApi(mixins.ListModelMixin, generics.GenericAPIView):
    """Active projects; with `near=lat,lng` the ones within `radius` km, nearest first."""

    permission_classes = [AllowAny]
    serializer_class = SocialWorkProjectSerializer
    filter_backends: list = []

    def get_queryset(self):
        values = _query(SocialWorkProjectQuerySerializer, self.request)
        near = values.get("near")
        return selectors.project_list_public(
            target_group=values.get("target_group", ""),
            division=values.get("division", ""),
            near=near,
            radius_km=values.get("radius", DEFAULT_RADIUS_KM) if near else None,
        )

    @extend_schema(parameters=[SocialWorkProjectQuerySerializer])
    def get(self, request):
        return self.list(request)


class ProjectDetailApi(APIView):
    """A published project with its organisation's social workers (masked) and its published
    reviews."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: SocialWorkProjectDetailSerializer})
    def get(self, request, pk):
        project = found(selectors.project_get_public(pk=pk))
        data = {
            "project": project,
            "social_workers": selectors.worker_summary_public(project.organisation),
            "reviews": selectors.reviews_published(project)[: selectors.LIST_LIMIT],
        }
        return Response(SocialWorkProjectDetailSerializer(data).data)


class CatalogueListApi(mixins.ListModelMixin, generics.GenericAPIView):
    """政府购买服务目录: published items, by year and division."""

    permission_classes = [AllowAny]
    serializer_class = CatalogueItemSerializer
    filter_backends: list = []

    def get_queryset(self):
        values = _query(CatalogueQuerySerializer, self.request)
        return selectors.catalogue_list_public(
            year=values.get("year"), division=values.get("division", "")
        )

    @extend_schema(parameters=[CatalogueQuerySerializer])
    def get(self, request):
        return self.list(request)


class OrgSocialWorkApi(APIView):
    """An organisation's social work as the public sees it: social workers by level (names
    masked) and its published projects."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: OrgSocialWorkSerializer})
    def get(self, request, credit_code):
        organisation = found(selectors.org_get_public(credit_code=credit_code))
        data = {
            "organisation": organisation,
            "social_workers": selectors.worker_summary_public(organisation),
            "projects": selectors.project_public_projects(organisation)[: selectors.LIST_LIMIT],
        }
        return Response(OrgSocialWorkSerializer(data).data)


# --- Residents ------------------------------------------------------------------------------


class MyRequestsApi(APIView):
    """The signed-in resident's requests (GET); a new request (POST), matched on a worker."""

    permission_classes = [IsResident]

    @extend_schema(responses={200: ServiceRequestSerializer(many=True)})
    def get(self, request):
        requests = selectors.request_list_for_resident(user=request.user)[: selectors.LIST_LIMIT]
        return Response(ServiceRequestSerializer(requests, many=True).data)

    @extend_schema(request=ServiceRequestWriteSerializer, responses={201: ServiceRequestSerializer})
    def post(self, request):
        values = valid(ServiceRequestWriteSerializer, request)
        service_request = services.service_request_create(
            resident=request.user, data=values, request=request
        )
        service_request = selectors.request_get_for_resident(
            user=request.user, pk=service_request.pk
        )
        return Response(
            ServiceRequestSerializer(service_request).data, status=status.HTTP_201_CREATED
        )


class MyRequestApi(APIView):
    permission_classes = [IsResident]

    @extend_schema(responses={200: ServiceRequestSerializer})
    def get(self, request, pk):
        service_request = found(selectors.request_get_for_resident(user=request.user, pk=pk))
        return Response(ServiceRequestSerializer(service_request).data)


class _RequestActionApi(APIView):
    permission_classes = [IsResident]

    def _mine(self, request, pk):
        return found(selectors.request_get_for_resident(user=request.user, pk=pk))

    def _answer(self, request, service_request):
        fresh = selectors.request_get_for_resident(user=request.user, pk=service_request.pk)
        return Response(ServiceRequestSerializer(fresh).data)


class RequestAcceptApi(_RequestActionApi):
    """The resident accepts the proposed project."""

    @extend_schema(request=None, responses={200: ServiceRequestSerializer})
    def post(self, request, pk):
        service_request = self._mine(request, pk)
        service_request = services.service_request_accept(
            service_request=service_request, resident=request.user, request=request
        )
        return self._answer(request, service_request)


class RequestDeclineApi(_RequestActionApi):
    """The resident declines the proposed project: rematched without it."""

    @extend_schema(
        request=ServiceRequestReasonSerializer, responses={200: ServiceRequestSerializer}
    )
    def post(self, request, pk):
        service_request = self._mine(request, pk)
        values = valid(ServiceRequestReasonSerializer, request)
        service_request = services.service_request_decline(
            service_request=service_request,
            resident=request.user,
            reason=values.get("reason", ""),
            request=request,
        )
        return self._answer(request, service_request)


class RequestCancelApi(_RequestActionApi):
    """The resident withdraws a request not yet accepted."""

    @extend_schema(
        request=ServiceRequestReasonSerializer, responses={200: ServiceRequestSerializer}
    )
    def post(self, request, pk):
        service_request = self._mine(request, pk)
        values = valid(ServiceRequestReasonSerializer, request)
        service_request = services.service_request_cancel(
            service_request=service_request,
            resident=request.user,
            reason=values.get("reason", ""),
            request=request,
        )
        return self._answer(request, service_request)


class RequestReviewApi(_RequestActionApi):
    """The resident reviews a completed service, once."""

    @extend_schema(request=ProjectReviewWriteSerializer, responses={201: ProjectReviewSerializer})
    def post(self, request, pk):
        service_request = self._mine(request, pk)
        services.review_check_eligible(service_request=service_request, resident=request.user)
        values = valid(ProjectReviewWriteSerializer, request)
        review = services.project_review_create(
            service_request=service_request,
            resident=request.user,
            overall=values["overall"],
            dimensions=values["dimensions"],
            text=values.get("text", ""),
            request=request,
        )
        return Response(ProjectReviewSerializer(review).data, status=status.HTTP_201_CREATED)


# --- Organisations --------------------------------------------------------------------------


def _member_org(request, credit_code):
    return found(selectors.org_get_for_member(user=request.user, credit_code=credit_code))


class OrgProjectsApi(APIView):
    """The organisation's projects, any state (its accounts); a new draft (owner, manager)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: SocialWorkOrgProjectSerializer(many=True)})
    def get(self, request, credit_code):
        organisation = _member_org(request, credit_code)
        projects = selectors.project_list_for_org(organisation=organisation)
        return Response(
            SocialWorkOrgProjectSerializer(projects[: selectors.LIST_LIMIT], many=True).data
        )

    @extend_schema(
        request=SocialWorkProjectWriteSerializer, responses={201: SocialWorkOrgProjectSerializer}
    )
    def post(self, request, credit_code):
        organisation = _member_org(request, credit_code)
        require_org_manager(request.user, organisation)
        values = valid(SocialWorkProjectWriteSerializer, request)
        project = services.project_create(
            organisation=organisation, actor=request.user, data=values, request=request
        )
        return Response(
            SocialWorkOrgProjectSerializer(project).data, status=status.HTTP_201_CREATED
        )


class _ProjectActionApi(APIView):
    permission_classes = [IsAuthenticated]

    def _project(self, request, pk):
        project = found(selectors.project_get_for_member(user=request.user, pk=pk))
        require_org_manager(request.user, project.organisation)
        return project


class ProjectPublishApi(_ProjectActionApi):
    """draft → active (the catalogue rule checked again)."""

    @extend_schema(request=None, responses={200: SocialWorkOrgProjectSerializer})
    def post(self, request, pk):
        project = self._project(request, pk)
        project = services.project_publish(project=project, actor=request.user, request=request)
        return Response(SocialWorkOrgProjectSerializer(project).data)


class ProjectCloseApi(_ProjectActionApi):
    """→ closed; proposals waiting for residents are rematched."""

    @extend_schema(
        request=SocialWorkProjectCloseSerializer, responses={200: SocialWorkOrgProjectSerializer}
    )
    def post(self, request, pk):
        project = self._project(request, pk)
        values = valid(SocialWorkProjectCloseSerializer, request)
        project = services.project_close(
            project=project, actor=request.user, reason=values.get("reason", ""), request=request
        )
        return Response(SocialWorkOrgProjectSerializer(project).data)


class OrgWorkersApi(APIView):
    """The organisation's social workers in full (its accounts; an audited read); add one
    (owner, manager)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: SocialWorkerSerializer(many=True)})
    def get(self, request, credit_code):
        organisation = _member_org(request, credit_code)
        workers = list(selectors.worker_list_for_org(organisation=organisation))
        services.social_workers_read(
            organisation=organisation, actor=request.user, workers=workers, request=request
        )
        return Response(SocialWorkerSerializer(workers, many=True).data)

    @extend_schema(request=SocialWorkerWriteSerializer, responses={201: SocialWorkerSerializer})
    def post(self, request, credit_code):
        organisation = _member_org(request, credit_code)
        require_org_manager(request.user, organisation)
        values = valid(SocialWorkerWriteSerializer, request)
        worker = services.social_worker_add(
            organisation=organisation, actor=request.user, data=values, request=request
        )
        return Response(SocialWorkerSerializer(worker).data, status=status.HTTP_201_CREATED)


class WorkerApi(APIView):
    """Change a social worker's record; `active: false` takes them off duty."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=SocialWorkerUpdateSerializer, responses={200: SocialWorkerSerializer})
    def patch(self, request, pk):
        worker = found(selectors.worker_get_for_member(user=request.user, pk=pk))
        require_org_manager(request.user, worker.organisation)
        values = valid(SocialWorkerUpdateSerializer, request)
        worker = services.social_worker_update(
            worker=worker, actor=request.user, data=values, request=request
        )
        return Response(SocialWorkerSerializer(worker).data)


class OrgRequestsApi(APIView):
    """Requests proposed to, accepted by or completed for the organisation's projects:
    addresses masked and needs redacted (the full text is on one request's own read)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OrgServiceRequestSerializer(many=True)})
    def get(self, request, credit_code):
        organisation = _member_org(request, credit_code)
        requests = selectors.request_list_for_org(organisation=organisation)
        return Response(
            OrgServiceRequestSerializer(requests[: selectors.LIST_LIMIT], many=True).data
        )


def _org_request(request, pk):
    return found(selectors.request_get_for_org_member(user=request.user, pk=pk))


def _org_answer(request, service_request):
    """The request as the organisation sees it after an action (full once accepted: read
    on purpose, audited)."""
    fresh = found(selectors.request_get_for_org_member(user=request.user, pk=service_request.pk))
    full = services.service_request_full_view(
        service_request=fresh, actor=request.user, request=request
    )
    context = {"full": {fresh.pk: full}} if full else {}
    return Response(OrgServiceRequestSerializer(fresh, context=context).data)


class OrgRequestApi(APIView):
    """One request of the organisation's: address and need in full once the resident
    accepted (each read audit-logged), masked before."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OrgServiceRequestSerializer})
    def get(self, request, pk):
        return _org_answer(request, _org_request(request, pk))


class OrgRequestDeclineApi(APIView):
    """The organisation cannot take a proposed request (with a reason the resident reads)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ServiceRequestOrgDeclineSerializer,
        responses={200: ServiceRequestDeclinedSerializer},
    )
    def post(self, request, pk):
        service_request = _org_request(request, pk)
        require_org_manager(request.user, service_request.project.organisation)
        values = valid(ServiceRequestOrgDeclineSerializer, request)
        service_request = services.service_request_org_decline(
            service_request=service_request,
            actor=request.user,
            reason=values["reason"],
            request=request,
        )
        # Back to matching: no longer the organisation's, so only its number and state.
        return Response(ServiceRequestDeclinedSerializer(service_request).data)


class OrgRequestCompleteApi(APIView):
    """The organisation marks an accepted case completed."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ServiceRequestCompleteSerializer, responses={200: OrgServiceRequestSerializer}
    )
    def post(self, request, pk):
        service_request = _org_request(request, pk)
        require_org_manager(request.user, service_request.project.organisation)
        values = valid(ServiceRequestCompleteSerializer, request)
        service_request = services.service_request_complete(
            service_request=service_request,
            actor=request.user,
            note=values.get("note", ""),
            request=request,
        )
        return _org_answer(request, service_request)


# --- Officials ------------------------------------------------------------------------------


class OfficialCatalogueApi(APIView):
    """The catalogue items of the 民政 official's jurisdiction (any state); a new draft."""

    permission_classes = [IsOfficial]

    @extend_schema(responses={200: CatalogueItemSerializer(many=True)})
    def get(self, request):
        require_civil_affairs(request.user)
        items = selectors.catalogue_list_for_official(official=request.user)
        return Response(CatalogueItemSerializer(items[: selectors.LIST_LIMIT], many=True).data)

    @extend_schema(request=CatalogueItemWriteSerializer, responses={201: CatalogueItemSerializer})
    def post(self, request):
        require_civil_affairs(request.user)
        values = valid(CatalogueItemWriteSerializer, request)
        item = services.catalogue_item_create(official=request.user, data=values, request=request)
        return Response(CatalogueItemSerializer(item).data, status=status.HTTP_201_CREATED)


class _CatalogueActionApi(APIView):
    permission_classes = [IsOfficial]

    def _item(self, request, pk):
        require_civil_affairs(request.user)
        return found(selectors.catalogue_item_get_for_official(official=request.user, pk=pk))


class CataloguePublishApi(_CatalogueActionApi):
    @extend_schema(request=None, responses={200: CatalogueItemSerializer})
    def post(self, request, pk):
        item = services.catalogue_item_publish(
            item=self._item(request, pk), official=request.user, request=request
        )
        return Response(CatalogueItemSerializer(item).data)


class CatalogueWithdrawApi(_CatalogueActionApi):
    @extend_schema(request=None, responses={200: CatalogueItemSerializer})
    def post(self, request, pk):
        item = services.catalogue_item_withdraw(
            item=self._item(request, pk), official=request.user, request=request
        )
        return Response(CatalogueItemSerializer(item).data)


class OfficialReviewsApi(APIView):
    """The held reviews of projects in the 民政 official's jurisdiction, oldest first (held
    for a listed word, or reported by a resident)."""

    permission_classes = [IsOfficial]

    @extend_schema(responses={200: ModerationReviewSerializer(many=True)})
    def get(self, request):
        require_civil_affairs(request.user)
        reviews = selectors.review_moderation_queue(official=request.user)
        return Response(ModerationReviewSerializer(reviews[: selectors.LIST_LIMIT], many=True).data)


class ReviewModerateApi(APIView):
    """Publish a review (it counts towards the project's quality) or hide it (with a reason
    the resident reads). The same decision twice is a 409."""

    permission_classes = [IsOfficial]

    @extend_schema(
        request=ProjectReviewModerateSerializer, responses={200: ModerationReviewSerializer}
    )
    def post(self, request, pk):
        require_civil_affairs(request.user)
        review = found(selectors.review_get_for_moderation(official=request.user, pk=pk))
        values = valid(ProjectReviewModerateSerializer, request)
        services.project_review_moderate(
            review=review,
            official=request.user,
            action=values["action"],
            reason=values.get("reason", ""),
            request=request,
        )
        review = selectors.review_get_for_moderation(official=request.user, pk=pk)
        return Response(ModerationReviewSerializer(review).data)


class ReviewReportApi(APIView):
    """A resident reports a published review: it is held until an official decides."""

    permission_classes = [IsResident]

    @extend_schema(
        request=ProjectReviewReportWriteSerializer,
        responses={201: ProjectReviewReportSerializer},
    )
    def post(self, request, pk):
        review = found(selectors.review_get_published(pk=pk))
        values = valid(ProjectReviewReportWriteSerializer, request)
        report = services.project_review_report(
            review=review, reporter=request.user, reason=values["reason"], request=request
        )
        return Response(ProjectReviewReportSerializer(report).data, status=status.HTTP_201_CREATED)


SW = "socialwork/"
ORG = f"{SW}organisations/<creditcode:credit_code>/"

routes: list = [
    path(f"{SW}projects/", ProjectListApi.as_view(), name="api-sw-projects"),
    path(f"{SW}projects/<int:pk>/", ProjectDetailApi.as_view(), name="api-sw-project"),
    path(
        f"{SW}projects/<int:pk>/publish/",
        ProjectPublishApi.as_view(),
        name="api-sw-project-publish",
    ),
    path(f"{SW}projects/<int:pk>/close/", ProjectCloseApi.as_view(), name="api-sw-project-close"),
    path(f"{SW}catalogue/", CatalogueListApi.as_view(), name="api-sw-catalogue"),
    path(ORG, OrgSocialWorkApi.as_view(), name="api-sw-org"),
    path(f"{ORG}projects/", OrgProjectsApi.as_view(), name="api-sw-org-projects"),
    path(f"{ORG}workers/", OrgWorkersApi.as_view(), name="api-sw-org-workers"),
    path(f"{ORG}requests/", OrgRequestsApi.as_view(), name="api-sw-org-requests"),
    path(f"{SW}workers/<int:pk>/", WorkerApi.as_view(), name="api-sw-worker"),
    path(f"{SW}requests/", MyRequestsApi.as_view(), name="api-sw-requests"),
    path(f"{SW}requests/<int:pk>/", MyRequestApi.as_view(), name="api-sw-request"),
    path(
        f"{SW}requests/<int:pk>/accept/", RequestAcceptApi.as_view(), name="api-sw-request-accept"
    ),
    path(
        f"{SW}requests/<int:pk>/decline/",
        RequestDeclineApi.as_view(),
        name="api-sw-request-decline",
    ),
    path(
        f"{SW}requests/<int:pk>/cancel/", RequestCancelApi.as_view(), name="api-sw-request-cancel"
    ),
    path(
        f"{SW}requests/<int:pk>/review/", RequestReviewApi.as_view(), name="api-sw-request-review"
    ),
    path(f"{SW}org-requests/<int:pk>/", OrgRequestApi.as_view(), name="api-sw-org-request"),
    path(
        f"{SW}org-requests/<int:pk>/decline/",
        OrgRequestDeclineApi.as_view(),
        name="api-sw-org-request-decline",
    ),
    path(
        f"{SW}org-requests/<int:pk>/complete/",
        OrgRequestCompleteApi.as_view(),
        name="api-sw-org-request-complete",
    ),
    path(
        f"{SW}official/catalogue/",
        OfficialCatalogueApi.as_view(),
        name="api-sw-official-catalogue",
    ),
    path(
        f"{SW}official/catalogue/<int:pk>/publish/",
        CataloguePublishApi.as_view(),
        name="api-sw-catalogue-publish",
    ),
    path(
        f"{SW}official/catalogue/<int:pk>/withdraw/",
        CatalogueWithdrawApi.as_view(),
        name="api-sw-catalogue-withdraw",
    ),
    path(f"{SW}official/reviews/", OfficialReviewsApi.as_view(), name="api-sw-official-reviews"),
    path(
        f"{SW}official/reviews/<int:pk>/moderate/",
        ReviewModerateApi.as_view(),
        name="api-sw-review-moderate",
    ),
    path(f"{SW}reviews/<int:pk>/report/", ReviewReportApi.as_view(), name="api-sw-review-report"),
]
