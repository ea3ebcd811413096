"""Organisations apply for conditional datasets and take their API keys."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from openData import selectors
from openData.errors import OpenDataError
from openData.forms import ApplicationForm
from openData.services import access
from portal.forms import apply_domain_error


def _conditional_dataset(slug: str):
    dataset = selectors.dataset_get(slug=slug)
    if dataset is None or not dataset.is_conditional:
        raise Http404
    return dataset


class ApplyView(LoginRequiredMixin, FormView):
    template_name = "openData/apply.html"
    form_class = ApplicationForm

    def dispatch(self, request, *args, **kwargs):
        self.dataset = _conditional_dataset(kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        resources = selectors.dataset_resources(self.dataset)
        choices = []
        for resource in resources:
            choices.extend(
                (f.name, f"{f.title}（{f.name}）")
                for f in resource.fields
                if f.name not in {c[0] for c in choices}
            )
        return {**super().get_form_kwargs(), "field_choices": choices}

    def get_context_data(self, **kwargs):
        return super().get_context_data(dataset=self.dataset, **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        data["fields"] = data.pop("columns")
        try:
            application = access.application_submit(
                dataset=self.dataset,
                applicant=self.request.user,
                field_names=selectors.dataset_field_names(self.dataset),
                **data,
            )
        except OpenDataError as error:
            apply_domain_error(form, error, {"fields": "columns"})
            return self.form_invalid(form)
        messages.success(self.request, _("申请已提交，审核结果将通过站内通知告知您。"))
        return redirect("opendata:application", pk=application.pk)


class MyApplicationsView(LoginRequiredMixin, TemplateView):
    template_name = "openData/my_applications.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            applications=selectors.application_list_for_applicant(user=self.request.user),
            **kwargs,
        )


class ApplicationView(LoginRequiredMixin, TemplateView):
    template_name = "openData/application.html"

    def get_context_data(self, **kwargs):
        application = selectors.application_get_for_applicant(
            user=self.request.user, pk=self.kwargs["pk"]
        )
        if application is None:
            raise Http404
        latest = selectors.release_latest(dataset=application.dataset)
        return super().get_context_data(application=application, latest=latest, **kwargs)


class KeyIssueView(LoginRequiredMixin, View):
    """Generate the key and show its secret once, on this response only."""

    def post(self, request, pk):
        application = selectors.application_get_for_applicant(user=request.user, pk=pk)
        if application is None:
            raise Http404
        try:
            key, secret = access.key_issue(application=application, user=request.user)
        except OpenDataError as error:
            messages.error(request, error.message)
            return redirect("opendata:application", pk=pk)
        view = ApplicationView.as_view(extra_context={"secret": secret, "key": key})
        request.method = "GET"
        return view(request, pk=pk)


def application_url(application) -> str:
    return reverse("opendata:application", args=[application.pk])
