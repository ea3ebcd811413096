"""Pages of the volunteers app, under /volunteers/ (志愿服务)."""

from django.urls import path

from volunteers.views import officials, pages, recognition, records, timebank

app_name = "volunteers"

urlpatterns: list = [
    # Residents and organisers (volunteers.views.pages)
    path("", pages.HomeView.as_view(), name="home"),
    path("register/", pages.RegisterView.as_view(), name="register"),
    path("me/", pages.MyVolunteeringView.as_view(), name="me"),
    path("checkin/", pages.CheckinView.as_view(), name="checkin"),
    path("activities/<int:pk>/", pages.ActivityDetailView.as_view(), name="activity"),
    path(
        "activities/<int:pk>/manage/",
        pages.ActivityManageView.as_view(),
        name="activity-manage",
    ),
    path("activities/<int:pk>/cancel/", pages.ActivityCancelView.as_view(), name="activity-cancel"),
    path("activities/<int:pk>/code/", pages.ActivityCodeView.as_view(), name="activity-code"),
    path("activities/<int:pk>/code.svg", pages.ActivityQrView.as_view(), name="activity-qr"),
    path("signups/<int:pk>/cancel/", pages.SignupCancelView.as_view(), name="signup-cancel"),
    path("signups/<int:pk>/action/", pages.SignupActionView.as_view(), name="signup-action"),
    path("signups/<int:pk>/contact/", pages.SignupContactView.as_view(), name="signup-contact"),
    path(
        "organisations/new/",
        pages.OrganisationCreateView.as_view(),
        name="organisation-new",
    ),
    path(
        "organisations/mine/",
        pages.MyOrganisationsView.as_view(),
        name="organisation-mine",
    ),
    path(
        "organisations/<int:pk>/",
        pages.OrganisationManageView.as_view(),
        name="organisation-manage",
    ),
    # Certificates and disputes (volunteers.views.records)
    path("me/certificates/", records.MyCertificatesView.as_view(), name="certificates"),
    path(
        "me/certificates/<int:pk>/pdf/",
        records.CertificatePdfView.as_view(),
        name="certificate-pdf",
    ),
    path(
        "me/certificates/<int:pk>/revoke/",
        records.CertificateRevokeView.as_view(),
        name="certificate-revoke",
    ),
    path("verify/", records.CertificateVerifyView.as_view(), name="verify"),
    path("me/hours/<int:pk>/dispute/", records.DisputeRaiseView.as_view(), name="dispute-raise"),
    path(
        "organisations/<int:pk>/disputes/",
        records.OrganisationDisputesView.as_view(),
        name="org-disputes",
    ),
    # Time bank (volunteers.views.timebank)
    path("timebank/", timebank.TimeBankView.as_view(), name="timebank"),
    path("timebank/services/", timebank.TimeBankServicesView.as_view(), name="timebank-services"),
    path(
        "timebank/services/<int:pk>/redeem/",
        timebank.RedeemView.as_view(),
        name="timebank-redeem",
    ),
    path(
        "timebank/services/<int:pk>/status/",
        timebank.TimeBankServiceStatusView.as_view(),
        name="timebank-service-status",
    ),
    path(
        "timebank/redemptions/<int:pk>/",
        timebank.OrgRedemptionView.as_view(),
        name="org-redemption",
    ),
    path(
        "timebank/redemptions/<int:pk>/contact/",
        timebank.RedemptionContactView.as_view(),
        name="org-redemption-contact",
    ),
    path(
        "timebank/redemptions/<int:pk>/cancel/",
        timebank.RedemptionCancelView.as_view(),
        name="timebank-redemption-cancel",
    ),
    path(
        "timebank/redemptions/<int:pk>/fulfil/",
        timebank.RedemptionFulfilView.as_view(),
        name="timebank-redemption-fulfil",
    ),
    path(
        "organisations/<int:pk>/redemptions/",
        timebank.OrgRedemptionsView.as_view(),
        name="org-redemptions",
    ),
    path(
        "organisations/<int:pk>/timebank-services/",
        timebank.OrgTimeBankServicesView.as_view(),
        name="org-timebank-services",
    ),
    # Recognition: the yearly ranking, public profiles, commendations (volunteers.views.recognition)
    path("ranking/", recognition.RankingView.as_view(), name="ranking"),
    path("v/<str:number>/", recognition.ProfileView.as_view(), name="profile"),
    path("v/<str:number>/commend/", recognition.CommendView.as_view(), name="commend"),
    # Officials (volunteers.views.officials)
    path("official/", officials.DashboardView.as_view(), name="official-dashboard"),
    path("official/hours.csv", officials.HoursExportView.as_view(), name="official-hours-csv"),
    path("official/roster.csv", officials.RosterExportView.as_view(), name="official-roster-csv"),
    path(
        "official/organisations/",
        officials.OrganisationQueueView.as_view(),
        name="official-organisations",
    ),
    path(
        "official/organisations/<int:pk>/",
        officials.OrganisationReviewView.as_view(),
        name="official-organisation",
    ),
]
