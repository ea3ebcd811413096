"""The listing search filters: one FilterSet for the search API and the search page.

Every parameter is validated (a bad one is a 400 naming the field, never ignored), and an
unknown parameter is refused too, so a typo cannot silently widen a search.
"""

from __future__ import annotations

import datetime as dt
import math

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Exists, F, FloatField, OuterRef, Q
from django.db.models.functions import ACos, Cast, Cos, Least, Radians, Sin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import division_ancestors, division_prefix
from portal.search import build_query
from providers.domains import Domain
from providers.models import Accessibility
from services.models import Category, Listing, Slot

division_code = RegexValidator(r"^[0-9]{6}([0-9]{3})?$", _("区划代码应为 6 位或 9 位数字。"))
EARTH_KM = 6371.0
SORTS = [
    ("relevance", _("相关度")),
    ("distance", _("距离")),
    ("rating", _("居民评分")),
    ("price", _("价格从低到高")),
    ("-price", _("价格从高到低")),
]


def distance_km(lat: float, lng: float):
    """Great-circle distance from (lat, lng) to the listing's branch, in SQL."""
    lat_col = Radians(Cast(F("branch__latitude"), FloatField()))
    lng_col = Radians(Cast(F("branch__longitude"), FloatField()))
    cosine = Cos(math.radians(lat)) * Cos(lat_col) * Cos(lng_col - math.radians(lng)) + Sin(
        math.radians(lat)
    ) * Sin(lat_col)
    return EARTH_KM * ACos(Least(cosine, 1.0, output_field=FloatField()))


class ListingSearchFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_q", max_length=100)
    domain = django_filters.ChoiceFilter(
        label=_("服务领域"), choices=Domain.choices, field_name="domain"
    )
    category = django_filters.ModelChoiceFilter(
        label=_("服务类别"), queryset=Category.objects.all(), to_field_name="code"
    )
    division = django_filters.CharFilter(
        label=_("区划（含下辖街道）"), method="filter_division", validators=[division_code]
    )
    lat = django_filters.NumberFilter(
        label=_("纬度"), method="filter_noop", min_value=-90, max_value=90
    )
    lng = django_filters.NumberFilter(
        label=_("经度"), method="filter_noop", min_value=-180, max_value=180
    )
    radius_km = django_filters.NumberFilter(
        label=_("距离（公里）"), method="filter_noop", min_value=0.1, max_value=100
    )
    price_min = django_filters.NumberFilter(
        label=_("最低价格（分）"), field_name="price_fen", lookup_expr="gte", min_value=0
    )
    price_max = django_filters.NumberFilter(
        label=_("最高价格（分）"), field_name="price_fen", lookup_expr="lte", min_value=0
    )
    free_from = django_filters.DateFilter(label=_("有空位：起"), method="filter_noop")
    free_to = django_filters.DateFilter(label=_("有空位：止"), method="filter_noop")
    subsidy = django_filters.ChoiceFilter(
        label=_("可用补贴"), choices=Listing.Subsidy.choices, method="filter_subsidy"
    )
    delivery_mode = django_filters.ChoiceFilter(
        label=_("服务方式"), choices=Listing.DeliveryMode.choices
    )
    accessibility = django_filters.ChoiceFilter(
        label=_("无障碍设施"), choices=Accessibility.choices, method="filter_accessibility"
    )
    age_months = django_filters.NumberFilter(
        label=_("服务对象月龄"), method="filter_age", min_value=0, max_value=1500
    )
    min_rating = django_filters.NumberFilter(
        label=_("最低居民评分"),
        field_name="quality_score",
        lookup_expr="gte",
        min_value=1,
        max_value=5,
    )
    sort = django_filters.ChoiceFilter(label=_("排序"), choices=SORTS, method="filter_noop")

    class Meta:
        model = Listing
        fields: list[str] = []

    # Parameters that are not filters but belong to the request (paging, API format).
    NOT_FILTERS = frozenset({"page", "format"})

    @classmethod
    def unknown_parameters(cls, params) -> list[str]:
        return sorted(set(params) - set(cls.base_filters) - cls.NOT_FILTERS)

    def filter_noop(self, queryset, name, value):
        return queryset  # applied together in filter_queryset

    def filter_q(self, queryset, name, value):
        query = build_query(value)
        if query is None:
            return queryset
        return queryset.filter(search_vector=query)

    def filter_division(self, queryset, name, value):
        """Branches inside the division, and home services whose area includes it (an area
        that is the division, lies inside it, or contains it: 武侯区 covers its streets)."""
        prefix = division_prefix(value)
        covers = Exists(
            Listing.service_divisions.through.objects.filter(listing_id=OuterRef("pk")).filter(
                Q(division__code__startswith=prefix)
                | Q(division__code__in=division_ancestors(value))
            )
        )
        located = (
            Q(district__startswith=prefix)
            if len(prefix) <= 6
            else Q(branch__division__code__startswith=prefix)
        )
        return queryset.filter(located | covers)

    def filter_subsidy(self, queryset, name, value):
        return queryset.filter(subsidies__contains=[value])

    def filter_accessibility(self, queryset, name, value):
        return queryset.filter(branch__accessibility__contains=[value])

    def filter_age(self, queryset, name, value):
        return queryset.filter(
            Q(age_min_months__isnull=True) | Q(age_min_months__lte=value),
            Q(age_max_months__isnull=True) | Q(age_max_months__gte=value),
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        errors = {}
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            errors["price_max"] = _("最高价格不能低于最低价格。")
        lat, lng, radius = data.get("lat"), data.get("lng"), data.get("radius_km")
        if (lat is None) != (lng is None):
            errors["lng" if lat is not None else "lat"] = _("纬度和经度需要同时提供。")
        if radius is not None and lat is None:
            errors["radius_km"] = _("按距离筛选需要提供纬度和经度。")
        if data.get("sort") == "distance" and lat is None:
            errors["sort"] = _("按距离排序需要提供纬度和经度。")
        start, end = data.get("free_from"), data.get("free_to")
        if (start is None) != (end is None):
            errors["free_to" if start is not None else "free_from"] = _("请同时提供起止日期。")
        elif start is not None and (end < start or (end - start).days > 60):
            errors["free_to"] = _("止日期应在起日期之后 60 天内。")
        if errors:
            raise SearchParameterError(errors)

        if lat is not None:
            lat, lng = float(lat), float(lng)
            if radius is not None:
                # Bounding box on the indexed coordinates first, exact distance after.
                dlat = float(radius) / 111.0
                dlng = float(radius) / (111.0 * max(math.cos(math.radians(lat)), 0.01))
                queryset = queryset.filter(
                    branch__latitude__range=(lat - dlat, lat + dlat),
                    branch__longitude__range=(lng - dlng, lng + dlng),
                )
            queryset = queryset.annotate(distance_km=distance_km(lat, lng))
            if radius is not None:
                queryset = queryset.filter(distance_km__lte=float(radius))
        if start is not None:
            zone = timezone.get_current_timezone()
            queryset = queryset.filter(
                Exists(
                    Slot.objects.filter(
                        listing=OuterRef("pk"),
                        remaining__gt=0,
                        starts_at__gte=max(
                            timezone.now(), dt.datetime.combine(start, dt.time.min, zone)
                        ),
                        starts_at__lt=dt.datetime.combine(
                            end + dt.timedelta(days=1), dt.time.min, zone
                        ),
                    )
                )
            )
        return queryset


class SearchParameterError(Exception):
    """Parameters that are valid one by one but not together (min > max, lat without lng)."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors
