"""The catalogue's one FilterSet, used by the catalogue page and the open-data API."""

from __future__ import annotations

import django_filters
from django.db.models import CharField, F, Func, Q, Value
from django.utils.translation import gettext_lazy as _

from openData.models import Dataset, ReleaseFile
from portal.accounts.models import User


class DatasetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text", max_length=60)
    theme = django_filters.ChoiceFilter(
        label=_("主题"), choices=Dataset.Theme.choices, method="filter_theme"
    )
    publisher = django_filters.ChoiceFilter(label=_("发布部门"), choices=User.Department.choices)
    access = django_filters.ChoiceFilter(label=_("开放属性"), choices=Dataset.Access.choices)
    format = django_filters.ChoiceFilter(
        label=_("格式"), choices=ReleaseFile.Format.choices, method="filter_format"
    )

    class Meta:
        model = Dataset
        fields = ["q", "theme", "publisher", "access", "format"]

    def filter_text(self, queryset, name, value):
        queryset = queryset.annotate(
            keywords_text=Func(
                F("keywords"), Value(" "), function="array_to_string", output_field=CharField()
            )
        )
        for word in value.split():
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(title_en__icontains=word)
                | Q(description__icontains=word)
                | Q(description_en__icontains=word)
                | Q(keywords_text__icontains=word)
                | Q(slug__icontains=word)
            )
        return queryset

    def filter_theme(self, queryset, name, value):
        return queryset.filter(themes__contains=[value])

    def filter_format(self, queryset, name, value):
        return queryset.filter(releases__files__format=value).distinct()
