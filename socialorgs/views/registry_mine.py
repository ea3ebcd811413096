"""The organisation accounts' pages (/socialorgs/mine/): my organisations, one organisation's
annual reports by year and its accounts, the report form of a year (save a draft, submit),
and the owner adding a manager or member.

Owners and managers act; members read. An organisation the user holds no account of does
not exist for them (404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from portal.accounts.permissions import RoleRequiredMixin, is_provider_staff, is_resident
from portal.errors import DomainError
from portal.forms import apply_domain_error
from socialorgs.forms_registry import AnnualReportForm, MemberForm
from socialorgs.models import AnnualReport, OrgMembership, SocialOrganisation
from socialorgs.selectors import registry as selectors
from socialorgs.services import registry as registry_services
from socialorgs.services import reports as report_services
from socialorgs.services.common import ACTING_ROLES
from socialorgs.views.registry_official import raise_for_access

# The report years listed on an organisation's page: the latest this many.
YEARS_SHOWN = 10


def _account_holder(user) -> bool:
    return is_resident(user) or is_provider_staff(user)


class AccountRequiredMixin(RoleRequiredMixin):
    """Residents and provider staff hold organisation accounts; officials supervise."""

    role_predicate = staticmethod(_account_holder)


class MemberOrgMixin(AccountRequiredMixin):
    def get_org(self) -> SocialOrganisation:
        if not hasattr(self, "_org"):
            self._org = selectors.org_get_for_member(
                user=self.request.user, credit_code=self.kwargs["credit_code"]
            )
        if self._org is None:
            raise Http404
        return self._org

    def acts(self) -> bool:
        return self.get_org().my_role in ACTING_ROLES


class MineView(AccountRequiredMixin, TemplateView):
    """我的社会组织: the organisations the user holds an account of."""

    template_name = "socialorgs/registry/mine/list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organisations=selectors.orgs_of_user(user=self.request.user),
            roles=OrgMembership.Role.choices,
            **kwargs,
        )


def _report_years(org: SocialOrganisation) -> list[dict]:
    """The years a report can be filed for (newest first), each with its report if any."""
    last = timezone.localdate().year - 1
    first = max(org.founded_on.year, last - YEARS_SHOWN + 1)
    reports = {r.year: r for r in selectors.reports_of(org)}
    return [{"year": y, "report": reports.get(y)} for y in range(last, first - 1, -1)]


class MineOrgView(MemberOrgMixin, TemplateView):
    """One organisation for its accounts: annual reports by year, accounts (owner adds)."""

    template_name = "socialorgs/registry/mine/org.html"

    def get_context_data(self, form=None, **kwargs):
        org = self.get_org()
        is_owner = org.my_role == OrgMembership.Role.OWNER
        return super().get_context_data(
            org=org,
            acts=self.acts(),
            is_owner=is_owner,
            years=_report_years(org),
            members=selectors.members_of(org),
            current=selectors.current_evaluation(org),
            form=(form or MemberForm()) if is_owner else None,
            **kwargs,
        )

    def post(self, request, credit_code):
        """The owner adds a manager or member by mobile number."""
        org = self.get_org()
        if org.my_role != OrgMembership.Role.OWNER:
            raise PermissionDenied
        form = MemberForm(request.POST)
        if form.is_valid():
            try:
                registry_services.org_member_add(
                    organisation=org, actor=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                raise_for_access(exc)
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已添加账号。"))
                return redirect("socialorgs:mine-org", credit_code=org.credit_code)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class MineReportView(MemberOrgMixin, TemplateView):
    """The annual report of one year: owners and managers save a draft or submit it while it
    is a draft or returned; members and everyone after submission read it."""

    template_name = "socialorgs/registry/mine/report.html"

    def _year(self, org) -> int:
        try:
            return report_services.report_year(org, self.kwargs["year"])
        except DomainError:
            raise Http404 from None

    def get_context_data(self, form=None, **kwargs):
        kwargs.pop("year", None)  # the URL's; the checked one is ours
        org = self.get_org()
        year = self._year(org)
        report = selectors.report_of_year(org, year)
        editable = (
            self.acts()
            and org.is_active
            and (
                report is None
                or report.status in (AnnualReport.Status.DRAFT, AnnualReport.Status.RETURNED)
            )
        )
        if form is None and editable:
            form = AnnualReportForm(initial=AnnualReportForm.initial_of(report))
        return super().get_context_data(
            org=org,
            year=year,
            report=report,
            editable=editable,
            form=form if editable else None,
            **kwargs,
        )

    def post(self, request, credit_code, year):
        org = self.get_org()
        if not self.acts():
            raise PermissionDenied
        year = self._year(org)
        form = AnnualReportForm(request.POST)
        submit = request.POST.get("action") == "submit"
        if form.is_valid():
            try:
                report_services.annual_report_save(
                    organisation=org,
                    actor=request.user,
                    year=year,
                    data=form.cleaned_data,
                    submit=submit,
                    request=request,
                )
            except DomainError as exc:
                raise_for_access(exc)
                if exc.status == 409:
                    messages.error(request, exc.message)
                    return redirect(
                        "socialorgs:mine-report", credit_code=org.credit_code, year=year
                    )
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request, _("年度报告已报送，请等待审核。") if submit else _("已保存草稿。")
                )
                return redirect("socialorgs:mine-report", credit_code=org.credit_code, year=year)
        return self.render_to_response(self.get_context_data(form=form), status=400)
