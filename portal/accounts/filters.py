"""FilterSets for account lists (one per list, shared by API and pages)."""

from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Division, division_prefix

division_code_validator = RegexValidator(
    r"^[0-9]{6}([0-9]{3})?$", _("区划代码应为 6 位或 9 位数字。"), code="invalid_division"
)


class DivisionFilter(django_filters.FilterSet):
    within = django_filters.CharFilter(
        label=_("所属区划代码（含下级）"),
        method="filter_within",
        validators=[division_code_validator],
    )
    q = django_filters.CharFilter(label=_("名称"), field_name="name", lookup_expr="contains")

    class Meta:
        model = Division
        fields = ["level", "parent"]

    def filter_within(self, queryset, name, value):
        return queryset.filter(code__startswith=division_prefix(value))
