"""Volunteers API of recognition and statistics: a volunteer's public record (stars, badges,
hours per year, commendations), commendations recorded by officials, the yearly ranking of a
district and the officials' statistics of their jurisdiction.

Thin views: reads through volunteers.selectors, writes through volunteers.services.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.models import Division
from portal.accounts.permissions import IsOfficial, is_official
from volunteers import selectors, services
from volunteers.models import Volunteer
from volunteers.serializers.recognition import (
    CommendationSerializer,
    CommendationWriteSerializer,
    RankingQuerySerializer,
    RankingSerializer,
    StatsSerializer,
    VolunteerRecordSerializer,
    YearQuerySerializer,
)


def _volunteer(pk: int, viewer) -> Volunteer:
    """A volunteer with a record the viewer may see (closed accounts have none; a minor's is
    for covering officials only), else 404."""
    volunteer = (
        Volunteer.objects.select_related("division__parent", "user")
        .filter(pk=pk, user__erased_at__isnull=True)
        .first()
    )
    if volunteer is None or not selectors.volunteer_record_visible(
        volunteer=volunteer, viewer=viewer
    ):
        raise Http404
    return volunteer


def _query(serializer_class, request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


class VolunteerRecordApi(APIView):
    """A volunteer's public record: masked name, star level, badges, confirmed hours per year
    and commendations (no ID number, phone or birth date)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: VolunteerRecordSerializer})
    def get(self, request, pk):
        record = selectors.volunteer_record(volunteer=_volunteer(pk, request.user))
        return Response(VolunteerRecordSerializer(record).data)


class VolunteerCommendationsApi(APIView):
    """A volunteer's commendations (public); an official covering the volunteer's division
    records one (POST), up to the level their jurisdiction can grant."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: CommendationSerializer(many=True)})
    def get(self, request, pk):
        commendations = selectors.commendation_list(volunteer=_volunteer(pk, request.user))
        return Response(CommendationSerializer(commendations, many=True).data)

    @extend_schema(request=CommendationWriteSerializer, responses={201: CommendationSerializer})
    def post(self, request, pk):
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated
        if not is_official(request.user):
            self.permission_denied(request, message=IsOfficial.message)
        volunteer = _volunteer(pk, request.user)
        # Before the input is read: a refused official learns nothing about it.
        services.require_commender(request.user, volunteer)
        data = CommendationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        commendation = services.commendation_record(
            actor=request.user, volunteer=volunteer, request=request, **data.validated_data
        )
        return Response(CommendationSerializer(commendation).data, status=status.HTTP_201_CREATED)


class VolunteerRankingApi(APIView):
    """The yearly ranking of a district (county-level code): the top volunteers by confirmed
    hours, names masked; ties go to whoever reached the total first."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[RankingQuerySerializer], responses={200: RankingSerializer})
    def get(self, request):
        values = _query(RankingQuerySerializer, request)
        year = values.get("year") or selectors.this_year()
        district = Division.objects.filter(
            code=values["district"], level=Division.Level.COUNTY
        ).first()
        if district is None:
            raise exceptions.ValidationError({"district": [_("请选择一个区县。")]})
        rows = selectors.ranking(year=year, district_code=district.code)
        return Response(
            RankingSerializer(
                {
                    "year": year,
                    "district": district.code,
                    "district_name": district.name,
                    "rows": rows,
                }
            ).data
        )


class VolunteerStatsApi(APIView):
    """Counts of the official's jurisdiction for a year: volunteers, approved organisations,
    activities held and confirmed hours, by district and by domain."""

    permission_classes = [IsOfficial]

    @extend_schema(parameters=[YearQuerySerializer], responses={200: StatsSerializer})
    def get(self, request):
        values = _query(YearQuerySerializer, request)
        year = values.get("year") or selectors.this_year()
        return Response(StatsSerializer(selectors.dashboard(official=request.user, year=year)).data)
