"""API routes of the volunteers app, under /api/v1/volunteers/."""

from django.urls import path

from volunteers.api import core as api

urlpatterns = [
    path("volunteers/me/", api.VolunteerMeApi.as_view(), name="api-volunteer-me"),
    path("volunteers/me/signups/", api.MySignupsApi.as_view(), name="api-volunteer-my-signups"),
    path("volunteers/me/hours/", api.MyHoursApi.as_view(), name="api-volunteer-my-hours"),
    path("volunteers/<int:pk>/", api.VolunteerPublicApi.as_view(), name="api-volunteer-public"),
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
]
