"""The complaint list filters: one FilterSet for the complaints API and the officials' board."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ratings.models import Complaint


class ComplaintFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Complaint.Status.choices)
    category = django_filters.ChoiceFilter(label=_("投诉类别"), choices=Complaint.Category.choices)
    overdue = django_filters.BooleanFilter(label=_("仅看超期"), method="filter_overdue")
    q = django_filters.CharFilter(
        label=_("编号或机构名称"), method="filter_q", max_length=50, strip=True
    )

    class Meta:
        model = Complaint
        fields = ["status", "category", "overdue", "q"]

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status__in=Complaint.OPEN, stage_due_at__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_q(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__iexact=value)
            | Q(provider__name__icontains=value)
            | Q(subject_name__icontains=value)
        )
