"""Pages of charity transparency (善款全过程有迹可查).

Public: the list of fundraising projects, a project's page (its traced flow, the chain's
verification, the receipt lookup, its disclosures), a charity's disclosures, and the online
donation form for residents. The organisation's accounts: the charity desk (its projects, a
new project), a project's ledger desk (record donations and disbursements; real names, an
audited read) and disclosure publishing. Civil-affairs officials: the projects in their
jurisdiction with the chain's status, read-only, and one project's ledger (audited).

Thin views: reads through socialorgs.selectors.charity, writes through
socialorgs.services.charity; a refused action shows the service's Chinese message on the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from portal.accounts.permissions import OfficialRequiredMixin, ResidentRequiredMixin
from portal.errors import DomainError
from portal.forms import apply_domain_error
from providers.throttles import VerifyThrottle
from socialorgs.forms_charity import (
    DisbursementForm,
    DisclosureForm,
    DonationRecordForm,
    OnlineDonationForm,
    PledgeDecisionForm,
    ProjectForm,
    ReceiptForm,
)
from socialorgs.models import DisclosureItem, FundraisingProject, SocialOrganisation
from socialorgs.selectors import charity as selectors
from socialorgs.services import charity as services
from socialorgs.services.common import (
    ACTING_ROLES,
    is_civil_affairs_official,
    official_supervises,
    org_role_of,
)

PAGE_SIZE = 20


def _disclosure_rows(items) -> list[dict]:
    return [{"item": item, "state": selectors.disclosure_state(item)} for item in items]


# --- Public pages -------------------------------------------------------------------------------


class CharityListView(View):
    """Every fundraising project with its totals and the chain's status."""

    template_name = "socialorgs/charity/list.html"

    def get(self, request):
        q = (request.GET.get("q") or "").strip()[:100]
        status = request.GET.get("status") or ""
        page = Paginator(selectors.project_list_public(q=q, status=status), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        reports = selectors.chain_verify_many(page.object_list)
        rows = [{"project": p, "report": reports[p.pk]} for p in page.object_list]
        context = {
            "rows": rows,
            "page": page,
            "q": q,
            "status": status,
            "statuses": FundraisingProject.Status.choices,
        }
        return render(request, self.template_name, context)


class CharityProjectView(View):
    """A project: its facts, the traced flow (totals, entries with public names, which
    donations funded which disbursement), the chain's status, a receipt lookup and the
    disclosures. A receipt lookup is throttled per client like the other public checks."""

    template_name = "socialorgs/charity/project.html"

    def get(self, request, filing_number):
        project = selectors.project_get_public(filing_number=filing_number)
        if project is None:
            raise Http404
        entries = selectors.project_entries(project)
        flow = selectors.project_flow(project, entries)
        report = selectors.chain_verify(project, entries)
        form = ReceiptForm(request.GET if "receipt" in request.GET else None)
        context = {
            "project": project,
            "organisation": project.organisation,
            "flow": flow,
            "report": report,
            "form": form,
            "receipt": None,
            "searched": False,
            "project_disclosures": _disclosure_rows(selectors.disclosure_list(project=project)),
            "org_disclosures": _disclosure_rows(
                selectors.disclosure_list(organisation=project.organisation, organisation_only=True)
            ),
            "can_donate": project.status == FundraisingProject.Status.OPEN
            and project.starts_on <= timezone.localdate() <= project.ends_on,
            "is_member": org_role_of(request.user, project.organisation) is not None,
            "supervises": official_supervises(request.user, project.organisation.division_id),
        }
        status = 200
        if form.is_bound:
            if not VerifyThrottle().allow_request(request, self):
                context["throttled"] = True
                return render(request, self.template_name, context, status=429)
            context["searched"] = True
            code = services.receipt_code_clean(form.data.get("receipt"))
            if form.is_valid() and code:
                context["receipt"] = selectors.receipt_find(project=project, code=code, flow=flow)
            if context["receipt"] is None:
                status = 404 if code else 400
        return render(request, self.template_name, context, status=status)


class CharityOrgView(View):
    """A charity's fundraising projects and its disclosures (annual reports, project
    progress) with their due dates and 逾期 marks."""

    template_name = "socialorgs/charity/organisation.html"

    def get(self, request, credit_code):
        organisation = selectors.organisation_get_charity(credit_code=credit_code)
        if organisation is None:
            raise Http404
        projects = list(selectors.project_list_public(organisation=organisation))
        context = {
            "organisation": organisation,
            "projects": projects,
            "disclosures": _disclosure_rows(selectors.disclosure_list(organisation=organisation)),
        }
        return render(request, self.template_name, context)


class DonateView(ResidentRequiredMixin, View):
    """A resident donates to an open project online: an amount and, if they wish, anonymously.
    That is a pledge: they pay through the charity's published fundraising account or
    platform, and once the charity confirms the money arrived the donation is on the traced
    flow and they are sent a receipt code. The page lists their pledges to the project (the
    status, the receipt code of a confirmed one) and withdraws a pending one
    (`action=cancel`)."""

    template_name = "socialorgs/charity/donate.html"

    def dispatch(self, request, *args, **kwargs):
        self.project = selectors.project_get_public(filing_number=kwargs["filing_number"])
        if self.project is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def _page(self, request, form, status=200):
        project = self.project
        context = {
            "project": project,
            "form": form,
            "can_donate": project.status == FundraisingProject.Status.OPEN
            and project.starts_on <= timezone.localdate() <= project.ends_on,
            "pledges": selectors.pledge_list_for_donor(user=request.user, project=project),
        }
        return render(request, self.template_name, context, status=status)

    def _here(self):
        url = reverse("socialorgs:charity-donate", args=[self.project.filing_number])
        return redirect(f"{url}#my-pledges")

    def get(self, request, filing_number):
        return self._page(request, OnlineDonationForm())

    def post(self, request, filing_number):
        if request.POST.get("action") == "cancel":
            return self._cancel(request)
        form = OnlineDonationForm(request.POST)
        if not form.is_valid():
            return self._page(request, form, status=400)
        try:
            pledge = services.pledge_create(
                project=self.project, user=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self._page(request, form, status=exc.status)
        messages.success(
            request,
            _(
                "感谢您的爱心！已登记认捐 %(amount)s 元，认捐编号 %(ref)s。请通过%(org)s公布的"
                "募捐账户或其指定的互联网公开募捐信息平台付款，并在附言中注明认捐编号；"
                "该组织确认到账后，这笔捐赠将记入善款流向记录，您会收到捐赠凭证号。"
            )
            % {
                "amount": f"{pledge.amount_fen / 100:,.2f}",
                "ref": pledge.reference,
                "org": self.project.organisation.name,
            },
        )
        return self._here()

    def _cancel(self, request):
        """The donor withdraws their own pending pledge; anyone else's is as good as none."""
        form = PledgeDecisionForm(request.POST)
        pledge = form.is_valid() and selectors.pledge_get(
            project=self.project, pk=form.cleaned_data["pledge"]
        )
        if not pledge or pledge.donor_id != request.user.pk:
            raise Http404
        try:
            services.pledge_cancel(
                pledge=pledge, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已取消认捐 %(ref)s。") % {"ref": pledge.reference})
        return self._here()


# --- The organisation's desk --------------------------------------------------------------------


class DeskView(LoginRequiredMixin, View):
    """The charity desk: the organisations the user holds an account of, their projects with
    the chain's status, and the disclosures waiting."""

    template_name = "socialorgs/charity/desk.html"

    def get(self, request):
        organisations = selectors.organisations_for_member(user=request.user)
        projects = list(selectors.project_list_for_member(user=request.user))
        reports = selectors.chain_verify_many(projects)
        for row in organisations:
            org = row["organisation"]
            row["projects"] = [
                {"project": p, "report": reports[p.pk]}
                for p in projects
                if p.organisation_id == org.pk
            ]
            row["pending"] = selectors.disclosure_pending_count(organisation=org)
        return render(request, self.template_name, {"organisations": organisations})


class _MemberMixin(LoginRequiredMixin):
    """The organisation (by pk) of which the user holds an account; anyone else gets a 404.
    Writes need the owner's or a manager's role (403 before the input is read)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.organisation = get_object_or_404(SocialOrganisation, pk=kwargs["pk"])
            self.role = org_role_of(request.user, self.organisation)
            if self.role is None:
                raise Http404
            if request.method == "POST" and self.role not in ACTING_ROLES:
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ProjectNewView(_MemberMixin, View):
    """File a new fundraising project (charities with 公开募捐资格 only)."""

    template_name = "socialorgs/charity/project_form.html"

    def _page(self, request, form, status=200):
        refusal = None
        try:
            services.require_fundraiser(self.organisation)
        except DomainError as exc:
            refusal = exc.message
        context = {
            "organisation": self.organisation,
            "form": form,
            "refusal": refusal,
            "acts": self.role in ACTING_ROLES,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self._page(request, ProjectForm())

    def post(self, request, pk):
        form = ProjectForm(request.POST)
        if not form.is_valid():
            return self._page(request, form, status=400)
        try:
            project = services.project_create(
                organisation=self.organisation, actor=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self._page(request, form, status=exc.status)
        messages.success(request, _("募捐项目已备案登记，可以开始记账。"))
        return redirect("socialorgs:charity-ledger", filing_number=project.filing_number)


class DisclosuresView(_MemberMixin, View):
    """The organisation's disclosure items (due, overdue, published) and the form to publish
    one; a waiting item's 填写 link fills the form in."""

    template_name = "socialorgs/charity/disclosures.html"

    def _projects(self):
        return list(self.organisation.fundraising_projects.order_by("-starts_on", "-id"))

    def _page(self, request, form, status=200):
        context = {
            "organisation": self.organisation,
            "form": form,
            "rows": _disclosure_rows(selectors.disclosure_list(organisation=self.organisation)),
            "acts": self.role in ACTING_ROLES,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        initial = {
            key: request.GET[key] for key in ("kind", "project", "period") if key in request.GET
        }
        return self._page(request, DisclosureForm(initial=initial, projects=self._projects()))

    def post(self, request, pk):
        projects = self._projects()
        form = DisclosureForm(request.POST, projects=projects)
        if not form.is_valid():
            return self._page(request, form, status=400)
        data = form.cleaned_data
        project = next((p for p in projects if p.filing_number == data["project"]), None)
        try:
            item = services.disclosure_publish(
                organisation=self.organisation,
                actor=request.user,
                kind=data["kind"],
                period=data["period"],
                content=data["content"],
                project=project,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self._page(request, form, status=exc.status)
        messages.success(
            request,
            _("已公开：%(kind)s（%(period)s）。")
            % {"kind": item.get_kind_display(), "period": item.period},
        )
        return redirect("socialorgs:charity-disclosures", pk=self.organisation.pk)


class LedgerView(LoginRequiredMixin, View):
    """A project's ledger desk: for the owner and managers, every entry with the real names
    of donors and beneficiaries (an audited read), the forms to record a donation or a
    disbursement, the residents' online pledges waiting for their money (donors masked;
    their real names on request, `?reveal=pledges`, an audited read) with 确认到账 and
    未到账，取消, and closing the fundraising. A plain member reads the desk with public
    names only (the traced flow, the pledges masked); asking for real names is refused."""

    template_name = "socialorgs/charity/ledger.html"
    FORMS = {"donation": DonationRecordForm, "disbursement": DisbursementForm}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.project = selectors.project_get_for_member(
                user=request.user, filing_number=kwargs["filing_number"]
            )
            if self.project is None:
                raise Http404
            self.role = org_role_of(request.user, self.project.organisation)
        return super().dispatch(request, *args, **kwargs)

    def _page(self, request, forms=None, status=200):
        forms = forms or {}
        acts = self.role in ACTING_ROLES
        reveal_pledges = request.GET.get("reveal") == "pledges"
        if reveal_pledges and not acts:
            raise PermissionDenied
        if acts:
            entries = services.ledger_entries_reveal(
                project=self.project, viewer=request.user, request=request
            )
        else:
            entries = selectors.project_entries(self.project)
        pledges = selectors.pledges_pending(project=self.project)
        if pledges and reveal_pledges:
            names = services.pledge_donors_reveal(
                project=self.project, pledges=pledges, viewer=request.user, request=request
            )
            for pledge in pledges:
                pledge.real_name = names.get(pledge.pk)
        context = {
            "project": self.project,
            "organisation": self.project.organisation,
            "pledges": pledges,
            "entries": entries,
            "flow": selectors.project_flow(self.project, entries),
            "report": selectors.chain_verify(self.project, entries),
            "acts": acts,
            # Two forms on one page: each field's name and id carry the form's prefix.
            "donation_form": forms.get("donation") or DonationRecordForm(prefix="donation"),
            "disbursement_form": forms.get("disbursement")
            or DisbursementForm(prefix="disbursement"),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, filing_number):
        return self._page(request)

    def post(self, request, filing_number):
        if self.role not in ACTING_ROLES:
            raise PermissionDenied
        kind = request.POST.get("action")
        if kind in ("pledge_confirm", "pledge_cancel"):
            return self._decide(request, kind)
        form_class = self.FORMS.get(kind)
        if form_class is None:
            messages.error(request, _("请选择要记录的类型。"))
            return self._page(request, status=400)
        form = form_class(request.POST, prefix=kind)
        if not form.is_valid():
            return self._page(request, {kind: form}, status=400)
        record = services.donation_record if kind == "donation" else services.disbursement_record
        try:
            entry = record(project=self.project, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc, field_map={"amount_yuan": "amount_yuan"})
            return self._page(request, {kind: form}, status=exc.status)
        if kind == "donation":
            text = _("已记录第 %(n)s 条：捐赠 %(amount)s 元，捐赠凭证号 %(code)s。")
        else:
            text = _("已记录第 %(n)s 条：拨付 %(amount)s 元。")
        messages.success(
            request,
            text
            % {
                "n": entry.seq,
                "amount": f"{entry.amount_fen / 100:.2f}",
                "code": entry.receipt_code,
            },
        )
        return redirect("socialorgs:charity-ledger", filing_number=self.project.filing_number)

    def _decide(self, request, kind):
        """确认到账 (the donation goes on the chain) or 未到账，取消 (with a reason) of a
        pending pledge of this project."""
        form = PledgeDecisionForm(request.POST)
        pledge = form.is_valid() and selectors.pledge_get(
            project=self.project, pk=form.cleaned_data["pledge"]
        )
        if not pledge:
            raise Http404
        try:
            if kind == "pledge_confirm":
                pledge = services.pledge_confirm(pledge=pledge, actor=request.user)
            else:
                pledge = services.pledge_cancel(
                    pledge=pledge, actor=request.user, reason=form.cleaned_data["reason"]
                )
        except DomainError as exc:
            messages.error(request, exc.message)
            return self._page(request, status=exc.status)
        if kind == "pledge_confirm":
            messages.success(
                request,
                _(
                    "已确认到账：第 %(n)s 条，捐赠 %(amount)s 元，"
                    "捐赠凭证号 %(code)s（已通知捐赠人）。"
                )
                % {
                    "n": pledge.entry.seq,
                    "amount": f"{pledge.amount_fen / 100:.2f}",
                    "code": pledge.entry.receipt_code,
                },
            )
        else:
            messages.success(
                request,
                _("已取消认捐 %(ref)s（已通知捐赠人）。") % {"ref": pledge.reference},
            )
        return redirect("socialorgs:charity-ledger", filing_number=self.project.filing_number)


class ProjectCloseView(LoginRequiredMixin, View):
    def post(self, request, filing_number):
        project = selectors.project_get_for_member(user=request.user, filing_number=filing_number)
        if project is None:
            raise Http404
        try:
            services.project_close(project=project, actor=request.user)
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied from None
            messages.error(request, exc.message)
        else:
            messages.success(request, _("项目已结束募捐；结余仍可继续拨付。"))
        return redirect("socialorgs:charity-ledger", filing_number=project.filing_number)


# --- Officials ----------------------------------------------------------------------------------


class OfficialListView(OfficialRequiredMixin, View):
    """The fundraising projects of organisations in the official's jurisdiction with their
    totals and the chain's status (civil-affairs officials; read-only)."""

    template_name = "socialorgs/charity/official_list.html"

    def get(self, request):
        page = Paginator(selectors.project_list_for_official(user=request.user), 50).get_page(
            request.GET.get("page")
        )
        reports = selectors.chain_verify_many(page.object_list)
        rows = [{"project": p, "report": reports[p.pk]} for p in page.object_list]
        overdue = DisclosureItem.objects.filter(
            project__in=[p.pk for p in page.object_list], overdue_at__isnull=False
        ).values_list("project_id", flat=True)
        overdue = set(overdue)
        for row in rows:
            row["overdue"] = row["project"].pk in overdue
        context = {
            "rows": rows,
            "page": page,
            "civil_affairs": is_civil_affairs_official(request.user),
        }
        return render(request, self.template_name, context)


class OfficialProjectView(OfficialRequiredMixin, View):
    """One project in the official's jurisdiction: its ledger with the real names (an audited
    read, for supervision), the chain's verification and the disclosures."""

    template_name = "socialorgs/charity/official_project.html"

    def get(self, request, filing_number):
        project = selectors.project_get_for_official(user=request.user, filing_number=filing_number)
        if project is None:
            raise Http404
        entries = services.ledger_entries_reveal(
            project=project, viewer=request.user, request=request
        )
        context = {
            "project": project,
            "organisation": project.organisation,
            "entries": entries,
            "flow": selectors.project_flow(project, entries),
            "report": selectors.chain_verify(project, entries),
            "disclosures": _disclosure_rows(selectors.disclosure_list(project=project)),
        }
        return render(request, self.template_name, context)
