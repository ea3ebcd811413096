"""The inspection list filters: one FilterSet for the inspections API and the officials' list."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from providers.domains import Domain
from ratings.models import Inspection
from ratings.selectors import inspection_state_q

STATES = [
    ("planned", _("待检查")),
    ("completed", _("已完成")),
    ("overdue", _("整改逾期")),
]


class InspectionFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("状态"), choices=STATES, method="filter_state")
    domain = django_filters.ChoiceFilter(label=_("领域"), choices=Domain.choices)
    kind = django_filters.ChoiceFilter(label=_("检查类型"), choices=Inspection.Kind.choices)

    class Meta:
        model = Inspection
        fields = ["state", "domain", "kind"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(inspection_state_q(value))
