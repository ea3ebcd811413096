"""API serializers of recognition (stars, badges, ranking, commendations) and of the officials'
statistics. Output only, apart from the commendation input and the query parameters; the rules
live in volunteers.services.recognition."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from volunteers.models import Commendation
from volunteers.selectors import this_year

EARLIEST_YEAR = 1990


def _year_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=EARLIEST_YEAR, max_value=2100, **kwargs)


def _not_future(value: int) -> int:
    if value > this_year():
        raise serializers.ValidationError(_("年度不能晚于今年。"))
    return value


# --- Input ------------------------------------------------------------------------------------


class CommendationWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    level = serializers.ChoiceField(choices=Commendation.Level.choices)
    year = _year_field()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class YearQuerySerializer(serializers.Serializer):
    year = _year_field(required=False, help_text="默认为今年。")

    def validate_year(self, value: int) -> int:
        return _not_future(value)


class RankingQuerySerializer(YearQuerySerializer):
    district = serializers.RegexField(
        r"^[0-9]{6}$", help_text="县级行政区划代码（6 位），如 510107。"
    )


# --- Output -----------------------------------------------------------------------------------


class BadgeSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField()


class YearHoursSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    minutes = serializers.IntegerField()
    hours = serializers.CharField(help_text="小时，保留一位小数。")


class CommendationSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display")
    reason = serializers.CharField(
        source="public_reason", help_text="事迹；电话、证件号码和本人姓名已脱敏。"
    )
    division = serializers.CharField(source="division_id", help_text="记录单位的管辖区划。")
    division_name = serializers.CharField(source="division.name")

    class Meta:
        model = Commendation
        fields = [
            "id",
            "title",
            "level",
            "level_label",
            "year",
            "reason",
            "division",
            "division_name",
            "awarded_at",
        ]
        read_only_fields = fields


class VolunteerRecordSerializer(serializers.Serializer):
    """A volunteer's public record: masked name, stars, badges, hours per year, commendations."""

    id = serializers.IntegerField(source="volunteer.pk")
    number = serializers.CharField(source="volunteer.number")
    masked_name = serializers.CharField(source="volunteer.masked_name")
    district = serializers.CharField(source="district.code")
    district_name = serializers.CharField(source="district.name")
    minutes = serializers.IntegerField()
    hours = serializers.CharField()
    star_level = serializers.IntegerField(source="star", help_text="0 为未达一星。")
    star_label = serializers.CharField()
    next_star_hours = serializers.IntegerField(allow_null=True)
    badges = BadgeSerializer(many=True)
    years = YearHoursSerializer(many=True)
    commendations = CommendationSerializer(many=True)


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    volunteer = serializers.IntegerField(source="volunteer_id")
    number = serializers.CharField()
    masked_name = serializers.CharField()
    minutes = serializers.IntegerField()
    hours = serializers.CharField()


class RankingSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    district = serializers.CharField()
    district_name = serializers.CharField()
    rows = RankingRowSerializer(many=True)


class DistrictStatsSerializer(serializers.Serializer):
    district = serializers.CharField()
    name = serializers.CharField()
    volunteers = serializers.IntegerField(help_text="年底前在该区县注册的志愿者。")
    active_volunteers = serializers.IntegerField(help_text="其中本年有确认时长的。")
    organisations = serializers.IntegerField(help_text="已通过审核的志愿服务组织。")
    activities = serializers.IntegerField(help_text="本年在该区县开展的活动。")
    minutes = serializers.IntegerField()
    hours = serializers.CharField()


class DomainStatsSerializer(serializers.Serializer):
    domain = serializers.CharField()
    label = serializers.CharField()
    activities = serializers.IntegerField()
    volunteers = serializers.IntegerField(help_text="参与服务的志愿者（去重）。")
    minutes = serializers.IntegerField()
    hours = serializers.CharField()


class StatsTotalsSerializer(serializers.Serializer):
    volunteers = serializers.IntegerField()
    active_volunteers = serializers.IntegerField()
    served_volunteers = serializers.IntegerField()
    organisations = serializers.IntegerField()
    activities = serializers.IntegerField()
    minutes = serializers.IntegerField()
    hours = serializers.CharField()


class StatsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    jurisdiction = serializers.CharField()
    totals = StatsTotalsSerializer()
    by_district = DistrictStatsSerializer(many=True)
    by_domain = DomainStatsSerializer(many=True)
    pending_organisations = serializers.IntegerField()
