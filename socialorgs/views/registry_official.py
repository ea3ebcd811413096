"""Officials' pages of the registry (/socialorgs/official/): the organisations of their
jurisdiction with reports waiting and overdue, registration and edits, status changes,
charity recognition, binding the first owner account, the annual-report review queue and
evaluations (5A–1A).

An organisation outside the official's jurisdiction does not exist for them (404); within
it, officials of other departments read and only 民政 acts (403). The legal
representative's name is masked; the full name is shown on an explicit POST, audit-logged.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from portal.accounts.permissions import OfficialRequiredMixin, RoleRequiredMixin
from portal.errors import DomainError
from portal.forms import apply_domain_error
from portal.templatetags.money import yuan
from socialorgs.forms_registry import (
    CharityForm,
    EvaluationForm,
    OrgForm,
    PhoneForm,
    ReasonForm,
    ReviewForm,
    StatusForm,
)
from socialorgs.models import AnnualReport, SocialOrganisation
from socialorgs.selectors import registry as selectors
from socialorgs.selectors.credit import public_credit_profile
from socialorgs.services import evaluation as evaluation_services
from socialorgs.services import registry as registry_services
from socialorgs.services import reports as report_services
from socialorgs.services.common import is_civil_affairs_official, official_supervises
from socialorgs.views.registry import is_htmx


def raise_for_access(error: DomainError) -> None:
    """A refusal by the service's permission check is a 403 (404) page, not a form error."""
    if error.status == 403:
        raise PermissionDenied(error.message)
    if error.status == 404:
        raise Http404


class CivilAffairsRequiredMixin(RoleRequiredMixin):
    role_predicate = staticmethod(is_civil_affairs_official)


class OfficialOrgMixin(OfficialRequiredMixin):
    """The organisation named by the URL's credit code, in the official's jurisdiction; with
    `manages = True` the official must also be 民政 (the registration authority)."""

    manages = False

    def get_org(self) -> SocialOrganisation:
        if not hasattr(self, "_org"):
            self._org = selectors.org_get_for_official(
                official=self.request.user, credit_code=self.kwargs["credit_code"]
            )
        if self._org is None:
            raise Http404
        if self.manages and not official_supervises(self.request.user, self._org.division_id):
            raise PermissionDenied
        return self._org


class OfficialHomeView(OfficialRequiredMixin, ListView):
    """社会组织登记: the organisations of the jurisdiction, with the reports waiting for review
    and those flagged overdue."""

    template_name = "socialorgs/registry/official/home.html"
    context_object_name = "organisations"
    paginate_by = 50

    def _status(self) -> str:
        status = self.request.GET.get("status", "")
        return status if status in SocialOrganisation.Status.values else ""

    def get_queryset(self):
        return selectors.org_list_for_official(
            official=self.request.user,
            text=(self.request.GET.get("q") or "")[:100],
            status=self._status(),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            counts=selectors.official_counts(official=self.request.user),
            statuses=SocialOrganisation.Status.choices,
            selected=self._status(),
            q=(self.request.GET.get("q") or "")[:100],
            can_register=is_civil_affairs_official(self.request.user),
            **kwargs,
        )


class OrgRegisterView(CivilAffairsRequiredMixin, TemplateView):
    """Register an organisation in the registry."""

    template_name = "socialorgs/registry/official/org_form.html"

    def get_context_data(self, form=None, **kwargs):
        if form is None:
            jurisdiction = self.request.user.jurisdiction
            form = OrgForm(
                official=self.request.user,
                initial={"authority": f"{jurisdiction.name}民政局" if jurisdiction else ""},
            )
        return super().get_context_data(form=form, registering=True, **kwargs)

    def post(self, request):
        form = OrgForm(request.POST, official=request.user)
        if form.is_valid():
            try:
                org = registry_services.org_register(
                    official=request.user, data=form.service_data(), request=request
                )
            except DomainError as exc:
                raise_for_access(exc)
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已登记：%(name)s") % {"name": org.name})
                return redirect("socialorgs:official-org", credit_code=org.credit_code)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class OfficialOrgView(OfficialOrgMixin, TemplateView):
    """One organisation for the official: the record (legal representative masked), its
    accounts, annual reports, evaluations and credit, and the actions 民政 may take."""

    template_name = "socialorgs/registry/official/org.html"

    def get_context_data(self, **kwargs):
        org = self.get_org()
        return super().get_context_data(
            org=org,
            manages=official_supervises(self.request.user, org.division_id),
            members=selectors.members_of(org),
            reports=selectors.reports_of(org),
            evaluations=selectors.evaluations_of(org),
            current=selectors.current_evaluation(org),
            credit=public_credit_profile(org),
            revoke_form=ReasonForm(),
            **kwargs,
        )


class _ManagedFormView(OfficialOrgMixin, TemplateView):
    """A form about one organisation that 民政 covering it submits to a service."""

    manages = True
    form_class = None
    title = ""
    success = ""

    def make_form(self, data=None):
        return self.form_class(data, initial=self.initial())

    def initial(self) -> dict:
        return {}

    def get_context_data(self, form=None, **kwargs):
        org = self.get_org()
        return super().get_context_data(
            org=org, form=form or self.make_form(), title=self.title, **kwargs
        )

    def perform(self, org, form):
        raise NotImplementedError

    def post(self, request, credit_code):
        org = self.get_org()
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                org = self.perform(org, form) or org
            except DomainError as exc:
                raise_for_access(exc)
                apply_domain_error(form, exc)
            else:
                messages.success(request, self.success)
                return redirect("socialorgs:official-org", credit_code=org.credit_code)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class OrgEditView(_ManagedFormView):
    template_name = "socialorgs/registry/official/org_form.html"

    def make_form(self, data=None):
        org = self.get_org()
        initial = {
            field: getattr(org, field)
            for field in (
                "name",
                "domain",
                "business_scope",
                "authority",
                "address",
                "latitude",
                "longitude",
                "founded_on",
            )
        }
        initial["division"] = org.division_id
        initial["registered_capital"] = yuan(org.registered_capital_fen)
        return OrgForm(data, official=self.request.user, editing=org, initial=initial)

    def perform(self, org, form):
        return registry_services.org_update(
            organisation=org,
            official=self.request.user,
            data=form.service_data(),
            request=self.request,
        )

    @property
    def success(self):
        return _("已保存修改。")


class OrgStatusView(_ManagedFormView):
    template_name = "socialorgs/registry/official/action_form.html"
    form_class = StatusForm

    @property
    def title(self):
        return _("变更登记状态（撤销、注销）")

    @property
    def success(self):
        return _("登记状态已变更。")

    def perform(self, org, form):
        return registry_services.org_status_change(
            organisation=org,
            official=self.request.user,
            request=self.request,
            **form.cleaned_data,
        )


class OrgCharityView(_ManagedFormView):
    template_name = "socialorgs/registry/official/action_form.html"
    form_class = CharityForm

    @property
    def title(self):
        return _("慈善组织认定与公开募捐资格")

    @property
    def success(self):
        return _("已保存慈善组织认定信息。")

    def initial(self):
        org = self.get_org()
        return {
            "is_charity": org.is_charity,
            "charity_recognised_on": org.charity_recognised_on,
            "public_fundraising": org.public_fundraising,
            "fundraising_qualified_on": org.fundraising_qualified_on,
        }

    def perform(self, org, form):
        return registry_services.org_charity_set(
            organisation=org,
            official=self.request.user,
            request=self.request,
            **form.cleaned_data,
        )


class OrgOwnerView(_ManagedFormView):
    template_name = "socialorgs/registry/official/action_form.html"
    form_class = PhoneForm

    @property
    def title(self):
        return _("绑定负责人账号")

    @property
    def success(self):
        return _("已绑定负责人账号。")

    def perform(self, org, form):
        registry_services.org_owner_bind(
            organisation=org,
            official=self.request.user,
            phone=form.cleaned_data["phone"],
            request=self.request,
        )
        return org


class EvaluateView(_ManagedFormView):
    template_name = "socialorgs/registry/official/action_form.html"
    form_class = EvaluationForm

    @property
    def title(self):
        return _("录入评估结果")

    @property
    def success(self):
        return _("已录入评估等级。")

    def perform(self, org, form):
        evaluation_services.evaluation_record(
            organisation=org,
            official=self.request.user,
            data=form.cleaned_data,
            request=self.request,
        )
        return org


class LegalRepView(OfficialOrgMixin, View):
    """查看法定代表人姓名: the full name for 民政 covering the organisation, on an explicit
    request that is audit-logged (a GET would be fetched by link preloaders and crawlers)."""

    manages = True

    def post(self, request, credit_code):
        org = self.get_org()
        try:
            name = registry_services.legal_rep_reveal(
                organisation=org, actor=request.user, request=request
            )
        except DomainError as exc:
            raise_for_access(exc)
            raise
        context = {"org": org, "legal_rep_name": name}
        template = (
            "socialorgs/registry/partials/legal_rep.html"
            if is_htmx(request)
            else "socialorgs/registry/official/legal_rep.html"
        )
        return HttpResponse(render_to_string(template, context, request=request))


class EvaluationRevokeView(OfficialRequiredMixin, View):
    def post(self, request, pk):
        evaluation = selectors.evaluation_get_for_official(official=request.user, pk=pk)
        if evaluation is None:
            raise Http404
        if not official_supervises(request.user, evaluation.organisation.division_id):
            raise PermissionDenied
        form = ReasonForm(request.POST)
        credit_code = evaluation.organisation.credit_code
        if not form.is_valid():
            messages.error(request, _("请填写撤销原因。"))
            return redirect("socialorgs:official-org", credit_code=credit_code)
        try:
            evaluation_services.evaluation_revoke(
                evaluation=evaluation,
                official=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except DomainError as exc:
            raise_for_access(exc)
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已撤销该评估等级。"))
        return redirect("socialorgs:official-org", credit_code=credit_code)


class ReportQueueView(OfficialRequiredMixin, ListView):
    """Annual reports of the jurisdiction waiting for review (or in another state)."""

    template_name = "socialorgs/registry/official/reports.html"
    context_object_name = "reports"
    paginate_by = 50
    STATES = (
        AnnualReport.Status.SUBMITTED,
        AnnualReport.Status.RETURNED,
        AnnualReport.Status.REVIEWED,
    )

    def _status(self) -> str:
        status = self.request.GET.get("status", "")
        return status if status in self.STATES else AnnualReport.Status.SUBMITTED

    def get_queryset(self):
        return selectors.report_queue(official=self.request.user, status=self._status())

    def get_context_data(self, **kwargs):
        labels = dict(AnnualReport.Status.choices)
        return super().get_context_data(
            statuses=[(s, labels[s]) for s in self.STATES], selected=self._status(), **kwargs
        )


class ReportReviewView(OfficialRequiredMixin, TemplateView):
    """One submitted report and the official's conclusion (or its return for changes)."""

    template_name = "socialorgs/registry/official/report.html"

    def _report(self) -> AnnualReport:
        report = selectors.report_get_for_official(official=self.request.user, pk=self.kwargs["pk"])
        if report is None:
            raise Http404
        return report

    def get_context_data(self, form=None, **kwargs):
        report = kwargs.pop("report", None) or self._report()
        manages = official_supervises(self.request.user, report.organisation.division_id)
        return super().get_context_data(
            report=report,
            org=report.organisation,
            manages=manages,
            can_review=manages and report.status == AnnualReport.Status.SUBMITTED,
            form=form or ReviewForm(),
            **kwargs,
        )

    def post(self, request, pk):
        report = self._report()
        if not official_supervises(request.user, report.organisation.division_id):
            raise PermissionDenied
        form = ReviewForm(request.POST)
        if form.is_valid():
            decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
            try:
                if decision == "return":
                    report_services.annual_report_return(
                        report=report, official=request.user, comment=comment, request=request
                    )
                else:
                    report_services.annual_report_review(
                        report=report,
                        official=request.user,
                        result=decision,
                        comment=comment,
                        request=request,
                    )
            except DomainError as exc:
                raise_for_access(exc)
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已完成审核。"))
                return redirect("socialorgs:official-reports")
        context = self.get_context_data(form=form, report=report)
        return self.render_to_response(context, status=400)
