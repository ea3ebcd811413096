"""Volunteers API under /api/v1/volunteers/: registration, organisations and their review,
activities (search, publish, sign-up, acceptance), attendance and hours.

Thin views: reads through volunteers.selectors (an object the caller may not see is a 404),
writes through volunteers.services (rules, transactions, audit).
"""

from __future__ import annotations

import math

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, mixins, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.permissions import IsOfficial, IsResident, is_provider_staff, is_resident
from volunteers import selectors, services
from volunteers.api.common import found, valid
from volunteers.errors import VolunteerError
from volunteers.models import Organisation
from volunteers.serializers.core import (
    ActivitySearchSerializer,
    ActivitySerializer,
    ActivityWriteSerializer,
    AttendanceSerializer,
    CheckinCodeSerializer,
    CodeSerializer,
    HourRecordSerializer,
    ManagedSignupSerializer,
    MemberSerializer,
    MemberWriteSerializer,
    MyHoursSerializer,
    OrganisationDecisionSerializer,
    OrganisationSerializer,
    OrganisationWriteSerializer,
    SignupDecisionSerializer,
    SignupSerializer,
    SignupWriteSerializer,
    VolunteerPublicSerializer,
    VolunteerRegisterSerializer,
    VolunteerSelfSerializer,
)
from volunteers.throttles import CheckinCodeThrottle

# An organisation's or an activity's sub-lists: one plain list, newest activities first.
SUBLIST_LIMIT = 500


# --- Volunteers ---------------------------------------------------------------------------------


class VolunteerMeApi(APIView):
    """The signed-in resident's own volunteer record (GET), or their registration (POST)."""

    permission_classes = [IsResident]

    @extend_schema(responses={200: VolunteerSelfSerializer})
    def get(self, request):
        volunteer = found(selectors.volunteer_get_for_user(user=request.user))
        return Response(VolunteerSelfSerializer(volunteer).data)

    @extend_schema(request=VolunteerRegisterSerializer, responses={201: VolunteerSelfSerializer})
    def post(self, request):
        values = valid(VolunteerRegisterSerializer, request)
        volunteer = services.volunteer_register(
            user=request.user,
            division_code=values.pop("division"),
            request=request,
            **values,
        )
        return Response(VolunteerSelfSerializer(volunteer).data, status=status.HTTP_201_CREATED)


class VolunteerPublicApi(APIView):
    """A volunteer's public profile: number, masked name, skills."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: VolunteerPublicSerializer})
    def get(self, request, pk):
        volunteer = found(selectors.volunteer_get_public(pk=pk))
        # A minor's profile is not public (only officials covering their division see it).
        if not selectors.volunteer_record_visible(volunteer=volunteer, viewer=request.user):
            raise Http404
        return Response(VolunteerPublicSerializer(volunteer).data)


class MySignupsApi(APIView):
    """The signed-in volunteer's own sign-ups, newest first."""

    permission_classes = [IsResident]

    @extend_schema(responses={200: SignupSerializer(many=True)})
    def get(self, request):
        signups = selectors.signup_list_for_volunteer(user=request.user)[:SUBLIST_LIMIT]
        return Response(SignupSerializer(signups, many=True).data)


class MyHoursApi(APIView):
    """The signed-in volunteer's own hour records and confirmed totals per year (only theirs:
    there is no parameter that could name someone else)."""

    permission_classes = [IsResident]

    @extend_schema(responses={200: MyHoursSerializer})
    def get(self, request):
        records = selectors.hour_list_for_volunteer(user=request.user)[:SUBLIST_LIMIT]
        totals = selectors.hour_totals_by_year(user=request.user)
        return Response(MyHoursSerializer({"totals": totals, "records": records}).data)


# --- Organisations ------------------------------------------------------------------------------


class OrganisationListApi(mixins.ListModelMixin, generics.GenericAPIView):
    """Organisations the caller may see (GET); register a new one for review (POST)."""

    permission_classes = [AllowAny]
    serializer_class = OrganisationSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.organisation_list_visible(viewer=self.request.user)

    def get(self, request):
        return self.list(request)

    @extend_schema(request=OrganisationWriteSerializer, responses={201: OrganisationSerializer})
    def post(self, request):
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated
        if not (is_resident(request.user) or is_provider_staff(request.user)):
            self.permission_denied(request, message=_("仅居民和服务机构人员可以登记志愿服务组织。"))
        values = valid(OrganisationWriteSerializer, request)
        organisation = services.organisation_register(
            owner=request.user, division_code=values.pop("division"), **values
        )
        return Response(OrganisationSerializer(organisation).data, status=status.HTTP_201_CREATED)


class OrganisationDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OrganisationSerializer})
    def get(self, request, pk):
        organisation = found(selectors.organisation_get_visible(viewer=request.user, pk=pk))
        return Response(OrganisationSerializer(organisation).data)


class OrganisationDecisionApi(APIView):
    """A 民政 official covering the organisation approves, rejects or returns it."""

    permission_classes = [IsOfficial]

    @extend_schema(request=OrganisationDecisionSerializer, responses={200: OrganisationSerializer})
    def post(self, request, pk):
        organisation = found(Organisation.objects.filter(pk=pk).first())
        if not request.user.covers(organisation.division_id):
            raise Http404
        values = valid(OrganisationDecisionSerializer, request)
        organisation = services.organisation_decide(
            organisation=organisation, official=request.user, request=request, **values
        )
        return Response(OrganisationSerializer(organisation).data)


class OrganisationMembersApi(APIView):
    """Members (names masked) for the organisation's managers and covering officials; the
    owner adds a manager or member by mobile number."""

    @extend_schema(responses={200: MemberSerializer(many=True)})
    def get(self, request, pk):
        organisation = found(selectors.organisation_get_for_reader(user=request.user, pk=pk))
        members = selectors.member_list(organisation=organisation)[:SUBLIST_LIMIT]
        return Response(MemberSerializer(members, many=True).data)

    @extend_schema(request=MemberWriteSerializer, responses={201: MemberSerializer})
    def post(self, request, pk):
        organisation = found(selectors.organisation_get_for_manager(user=request.user, pk=pk))
        values = valid(MemberWriteSerializer, request)
        member = services.member_add(organisation=organisation, actor=request.user, **values)
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)


class OrganisationActivitiesApi(APIView):
    """The organisation's activities (any state) for its managers; publish a new one."""

    @extend_schema(responses={200: ActivitySerializer(many=True)})
    def get(self, request, pk):
        organisation = found(selectors.organisation_get_for_manager(user=request.user, pk=pk))
        activities = selectors.activity_list_for_organisation(organisation=organisation)
        return Response(ActivitySerializer(activities[:SUBLIST_LIMIT], many=True).data)

    @extend_schema(request=ActivityWriteSerializer, responses={201: ActivitySerializer})
    def post(self, request, pk):
        organisation = found(selectors.organisation_get_for_manager(user=request.user, pk=pk))
        values = valid(ActivityWriteSerializer, request)
        values["positions"] = [dict(p) for p in values["positions"]]
        activity = services.activity_publish(
            organisation=organisation, actor=request.user, data=values
        )
        activity = selectors.activity_get_for_manager(user=request.user, pk=activity.pk)
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)


# --- Activities ---------------------------------------------------------------------------------


class ActivitySearchApi(mixins.ListModelMixin, generics.GenericAPIView):
    """Public search: text (Chinese words or pinyin, full or initials; best matches first),
    domain, division, date range, skill."""

    permission_classes = [AllowAny]
    serializer_class = ActivitySerializer
    filter_backends: list = []

    def get_queryset(self):
        query = ActivitySearchSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        return selectors.activity_search(
            text=values.get("q", ""),
            domain=values.get("domain", ""),
            division=values.get("division", ""),
            date_from=values.get("date_from"),
            date_to=values.get("date_to"),
            skill=values.get("skill", ""),
        )

    @extend_schema(parameters=[ActivitySearchSerializer])
    def get(self, request):
        return self.list(request)


class ActivityDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ActivitySerializer})
    def get(self, request, pk):
        activity = found(selectors.activity_get_visible(viewer=request.user, pk=pk))
        return Response(ActivitySerializer(activity).data)


class ActivitySignupsApi(APIView):
    """The organiser's list of sign-ups (GET); a volunteer signs up for a position (POST)."""

    @extend_schema(responses={200: ManagedSignupSerializer(many=True)})
    def get(self, request, pk):
        activity = found(selectors.activity_get_for_manager(user=request.user, pk=pk))
        signups = selectors.signup_list_for_activity(activity=activity)[:SUBLIST_LIMIT]
        return Response(ManagedSignupSerializer(signups, many=True).data)

    @extend_schema(request=SignupWriteSerializer, responses={201: SignupSerializer})
    def post(self, request, pk):
        if not is_resident(request.user):
            self.permission_denied(request, message=IsResident.message)
        activity = found(selectors.activity_get_visible(viewer=request.user, pk=pk))
        values = valid(SignupWriteSerializer, request)
        signup = services.signup_create(
            activity=activity,
            user=request.user,
            position_id=values["position"],
            note=values.get("note", ""),
        )
        return Response(SignupSerializer(signup).data, status=status.HTTP_201_CREATED)


class ActivityCodeApi(APIView):
    """The check-in code to show at the place now, for the organiser: it changes every
    VOLUNTEER_CODE_ROTATE_SECONDS (fetch it again by `changes_at`)."""

    @extend_schema(responses={200: CheckinCodeSerializer})
    def get(self, request, pk):
        activity = found(selectors.activity_get_for_manager(user=request.user, pk=pk))
        response = Response(CheckinCodeSerializer(services.checkin_code_current(activity)).data)
        response["Cache-Control"] = "private, no-store"
        return response


class ActivityCheckinApi(APIView):
    """A volunteer enters the code shown at the place: check in, then check out. Wrong codes
    are limited per volunteer and activity (429 with Retry-After)."""

    permission_classes = [IsResident]
    throttle_classes = [*APIView.throttle_classes, CheckinCodeThrottle]

    def throttled(self, request, wait):
        error = exceptions.Throttled(wait=wait)
        error.detail = ErrorDetail(
            _("尝试次数过多，请在 %(seconds)s 秒后重试。") % {"seconds": math.ceil(wait or 60)},
            code="throttled",
        )
        raise error

    @extend_schema(request=CodeSerializer, responses={200: HourRecordSerializer})
    def post(self, request, pk):
        # CheckinCodeThrottle took one attempt before this ran; only a wrong code keeps it.
        wrong_code = False
        try:
            activity = found(selectors.activity_get_visible(viewer=request.user, pk=pk))
            values = valid(CodeSerializer, request)
            record = services.code_checkin(
                activity=activity, user=request.user, code=values["code"]
            )
        except VolunteerError as exc:
            wrong_code = exc.code == "invalid_code"
            raise
        finally:
            if not wrong_code:
                CheckinCodeThrottle().release(user_id=request.user.pk, activity_id=pk)
        return Response(HourRecordSerializer(record).data)


# --- Sign-ups and hours -------------------------------------------------------------------------


class SignupDecisionApi(APIView):
    """The organiser accepts (录用) or rejects; a full position puts it on the waitlist."""

    @extend_schema(request=SignupDecisionSerializer, responses={200: ManagedSignupSerializer})
    def post(self, request, pk):
        signup = found(selectors.signup_get_for_manager(user=request.user, pk=pk))
        values = valid(SignupDecisionSerializer, request)
        signup = services.signup_decide(
            signup=signup, actor=request.user, accept=values["action"] == "accept"
        )
        return Response(ManagedSignupSerializer(signup).data)


class SignupCancelApi(APIView):
    """The volunteer or the organiser cancels a sign-up."""

    @extend_schema(request=None, responses={200: SignupSerializer})
    def post(self, request, pk):
        signup = found(selectors.signup_get_for_volunteer_or_manager(user=request.user, pk=pk))
        signup = services.signup_cancel(signup=signup, actor=request.user)
        return Response(SignupSerializer(signup).data)


class SignupAttendanceApi(APIView):
    """The organiser checks an accepted volunteer in or out."""

    @extend_schema(request=AttendanceSerializer, responses={200: HourRecordSerializer})
    def post(self, request, pk):
        signup = found(selectors.signup_get_for_manager(user=request.user, pk=pk))
        values = valid(AttendanceSerializer, request)
        record = services.attendance_record(signup=signup, actor=request.user, **values)
        return Response(HourRecordSerializer(record).data)


class HoursConfirmApi(APIView):
    """The organiser confirms a checked-out record; overlapping confirmed time is refused."""

    @extend_schema(request=None, responses={200: HourRecordSerializer})
    def post(self, request, pk):
        record = found(selectors.hour_record_get_for_manager(user=request.user, pk=pk))
        record = services.hours_confirm(record=record, actor=request.user)
        return Response(HourRecordSerializer(record).data)
