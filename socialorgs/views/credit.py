"""Credit pages: the public lists (活动异常名录, 严重违法失信名单) and the exposure list of
非法社会组织; the officials' credit desk of an organisation (penalties, licences, list entries,
commendations) and their exposure form.

An organisation or record outside the official's jurisdiction does not exist for them (404);
within it, officials of other departments read and only 民政 acts (403), checked before the
form is read. Thin views: reads through socialorgs.selectors.credit, writes through
socialorgs.services.credit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from portal.accounts.permissions import OfficialRequiredMixin
from portal.errors import DomainError
from portal.forms import apply_domain_error
from socialorgs.forms_credit import (
    CommendForm,
    IllegalExposeForm,
    IllegalStatusForm,
    LicenceForm,
    ListEntryForm,
    ListRemoveForm,
    PenaltyForm,
)
from socialorgs.models import OrgListEntry
from socialorgs.selectors import credit as selectors
from socialorgs.services import credit as services
from socialorgs.services.common import is_civil_affairs_official, official_supervises

PAGE_LIMIT = 200


def _refused(error: DomainError) -> None:
    """A refusal by the service's permission check is a 403 (404) page, not a form error."""
    if error.status == 403:
        raise PermissionDenied(error.message)
    if error.status == 404:
        raise Http404


# --- The public --------------------------------------------------------------------------------


class ListsView(TemplateView):
    """活动异常名录 and 严重违法失信名单: the entries in force, one list at a time (?list=)."""

    template_name = "socialorgs/credit/lists.html"

    def get_context_data(self, **kwargs):
        chosen = self.request.GET.get("list")
        if chosen not in OrgListEntry.List.values:
            chosen = OrgListEntry.List.ABNORMAL
        entries = selectors.list_entries_public(list_name=chosen)[:PAGE_LIMIT]
        return super().get_context_data(
            lists=OrgListEntry.List.choices, chosen=chosen, entries=entries, **kwargs
        )


class IllegalListView(TemplateView):
    """非法社会组织曝光: exposed and banned bodies, with a link to report one."""

    template_name = "socialorgs/credit/illegal.html"

    def get_context_data(self, **kwargs):
        rows = selectors.illegal_orgs_public()[:PAGE_LIMIT]
        return super().get_context_data(illegal_orgs=rows, **kwargs)


# --- Officials: the credit desk ----------------------------------------------------------------


class CreditHomeView(OfficialRequiredMixin, TemplateView):
    """信用监管 of social organisations: the jurisdiction's organisations (listed and
    low-graded first, searchable by name or code) and the list entries in force."""

    template_name = "socialorgs/credit/official_home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        query = (self.request.GET.get("q") or "").strip()[:100]
        return super().get_context_data(
            q=query,
            orgs=selectors.orgs_for_credit_desk(official=user, query=query)[:PAGE_LIMIT],
            entries=selectors.entries_open_for_official(official=user)[:PAGE_LIMIT],
            **kwargs,
        )


DESK_FORMS = {
    "penalty": PenaltyForm,
    "licence": LicenceForm,
    "list": ListEntryForm,
    "commend": CommendForm,
}


class CreditDeskView(OfficialRequiredMixin, TemplateView):
    """One organisation's credit: score, grade, standing, every event and list entry, the
    complaints about it, and for 民政 the forms to record a penalty, a licence, a list entry
    or a commendation (POST with `action`)."""

    template_name = "socialorgs/credit/desk.html"

    def get_org(self):
        org = selectors.org_get_for_credit_desk(
            official=self.request.user, credit_code=self.kwargs["credit_code"]
        )
        if org is None:
            raise Http404
        return org

    def get_context_data(self, forms=None, **kwargs):
        org = self.get_org()
        manages = official_supervises(self.request.user, org.division_id)
        forms = forms or {}
        return super().get_context_data(
            org=org,
            credit=selectors.credit_desk(org),
            manages=manages,
            forms={name: forms.get(name) or form() for name, form in DESK_FORMS.items()}
            if manages
            else {},
            remove_form=ListRemoveForm() if manages else None,
            **kwargs,
        )

    def post(self, request, credit_code):
        org = self.get_org()
        if not official_supervises(request.user, org.division_id):
            raise PermissionDenied
        action = request.POST.get("action")
        form_class = DESK_FORMS.get(action)
        if form_class is None:
            messages.error(request, _("未知的操作。"))
            return redirect("socialorgs:credit-desk", credit_code=org.credit_code)
        form = form_class(request.POST)
        if form.is_valid():
            try:
                self.perform(action, org, form.cleaned_data)
            except DomainError as exc:
                _refused(exc)
                apply_domain_error(form, exc)
            else:
                return redirect("socialorgs:credit-desk", credit_code=org.credit_code)
        context = self.get_context_data(forms={action: form}, open_form=action)
        return self.render_to_response(context, status=400)

    def perform(self, action: str, org, data: dict) -> None:
        request = self.request
        actor = request.user
        if action == "penalty":
            penalty = services.penalty_record(
                actor=actor, organisation=org, request=request, **data
            )
            messages.success(
                request,
                _("已记录行政处罚 %(number)s。") % {"number": penalty.decision_number},
            )
        elif action == "licence":
            licence = services.licence_record(
                actor=actor, organisation=org, request=request, **data
            )
            messages.success(request, _("已记录行政许可 %(number)s。") % {"number": licence.number})
        elif action == "list":
            entry = services.list_add(actor=actor, organisation=org, request=request, **data)
            messages.success(request, _("已列入%(list)s。") % {"list": entry.get_list_display()})
        else:
            services.org_commend(actor=actor, organisation=org, request=request, **data)
            messages.success(request, _("已记录表彰。"))


class ListRemoveView(OfficialRequiredMixin, View):
    """移出 a list entry before its end date, with a reason (民政 covering the organisation)."""

    def post(self, request, pk):
        entry = selectors.entry_get_for_official(official=request.user, pk=pk)
        if entry is None:
            raise Http404
        if not official_supervises(request.user, entry.organisation.division_id):
            raise PermissionDenied
        form = ListRemoveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写移出原因（不超过 300 字）。"))
        else:
            try:
                services.list_remove(
                    actor=request.user,
                    entry=entry,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except DomainError as exc:
                _refused(exc)
                messages.error(request, exc.message)
            else:
                messages.success(
                    request, _("已移出%(list)s。") % {"list": entry.get_list_display()}
                )
        return redirect("socialorgs:credit-desk", credit_code=entry.organisation.credit_code)


# --- Officials: 非法社会组织 ----------------------------------------------------------------------


class IllegalManageView(OfficialRequiredMixin, TemplateView):
    """The exposures in the official's jurisdiction; 民政 exposes a new one (POST) and bans or
    withdraws one (IllegalStatusView)."""

    template_name = "socialorgs/credit/illegal_manage.html"

    def get_context_data(self, form=None, **kwargs):
        user = self.request.user
        manages = is_civil_affairs_official(user)
        return super().get_context_data(
            rows=selectors.illegal_orgs_for_official(official=user)[:PAGE_LIMIT],
            manages=manages,
            form=(form or IllegalExposeForm(official=user)) if manages else None,
            status_form=IllegalStatusForm() if manages else None,
            **kwargs,
        )

    def post(self, request):
        if not is_civil_affairs_official(request.user):
            raise PermissionDenied
        form = IllegalExposeForm(request.POST, official=request.user)
        if form.is_valid():
            try:
                illegal = services.illegal_org_expose(
                    actor=request.user, request=request, **form.cleaned_data
                )
            except DomainError as exc:
                _refused(exc)
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已曝光：%(name)s。") % {"name": illegal.name})
                return redirect("socialorgs:illegal-manage")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class IllegalStatusView(OfficialRequiredMixin, View):
    def post(self, request, pk):
        illegal = selectors.illegal_get_for_official(official=request.user, pk=pk)
        if illegal is None:
            raise Http404
        if not official_supervises(request.user, illegal.division_id):
            raise PermissionDenied
        form = IllegalStatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择已取缔或已撤回。"))
        else:
            try:
                illegal = services.illegal_org_status_set(
                    actor=request.user, illegal=illegal, request=request, **form.cleaned_data
                )
            except DomainError as exc:
                _refused(exc)
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("%(name)s：%(status)s。")
                    % {"name": illegal.name, "status": illegal.get_status_display()},
                )
        return redirect("socialorgs:illegal-manage")
