"""Complaint pages of the socialorgs app (投诉举报). Filing only: the case then lives in ratings'
complaint workflow (the resident follows it under 我的投诉, the officials on their complaint
board). The organisation's own accounts read the complaints about it here and its owner and
managers answer inside the case (the complainant masked, as for a provider's staff)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from portal.accounts.permissions import ResidentRequiredMixin, RoleRequiredMixin
from portal.errors import DomainError
from portal.forms import apply_domain_error
from ratings.forms_complaints import MessageForm
from ratings.services import complaints as ratings_complaints
from socialorgs.forms_credit import IllegalReportForm, OrgComplaintForm
from socialorgs.models import SocialOrganisation
from socialorgs.selectors import credit as selectors
from socialorgs.services import complaints as services
from socialorgs.services.common import ACCOUNT_USER_ROLES


def _deadlines() -> dict:
    return {
        "accept_days": ratings_complaints.ACCEPT_DAYS,
        "resolve_days": ratings_complaints.RESOLVE_DAYS,
    }


class ComplainView(ResidentRequiredMixin, FormView):
    """A resident complains about an organisation (from its 一网通查 profile)."""

    template_name = "socialorgs/complaints/new.html"
    form_class = OrgComplaintForm

    def dispatch(self, request, *args, **kwargs):
        self.organisation = SocialOrganisation.objects.filter(
            credit_code=(kwargs["credit_code"] or "").upper()
        ).first()
        if self.organisation is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(org=self.organisation, **_deadlines(), **kwargs)

    def form_valid(self, form):
        try:
            complaint = services.org_complaint_file(
                resident=self.request.user, organisation=self.organisation, **form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(
            self.request,
            _("投诉已提交，编号 %(ref)s。监管部门将在 %(days)d 个工作日内决定是否受理。")
            % {"ref": complaint.reference, "days": ratings_complaints.ACCEPT_DAYS},
        )
        return redirect("ratings:my-complaint", pk=complaint.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ReportIllegalView(ResidentRequiredMixin, FormView):
    """A resident reports a body suspected of acting as a social organisation without
    registration (举报非法社会组织); the officials covering the chosen division get it."""

    template_name = "socialorgs/complaints/report_illegal.html"
    form_class = IllegalReportForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(**_deadlines(), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            complaint = services.illegal_org_report(
                resident=self.request.user,
                name=data["name"],
                division_code=data["division"],
                description=data["description"],
                files=data["files"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(
            self.request,
            _("举报已提交，编号 %(ref)s。监管部门将在 %(days)d 个工作日内决定是否受理。")
            % {"ref": complaint.reference, "days": ratings_complaints.ACCEPT_DAYS},
        )
        return redirect("ratings:my-complaint", pk=complaint.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- The organisation's accounts ---------------------------------------------------------------


class OrgAccountRequiredMixin(RoleRequiredMixin):
    """Residents and provider staff hold organisations' accounts; officials supervise them."""

    role_predicate = staticmethod(lambda user: user.role in ACCOUNT_USER_ROLES)


class OrgComplaintsView(OrgAccountRequiredMixin, TemplateView):
    """The complaints about the organisations the user holds an account of."""

    template_name = "socialorgs/complaints/org_list.html"

    def get_context_data(self, **kwargs):
        complaints = selectors.complaints_for_org_accounts(user=self.request.user)[:200]
        return super().get_context_data(complaints=complaints, **kwargs)


class OrgComplaintView(OrgAccountRequiredMixin, TemplateView):
    """One complaint about the user's organisation: the facts (complainant masked), the
    history, and for its owner and managers the form to answer inside the case."""

    template_name = "socialorgs/complaints/org_detail.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.complaint = selectors.complaint_get_for_org_account(
                user=request.user, pk=kwargs["pk"]
            )
            if self.complaint is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        complaint = self.complaint
        user = self.request.user
        identity = ratings_complaints.complaint_identity(
            complaint=complaint, viewer=user, request=self.request
        )

        def shown(text: str) -> str:
            return ratings_complaints.complaint_case_text(identity=identity, text=text)

        case_messages = []
        for message in complaint.messages.all():
            side = ratings_complaints.speaker_of(complaint, message)
            message.speaker = {
                "resident": _("投诉人"),
                "provider": _("被投诉组织"),
                "official": _("监管部门"),
            }[side]
            message.shown_text = shown(message.text)
            case_messages.append(message)
        events = list(complaint.events.all())
        for event in events:
            event.shown_note = shown(event.note)
        may_write = complaint.is_open and ratings_complaints.may_write_message(user, complaint)
        return super().get_context_data(
            complaint=complaint,
            identity=identity,
            case_text={
                field: shown(getattr(complaint, field))
                for field in ("description", "desired_outcome", "outcome")
            },
            case_messages=case_messages,
            events=events,
            message_form=MessageForm() if may_write else None,
            **kwargs,
        )

    def post(self, request, pk):
        if not ratings_complaints.may_write_message(request.user, self.complaint):
            # A member reads; the owner and managers answer.
            raise PermissionDenied
        form = MessageForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写留言内容（不超过 2000 字）。"))
        else:
            try:
                ratings_complaints.complaint_message(
                    complaint=self.complaint, author=request.user, text=form.cleaned_data["text"]
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("答复已发送。"))
        return redirect("socialorgs:org-complaint", pk=pk)
