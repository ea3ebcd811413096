"""Inspection pages: officials list the inspections in their jurisdiction, plan one or draw
双随机 spot checks, record a result against the checklist and confirm rectifications; a
provider reads its own completed inspections and what it must rectify by when."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from portal.accounts.permissions import OfficialRequiredMixin, is_official
from portal.uploads import upload_response
from providers.views.staff import ProviderDeskMixin
from ratings import checklists, selectors
from ratings.errors import RatingsError
from ratings.filters_inspections import InspectionFilter
from ratings.forms_inspections import (
    InspectionPlanForm,
    InspectionRecordForm,
    RectifiedForm,
    SpotCheckDrawForm,
    apply_error,
    inspectable_domains,
)
from ratings.models import Inspection
from ratings.services import inspections as service


def with_results(inspections) -> list[Inspection]:
    """Attach what the pages show beside the score: the checklist maximum, the percentage,
    the grade awarded (from prefetched grades) and whether rectification is overdue."""
    today = timezone.localdate()
    rows = list(inspections)
    for inspection in rows:
        checklist = checklists.checklist_get(inspection.checklist)
        inspection.max_total = checklist.max_total if checklist else None
        inspection.percent = (
            checklists.percentage(inspection.score, checklist.max_total)
            if checklist and inspection.score is not None
            else None
        )
        inspection.grade = next(iter(inspection.grades.all()), None)
        inspection.rectification_overdue = bool(
            inspection.rectification_due
            and inspection.rectified_on is None
            and inspection.rectification_due < today
        )
    return rows


def _inspection_or_404(request, pk) -> Inspection:
    inspection = selectors.inspection_get_for_official(official=request.user, pk=pk)
    if inspection is None:
        raise Http404
    return inspection


def _groups(inspection: Inspection) -> list[tuple[str, list]]:
    """The recorded items grouped by area, in checklist order."""
    groups: dict[str, list] = {}
    for item in inspection.items.all():
        groups.setdefault(item.area, []).append(item)
    return list(groups.items())


class InspectionListView(OfficialRequiredMixin, ListView):
    template_name = "ratings/inspections/list.html"
    context_object_name = "inspections"
    paginate_by = 50

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["ratings/inspections/partials/table.html"]
        return [self.template_name]

    def get_queryset(self):
        self.filters = InspectionFilter(
            self.request.GET,
            queryset=selectors.inspection_list_for_official(official=self.request.user),
        )
        return self.filters.qs if self.filters.is_valid() else Inspection.objects.none()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filters=self.filters, **kwargs)
        context["inspections"] = with_results(context["inspections"])
        params = self.request.GET.copy()
        params.pop("page", None)
        context["query"] = params.urlencode()
        context["may_plan"] = bool(inspectable_domains(self.request.user))
        return context


class InspectionPlanView(OfficialRequiredMixin, FormView):
    template_name = "ratings/inspections/form.html"
    form_class = InspectionPlanForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "official": self.request.user}

    def get_initial(self):
        return {"provider": self.request.GET.get("provider") or None}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("安排检查"), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            inspection = service.inspection_plan(
                official=self.request.user,
                provider=data["provider"],
                kind=data["kind"],
                due_on=data["due_on"],
                domain=data["domain"],
                request=self.request,
            )
        except RatingsError as exc:
            apply_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已安排检查。"))
        return redirect("ratings:inspection-detail", pk=inspection.pk)


class SpotCheckDrawView(OfficialRequiredMixin, FormView):
    """双随机: draw providers at random; the seed is shown and audit-logged for review."""

    template_name = "ratings/inspections/form.html"
    form_class = SpotCheckDrawForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "official": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("随机抽取检查对象"),
            intro=_(
                "在辖区内已通过审核的机构中随机抽取检查对象，并安排双随机抽查。"
                "检查人员目前为您本人。"
            ),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        seed = data["seed"] if data["seed"] is not None else secrets.randbelow(10**9)
        try:
            drawn = service.inspections_draw_spot_checks(
                official=self.request.user,
                domain=data["domain"],
                count=data["count"],
                seed=seed,
                due_on=data["due_on"],
                request=self.request,
            )
        except RatingsError as exc:
            apply_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("已抽取 %(n)d 家机构并安排抽查（随机种子 %(seed)d）。")
            % {"n": len(drawn), "seed": seed},
        )
        return redirect(f"{reverse('ratings:inspections')}?state=planned&kind=spot_check")


class InspectionDetailView(OfficialRequiredMixin, TemplateView):
    """One inspection in the official's jurisdiction (another one does not exist for them)."""

    template_name = "ratings/inspections/detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        inspection = with_results([_inspection_or_404(self.request, self.kwargs["pk"])])[0]
        may_inspect = service.official_may_inspect(user, inspection.provider, inspection.domain)
        done = inspection.status == Inspection.Status.COMPLETED
        return super().get_context_data(
            inspection=inspection,
            groups=_groups(inspection),
            photos=inspection.photos.all(),
            follow_ups=inspection.follow_ups.all(),
            may_record=may_inspect and not done,
            may_confirm=may_inspect
            and done
            and inspection.rectification_due is not None
            and inspection.rectified_on is None,
            rectified_form=RectifiedForm(initial={"rectified_on": timezone.localdate()}),
            **kwargs,
        )


class InspectionRecordView(OfficialRequiredMixin, FormView):
    """The checklist, grouped by area, one score per item with its maximum."""

    template_name = "ratings/inspections/record.html"
    form_class = InspectionRecordForm

    def dispatch(self, request, *args, **kwargs):
        if is_official(request.user):
            self.inspection = _inspection_or_404(request, kwargs["pk"])
            if self.inspection.status != Inspection.Status.PLANNED:
                messages.info(request, _("该检查已记录结果。"))
                return redirect("ratings:inspection-detail", pk=self.inspection.pk)
            if not service.official_may_inspect(
                request.user, self.inspection.provider, self.inspection.domain
            ):
                raise PermissionDenied(_("该领域不属于您所在部门的监管职责。"))
            self.checklist = checklists.checklist_get(self.inspection.checklist)
            if self.checklist is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "checklist": self.checklist}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            inspection=self.inspection, max_total=self.checklist.max_total, **kwargs
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            service.inspection_record(
                inspection=self.inspection,
                official=self.request.user,
                items=form.scores(),
                findings=data["findings"],
                rectification_due=data["rectification_due"],
                photos=data["photos"],
                request=self.request,
            )
        except RatingsError as exc:
            apply_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("检查结果已记录。"))
        return redirect("ratings:inspection-detail", pk=self.inspection.pk)


class InspectionRectifiedView(OfficialRequiredMixin, View):
    def post(self, request, pk):
        inspection = _inspection_or_404(request, pk)
        form = RectifiedForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写整改完成日期。"))
            return redirect("ratings:inspection-detail", pk=pk)
        try:
            service.inspection_rectified(
                inspection=inspection,
                official=request.user,
                rectified_on=form.cleaned_data["rectified_on"],
                request=request,
            )
        except RatingsError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已确认整改完成。"))
        return redirect("ratings:inspection-detail", pk=pk)


class ProviderInspectionsView(ProviderDeskMixin, TemplateView):
    """The provider's own completed inspections (read-only) and its grades in force."""

    template_name = "ratings/inspections/provider.html"

    def get_context_data(self, **kwargs):
        inspections = with_results(selectors.inspection_list_for_provider(provider=self.provider))
        return super().get_context_data(
            inspections=inspections,
            to_rectify=[i for i in inspections if i.rectification_due and i.rectified_on is None],
            grades=selectors.grades_current(provider=self.provider),
            **kwargs,
        )


class InspectionPhotoView(View):
    """A photo of an inspection, for the officials covering the provider and its staff."""

    def get(self, request, photo_id):
        photo = selectors.inspection_photo_get(user=request.user, pk=photo_id)
        if photo is None:
            raise Http404
        return upload_response(
            photo.image, content_type=photo.content_type, cache_control="private, no-store"
        )


urlpatterns = [
    path("official/inspections/", InspectionListView.as_view(), name="inspections"),
    path("official/inspections/new/", InspectionPlanView.as_view(), name="inspection-plan"),
    path("official/inspections/draw/", SpotCheckDrawView.as_view(), name="inspection-draw"),
    path(
        "official/inspections/<int:pk>/",
        InspectionDetailView.as_view(),
        name="inspection-detail",
    ),
    path(
        "official/inspections/<int:pk>/record/",
        InspectionRecordView.as_view(),
        name="inspection-record",
    ),
    path(
        "official/inspections/<int:pk>/rectified/",
        InspectionRectifiedView.as_view(),
        name="inspection-rectified",
    ),
    path(
        "provider/organisations/<uuid:pk>/inspections/",
        ProviderInspectionsView.as_view(),
        name="provider-inspections",
    ),
    path(
        "inspections/photos/<int:photo_id>/",
        InspectionPhotoView.as_view(),
        name="inspection-photo",
    ),
]
