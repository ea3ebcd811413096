"""Officials' pages of volunteer service: the dashboard of their jurisdiction with its CSV
exports, and the review of volunteer organisations (queue, detail, decision).

Everything is scoped to the official's jurisdiction: an organisation outside it does not
exist for them (404). The roster export holds personal data (masked) and is audit-logged, one
read per volunteer (volunteers.services.exports). Exports are streamed.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from portal.accounts.permissions import OfficialRequiredMixin
from portal.uploads import UPLOAD_CSP
from volunteers import selectors, services
from volunteers.errors import VolunteerError
from volunteers.forms_officials import OrganisationDecisionForm, YearForm
from volunteers.models import Organisation
from volunteers.services.exports import roster_export_record
from volunteers.services.organisations import official_may_review

# --- CSV ----------------------------------------------------------------------------------------

# A cell starting with one of these is read as a formula by spreadsheet programs (CSV
# injection): such text cells get a leading apostrophe, which the programs show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Lines:
    """A file for csv.writer that hands each written line back instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def csv_response(filename: str, header, rows) -> StreamingHttpResponse:
    """A UTF-8 CSV download (with a BOM, for Excel) of `rows` under `header`, streamed line
    by line: a large export is never held in memory as text."""
    writer = csv.writer(_Lines())

    def lines():
        yield "\ufeff" + writer.writerow([str(h) for h in header])
        for row in rows:
            yield writer.writerow([csv_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A file, not a page: sandboxed like every file the portal serves (nothing in it runs).
    response["Content-Security-Policy"] = UPLOAD_CSP
    return response


# --- The dashboard --------------------------------------------------------------------------------


class DashboardView(OfficialRequiredMixin, TemplateView):
    template_name = "volunteers/official/dashboard.html"

    def get(self, request, *args, **kwargs):
        # Finding a volunteer of the jurisdiction by number leads to their profile, where the
        # official records a commendation.
        number = (request.GET.get("number") or "").strip()[:20]
        if number:
            volunteer = selectors.volunteer_get_by_number(number=number)
            if volunteer is not None and request.user.covers(volunteer.division_id):
                return redirect("volunteers:profile", number=volunteer.number)
            messages.error(
                request, _("辖区内没有编号为 %(number)s 的志愿者。") % {"number": number}
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        form = YearForm(self.request.GET or None)
        year = form.chosen_year()
        board = selectors.dashboard(official=self.request.user, year=year)
        return super().get_context_data(
            form=form,
            year=year,
            board=board,
            **kwargs,
        )


HOURS_HEADER = [
    gettext_lazy("月份"),
    gettext_lazy("区县代码"),
    gettext_lazy("区县"),
    gettext_lazy("服务领域"),
    gettext_lazy("开展活动数"),
    gettext_lazy("参与志愿者数"),
    gettext_lazy("确认时长（小时）"),
]


class HoursExportView(OfficialRequiredMixin, View):
    """Confirmed hours by month × district × domain of the jurisdiction: counts only."""

    def get(self, request):
        year = YearForm(request.GET or None).chosen_year()
        rows = selectors.hours_by_month(official=request.user, year=year)
        return csv_response(
            f"volunteer-hours-{year}.csv",
            HOURS_HEADER,
            (
                [
                    r["month"],
                    r["district"],
                    r["district_name"],
                    r["domain_label"],
                    r["activities"],
                    r["volunteers"],
                    r["hours"],
                ]
                for r in rows
            ),
        )


ROSTER_HEADER = [
    gettext_lazy("志愿者编号"),
    gettext_lazy("姓名（脱敏）"),
    gettext_lazy("身份证号（脱敏）"),
    gettext_lazy("所在区划"),
    gettext_lazy("注册日期"),
    gettext_lazy("本年度确认时长（小时）"),
    gettext_lazy("累计确认时长（小时）"),
    gettext_lazy("星级"),
]


class RosterExportView(OfficialRequiredMixin, View):
    """The volunteers of the jurisdiction, names and ID numbers masked, with their hours and
    star level. Personal data leaves the portal: the export, and a read of each volunteer in
    it, are audit-logged before the file is streamed."""

    def get(self, request):
        year = YearForm(request.GET or None).chosen_year()
        rows = list(selectors.roster(official=request.user, year=year))
        roster_export_record(official=request.user, year=year, rows=rows, request=request)
        return csv_response(
            f"volunteer-roster-{year}.csv",
            ROSTER_HEADER,
            (
                [
                    r.number,
                    r.masked_name,
                    r.id_number_masked,
                    r.division_name,
                    r.registered_on.isoformat(),
                    r.year_hours,
                    r.total_hours,
                    r.star_label,
                ]
                for r in rows
            ),
        )


# --- Organisation review ------------------------------------------------------------------------


class OrganisationQueueView(OfficialRequiredMixin, ListView):
    """The jurisdiction's volunteer organisations waiting for review (or in another state)."""

    template_name = "volunteers/official/organisations.html"
    context_object_name = "organisations"
    paginate_by = 50

    def _status(self) -> str:
        status = self.request.GET.get("status", "")
        return status if status in Organisation.Status.values else Organisation.Status.SUBMITTED

    def get_queryset(self):
        return selectors.organisation_list_for_official(
            official=self.request.user, status=self._status()
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            statuses=Organisation.Status.choices, selected=self._status(), **kwargs
        )


def _history(organisation: Organisation) -> list:
    reviews = list(selectors.organisation_review_history(organisation=organisation))
    labels = dict(Organisation.Status.choices)
    for review in reviews:
        review.status_label = labels.get(review.to_status, review.to_status)
    return reviews


class OrganisationReviewView(OfficialRequiredMixin, TemplateView):
    """One organisation: its registration, members (names masked), review history and, while it
    waits, the 民政 official's decision (approve, return or reject with a reason)."""

    template_name = "volunteers/official/organisation.html"

    def _organisation(self) -> Organisation:
        organisation = selectors.organisation_get_for_official(
            official=self.request.user, pk=self.kwargs["pk"]
        )
        if organisation is None:
            raise Http404
        return organisation

    def get_context_data(self, form=None, **kwargs):
        organisation = kwargs.pop("organisation", None) or self._organisation()
        may_decide = official_may_review(self.request.user, organisation)
        return super().get_context_data(
            organisation=organisation,
            members=selectors.member_list(organisation=organisation),
            history=_history(organisation),
            may_decide=may_decide,
            can_decide=may_decide and organisation.status == Organisation.Status.SUBMITTED,
            actions=OrganisationDecisionForm.ACTIONS,
            form=form or OrganisationDecisionForm(),
            **kwargs,
        )

    def post(self, request, pk):
        organisation = self._organisation()
        form = OrganisationDecisionForm(request.POST)
        if form.is_valid():
            action = form.cleaned_data["action"]
            try:
                services.organisation_decide(
                    organisation=organisation,
                    official=request.user,
                    action=action,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except VolunteerError as error:
                if error.status == 403:
                    messages.error(request, error.message)
                    return redirect("volunteers:official-organisation", pk=pk)
                form.add_error("reason" if error.field == "reason" else None, error.message)
            else:
                label = dict(OrganisationDecisionForm.ACTIONS)[action]
                messages.success(request, _("已完成：%(action)s") % {"action": label})
                return redirect("volunteers:official-organisations")
        context = self.get_context_data(form=form, organisation=organisation)
        return self.render_to_response(context, status=400)
