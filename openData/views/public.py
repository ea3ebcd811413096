"""The public catalogue: search with facets, the 开放清单, the timetable, a dataset's page."""

from __future__ import annotations

from django.http import Http404
from django.views.generic import TemplateView

from openData import selectors
from openData.filters import DatasetFilter
from openData.models import Dataset


class CatalogueView(TemplateView):
    template_name = "openData/catalogue.html"

    def get(self, request, *args, **kwargs):
        filterset = DatasetFilter(request.GET, queryset=selectors.dataset_list())
        if not filterset.is_valid():
            context = self.get_context_data(filterset=filterset, datasets=[], facets={})
            return self.render_to_response(context, status=400)
        datasets, facets = selectors.dataset_search(queryset=filterset.qs)
        context = self.get_context_data(
            filterset=filterset,
            datasets=datasets,
            facets=facets,
            active={k: v for k, v in filterset.form.cleaned_data.items() if v},
        )
        return self.render_to_response(context)


class OpenListView(TemplateView):
    """开放清单: every dataset, what is open and on what basis, and the timetable."""

    template_name = "openData/open_list.html"

    def get_context_data(self, **kwargs):
        datasets, _facets = selectors.dataset_search(queryset=selectors.dataset_list())
        return super().get_context_data(
            datasets=datasets,
            timetable=selectors.timetable(),
            access=Dataset.Access,
            **kwargs,
        )


class DatasetView(TemplateView):
    template_name = "openData/dataset.html"

    def get_context_data(self, **kwargs):
        dataset = selectors.dataset_get(slug=self.kwargs["slug"])
        if dataset is None:
            raise Http404
        releases = list(selectors.release_list(dataset=dataset)[:20])
        return super().get_context_data(
            dataset=dataset,
            releases=releases,
            latest=releases[0] if releases else None,
            resources=selectors.dataset_resources(dataset),
            theme_labels=[Dataset.Theme(theme).label for theme in dataset.themes],
            spatial_labels=selectors.division_names(dataset.spatial),
            **kwargs,
        )


class AgreementView(TemplateView):
    template_name = "openData/agreement.html"
