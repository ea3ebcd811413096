import django_filters

from providers.models import Provider


class ProviderFilter(django_filters.FilterSet):
    class Meta:
        model = Provider
        fields = ["status", "division"]
