"""The officials' open-data console: datasets and timetables, run a release now, runs with
progress and gate reports, applications to decide, keys and their use."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from openData import selectors
from openData.errors import OpenDataError
from openData.forms import DatasetForm, DecisionForm, RevokeForm
from openData.gate import KIND_LABELS
from openData.models import ApiKey
from openData.services import access, catalogue, releases
from portal.accounts.permissions import OfficialRequiredMixin
from portal.forms import apply_domain_error


class ConsoleView(OfficialRequiredMixin, TemplateView):
    template_name = "openData/console/index.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        datasets = selectors.dataset_list_for_steward(user=user)
        return super().get_context_data(
            datasets=datasets,
            runs=selectors.run_list(datasets=datasets, limit=30),
            applications=selectors.application_queue(user=user)[:50],
            keys=selectors.keys_for_steward(user=user)[:50],
            uses=selectors.key_usage(user=user, limit=50),
            **kwargs,
        )


def _steward_dataset(request, slug):
    dataset = selectors.dataset_get(slug=slug)
    if dataset is None or not catalogue.can_steward(request.user, dataset):
        raise Http404
    return dataset


class RunNowView(OfficialRequiredMixin, View):
    def post(self, request, slug):
        dataset = _steward_dataset(request, slug)
        try:
            run = releases.run_request(dataset=dataset, requested_by=request.user)
        except OpenDataError as error:
            messages.error(request, error.message)
            return redirect("opendata:console")
        messages.success(request, _("已开始生成《%(title)s》的新版本。") % {"title": dataset.title})
        return redirect("opendata:run", pk=run.pk)


class RunView(OfficialRequiredMixin, TemplateView):
    template_name = "openData/console/run.html"

    def get_context_data(self, **kwargs):
        run = selectors.run_get_for_steward(user=self.request.user, pk=self.kwargs["pk"])
        if run is None:
            raise Http404
        checked = [KIND_LABELS.get(kind, kind) for kind in run.gate_report.get("checked", [])]
        return super().get_context_data(run=run, checked=checked, **kwargs)


class RunProgressView(OfficialRequiredMixin, View):
    """The htmx fragment polled while a run builds; when it ends, htmx reloads the page."""

    def get(self, request, pk):
        run = selectors.run_get_for_steward(user=request.user, pk=pk)
        if run is None:
            raise Http404
        if not run.in_flight:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        html = render_to_string(
            "openData/partials/run_progress.html", {"run": run}, request=request
        )
        return HttpResponse(html)


class DatasetEditView(OfficialRequiredMixin, TemplateView):
    template_name = "openData/console/dataset_form.html"

    def get(self, request, slug):
        dataset = _steward_dataset(request, slug)
        return self.render_to_response(
            self.get_context_data(dataset=dataset, form=DatasetForm(instance=dataset))
        )

    def post(self, request, slug):
        dataset = _steward_dataset(request, slug)
        form = DatasetForm(request.POST, instance=selectors.dataset_get(slug=slug))
        if form.is_valid():
            try:
                catalogue.dataset_update(
                    dataset=dataset, actor=request.user, data=form.cleaned_data
                )
            except OpenDataError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("数据集信息已保存。"))
                return redirect("opendata:console")
        context = self.get_context_data(dataset=dataset, form=form)
        return self.render_to_response(context, status=400)


class ApplicationReviewView(OfficialRequiredMixin, TemplateView):
    template_name = "openData/console/application.html"

    def _application(self):
        application = selectors.application_get_for_steward(
            user=self.request.user, pk=self.kwargs["pk"]
        )
        if application is None:
            raise Http404
        return application

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", DecisionForm())
        kwargs.setdefault("revoke_form", RevokeForm())
        return super().get_context_data(application=self._application(), **kwargs)

    def post(self, request, pk):
        application = self._application()
        action = request.POST.get("action")
        if action == "revoke":
            form = RevokeForm(request.POST)
            if form.is_valid():
                try:
                    access.application_revoke(
                        application=application,
                        official=request.user,
                        note=form.cleaned_data["note"],
                    )
                except OpenDataError as error:
                    apply_domain_error(form, error)
                else:
                    messages.success(request, _("已撤销该申请，其密钥立即失效。"))
                    return redirect("opendata:console")
            return self.render_to_response(self.get_context_data(revoke_form=form), status=400)
        form = DecisionForm(request.POST)
        if form.is_valid() and action in ("approve", "reject"):
            try:
                access.application_decide(
                    application=application,
                    official=request.user,
                    approve=action == "approve",
                    note=form.cleaned_data["note"],
                )
            except OpenDataError as error:
                apply_domain_error(form, error)
            else:
                messages.success(
                    request, _("已批准该申请。") if action == "approve" else _("已驳回该申请。")
                )
                return redirect("opendata:console")
        elif action not in ("approve", "reject"):
            form.add_error(None, _("请选择批准或不批准。"))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class KeyRevokeView(OfficialRequiredMixin, View):
    def post(self, request, pk):
        key = (
            ApiKey.objects.select_related("application__dataset").filter(pk=pk).first()
            if str(pk).isdigit()
            else None
        )
        if key is None or not catalogue.can_steward(request.user, key.application.dataset):
            raise Http404
        access.key_revoke(key=key, actor=request.user)
        messages.success(request, _("密钥已撤销。"))
        return redirect("opendata:console")
