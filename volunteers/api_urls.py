"""API routes of the volunteers app, under /api/v1/volunteers/."""

from django.urls import path

from volunteers.api import core as api
from volunteers.api import recognition as recognition_api
from volunteers.api import records as records_api
from volunteers.api import timebank as timebank_api

urlpatterns = [
    path("volunteers/me/", api.VolunteerMeApi.as_view(), name="api-volunteer-me"),
    path("volunteers/me/signups/", api.MySignupsApi.as_view(), name="api-volunteer-my-signups"),
    path("volunteers/me/hours/", api.MyHoursApi.as_view(), name="api-volunteer-my-hours"),
    path("volunteers/<int:pk>/", api.VolunteerPublicApi.as_view(), name="api-volunteer-public"),
    # Recognition and statistics (volunteers.api.recognition)
    path(
        "volunteers/<int:pk>/record/",
        recognition_api.VolunteerRecordApi.as_view(),
        name="api-volunteer-record",
    ),
    path(
        "volunteers/<int:pk>/commendations/",
        recognition_api.VolunteerCommendationsApi.as_view(),
        name="api-volunteer-commendations",
    ),
    path(
        "volunteers/ranking/",
        recognition_api.VolunteerRankingApi.as_view(),
        name="api-volunteer-ranking",
    ),
    path(
        "volunteers/stats/",
        recognition_api.VolunteerStatsApi.as_view(),
        name="api-volunteer-stats",
    ),
    path("volunteers/organisations/", api.OrganisationListApi.as_view(), name="api-volorg-list"),
    path(
        "volunteers/organisations/<int:pk>/",
        api.OrganisationDetailApi.as_view(),
        name="api-volorg-detail",
    ),
    path(
        "volunteers/organisations/<int:pk>/decision/",
        api.OrganisationDecisionApi.as_view(),
        name="api-volorg-decide",
    ),
    path(
        "volunteers/organisations/<int:pk>/members/",
        api.OrganisationMembersApi.as_view(),
        name="api-volorg-members",
    ),
    path(
        "volunteers/organisations/<int:pk>/activities/",
        api.OrganisationActivitiesApi.as_view(),
        name="api-volorg-activities",
    ),
    path("volunteers/activities/", api.ActivitySearchApi.as_view(), name="api-activity-search"),
    path(
        "volunteers/activities/<int:pk>/",
        api.ActivityDetailApi.as_view(),
        name="api-activity-detail",
    ),
    path(
        "volunteers/activities/<int:pk>/signups/",
        api.ActivitySignupsApi.as_view(),
        name="api-activity-signups",
    ),
    path(
        "volunteers/activities/<int:pk>/code/",
        api.ActivityCodeApi.as_view(),
        name="api-activity-code",
    ),
    path(
        "volunteers/activities/<int:pk>/checkin/",
        api.ActivityCheckinApi.as_view(),
        name="api-activity-checkin",
    ),
    path(
        "volunteers/signups/<int:pk>/decision/",
        api.SignupDecisionApi.as_view(),
        name="api-signup-decide",
    ),
    path(
        "volunteers/signups/<int:pk>/cancel/",
        api.SignupCancelApi.as_view(),
        name="api-signup-cancel",
    ),
    path(
        "volunteers/signups/<int:pk>/attendance/",
        api.SignupAttendanceApi.as_view(),
        name="api-signup-attendance",
    ),
    path(
        "volunteers/hours/<int:pk>/confirm/",
        api.HoursConfirmApi.as_view(),
        name="api-hours-confirm",
    ),
    # Disputes and certificates (volunteers.api.records)
    path(
        "volunteers/hours/<int:pk>/disputes/",
        records_api.HourDisputeRaiseApi.as_view(),
        name="api-vol-dispute-raise",
    ),
    path(
        "volunteers/me/disputes/",
        records_api.MyDisputesApi.as_view(),
        name="api-vol-my-disputes",
    ),
    path(
        "volunteers/organisations/<int:pk>/disputes/",
        records_api.OrganisationDisputesApi.as_view(),
        name="api-vol-org-disputes",
    ),
    path(
        "volunteers/disputes/<int:pk>/resolution/",
        records_api.DisputeResolutionApi.as_view(),
        name="api-vol-dispute-resolve",
    ),
    path(
        "volunteers/me/certificates/",
        records_api.MyCertificatesApi.as_view(),
        name="api-vol-my-certificates",
    ),
    path(
        "volunteers/me/certificates/<int:pk>/pdf/",
        records_api.CertificatePdfApi.as_view(),
        name="api-vol-certificate-pdf",
    ),
    path(
        "volunteers/me/certificates/<int:pk>/revoke/",
        records_api.CertificateRevokeApi.as_view(),
        name="api-vol-certificate-revoke",
    ),
    path(
        "volunteers/certificates/verify/",
        records_api.CertificateVerifyApi.as_view(),
        name="api-vol-certificate-verify",
    ),
    # Time bank (volunteers.api.timebank)
    path("volunteers/timebank/", timebank_api.MyTimeBankApi.as_view(), name="api-timebank-me"),
    path(
        "volunteers/timebank/accounts/<int:pk>/statement/",
        timebank_api.StatementApi.as_view(),
        name="api-timebank-statement",
    ),
    path(
        "volunteers/timebank/transfers/",
        timebank_api.TransferApi.as_view(),
        name="api-timebank-transfer",
    ),
    path(
        "volunteers/timebank/services/",
        timebank_api.TimeBankServiceListApi.as_view(),
        name="api-timebank-services",
    ),
    path(
        "volunteers/timebank/services/<int:pk>/",
        timebank_api.TimeBankServiceApi.as_view(),
        name="api-timebank-service",
    ),
    path(
        "volunteers/organisations/<int:pk>/timebank-services/",
        timebank_api.OrganisationTimeBankServicesApi.as_view(),
        name="api-volorg-timebank-services",
    ),
    path(
        "volunteers/timebank/redemptions/",
        timebank_api.RedemptionsApi.as_view(),
        name="api-timebank-redemptions",
    ),
    path(
        "volunteers/timebank/redemptions/<int:pk>/fulfil/",
        timebank_api.RedemptionFulfilApi.as_view(),
        name="api-timebank-redemption-fulfil",
    ),
    path(
        "volunteers/timebank/redemptions/<int:pk>/cancel/",
        timebank_api.RedemptionCancelApi.as_view(),
        name="api-timebank-redemption-cancel",
    ),
    path(
        "volunteers/organisations/<int:pk>/redemptions/",
        timebank_api.OrganisationRedemptionsApi.as_view(),
        name="api-volorg-redemptions",
    ),
]
