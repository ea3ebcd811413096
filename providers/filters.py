import django_filters
from django.utils.translation import gettext_lazy as _

from providers.domains import Domain
from providers.models import Provider


class ProviderFilter(django_filters.FilterSet):
    domain = django_filters.ChoiceFilter(
        label=_("服务领域"),
        choices=Domain.choices,
        field_name="domains",
        lookup_expr="contains",
        method="filter_domain",
    )

    class Meta:
        model = Provider
        fields = ["status", "division"]

    def filter_domain(self, queryset, name, value):
        return queryset.filter(domains__contains=[value])
