"""Pages of the socialorgs app: social work (社会工作) — the map, projects, the purchase
catalogue, residents' requests and reviews, the organisations' desk, the officials' catalogue."""

from django.urls import path

from socialorgs import converters  # noqa: F401  (registers <creditcode:>)
from socialorgs.views import socialwork_desk as desk
from socialorgs.views import socialwork_moderation as moderation
from socialorgs.views import socialwork_public as public
from socialorgs.views import socialwork_requests as residents

urlpatterns: list = [
    # The public (socialorgs.views.socialwork_public)
    path("socialwork/", public.MapView.as_view(), name="socialwork-map"),
    path(
        "socialwork/projects/<int:pk>/", public.ProjectDetailView.as_view(), name="project-detail"
    ),
    path("socialwork/catalogue/", public.CatalogueView.as_view(), name="sw-catalogue"),
    path(
        "socialwork/org/<creditcode:credit_code>/",
        public.OrganisationView.as_view(),
        name="sw-org",
    ),
    # Residents (socialorgs.views.socialwork_requests)
    path("socialwork/requests/", residents.RequestListView.as_view(), name="sw-requests"),
    path("socialwork/requests/new/", residents.RequestCreateView.as_view(), name="sw-request-new"),
    path("socialwork/requests/<int:pk>/", residents.RequestDetailView.as_view(), name="sw-request"),
    path("socialwork/requests/<int:pk>/review/", residents.ReviewView.as_view(), name="sw-review"),
    # Organisation accounts (socialorgs.views.socialwork_desk)
    path("socialwork/desk/<creditcode:credit_code>/", desk.DeskView.as_view(), name="sw-desk"),
    path(
        "socialwork/desk/<creditcode:credit_code>/workers/",
        desk.WorkersView.as_view(),
        name="sw-workers",
    ),
    path(
        "socialwork/desk/<creditcode:credit_code>/projects/new/",
        desk.ProjectCreateView.as_view(),
        name="sw-project-new",
    ),
    path("socialwork/desk/workers/<int:pk>/", desk.WorkerEditView.as_view(), name="sw-worker"),
    path("socialwork/desk/projects/<int:pk>/", desk.ProjectManageView.as_view(), name="sw-project"),
    path(
        "socialwork/desk/projects/<int:pk>/status/",
        desk.ProjectStatusView.as_view(),
        name="sw-project-status",
    ),
    path(
        "socialwork/desk/requests/<int:pk>/", desk.OrgRequestView.as_view(), name="sw-org-request"
    ),
    # Officials (socialorgs.views.socialwork_desk)
    path(
        "socialwork/official/catalogue/",
        desk.OfficialCatalogueView.as_view(),
        name="sw-official-catalogue",
    ),
    path(
        "socialwork/official/catalogue/<int:pk>/status/",
        desk.CatalogueStatusView.as_view(),
        name="sw-catalogue-status",
    ),
    # Reviews: the officials' moderation queue, a resident's report
    # (socialorgs.views.socialwork_moderation)
    path(
        "official/socialwork/reviews/",
        moderation.ReviewModerationView.as_view(),
        name="sw-review-moderation",
    ),
    path(
        "official/socialwork/reviews/<int:pk>/moderate/",
        moderation.ReviewModerateView.as_view(),
        name="sw-review-moderate",
    ),
    path(
        "socialwork/reviews/<int:pk>/report/",
        moderation.ReviewReportView.as_view(),
        name="sw-review-report",
    ),
]
