"""Complaint pages: the resident files and follows a complaint; officials work a board of their
jurisdiction's complaints and take each through its stages; the provider reads the complaints
about it (the complainant masked) and answers inside the case."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from portal.accounts.permissions import (
    OfficialRequiredMixin,
    ProviderStaffRequiredMixin,
    ResidentRequiredMixin,
)
from portal.errors import DomainError
from portal.uploads import upload_response
from providers.models import Provider
from providers.views.common import apply_error, staff_provider_or_404
from ratings import selectors
from ratings.filters_complaints import ComplaintFilter
from ratings.forms_complaints import ComplaintForm, MessageForm, RateForm, TransitionForm
from ratings.models import Complaint, ComplaintFile
from ratings.services import complaints as service
from services import selectors as booking_selectors

SPEAKERS = {
    "resident": gettext_lazy("投诉人"),
    "provider": gettext_lazy("被投诉机构"),
    "official": gettext_lazy("监管部门"),
}


def _with_speakers(complaint: Complaint, identity: dict) -> list:
    """The case's messages, each labelled by the side that wrote it (names stay private), with
    the text as this viewer may read it."""
    found = []
    for message in complaint.messages.all():
        message.speaker = SPEAKERS[service.speaker_of(complaint, message)]
        message.shown_text = service.complaint_case_text(identity=identity, text=message.text)
        found.append(message)
    return found


def _case_context(complaint: Complaint, viewer, request) -> dict:
    identity = service.complaint_identity(complaint=complaint, viewer=viewer, request=request)
    events = list(complaint.events.all())
    for event in events:
        event.shown_note = service.complaint_case_text(identity=identity, text=event.note)
    return {
        "complaint": complaint,
        "case_messages": _with_speakers(complaint, identity),
        "events": events,
        "identity": identity,
        "case_text": {
            field: service.complaint_case_text(identity=identity, text=getattr(complaint, field))
            for field in ("description", "desired_outcome", "outcome")
        },
    }


def _message(request, complaint: Complaint) -> None:
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写留言内容（不超过 2000 字）。"))
        return
    service.complaint_message(
        complaint=complaint, author=request.user, text=form.cleaned_data["text"]
    )
    messages.success(request, _("留言已发送。"))


# --- The resident --------------------------------------------------------------------------------


class MyComplaintsView(ResidentRequiredMixin, TemplateView):
    template_name = "ratings/complaints/my_list.html"

    def get_context_data(self, **kwargs):
        complaints = selectors.complaint_list_for_resident(user=self.request.user)
        return super().get_context_data(complaints=complaints[:100], **kwargs)


class ComplaintNewView(ResidentRequiredMixin, FormView):
    """File a complaint about one of my bookings (?booking=) or an organisation (?provider=)."""

    template_name = "ratings/complaints/new.html"
    form_class = ComplaintForm

    def get_form_kwargs(self):
        user = self.request.user
        bookings = list(
            booking_selectors.booking_list_for_resident(user=user, when="all").order_by(
                "-starts_at"
            )[:50]
        )
        providers = {b.provider_id: b.provider for b in bookings}
        initial = {}
        booking_id = self.request.GET.get("booking")
        if booking_id:
            booking = booking_selectors.booking_get_for_resident(user=user, pk=_uuid(booking_id))
            if booking is None:
                raise Http404
            if booking.pk not in {b.pk for b in bookings}:
                bookings.insert(0, booking)
            providers.setdefault(booking.provider_id, booking.provider)
            initial["booking"] = str(booking.pk)
        provider_id = self.request.GET.get("provider")
        if provider_id:
            provider = Provider.objects.filter(
                pk=_uuid(provider_id), status__in=service.COMPLAINABLE
            ).first()
            if provider is None:
                raise Http404
            providers.setdefault(provider.pk, provider)
            initial["provider"] = str(provider.pk)
        return {
            **super().get_form_kwargs(),
            "initial": initial,
            "bookings": bookings,
            "providers": providers.values(),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            accept_days=service.ACCEPT_DAYS, resolve_days=service.RESOLVE_DAYS, **kwargs
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            complaint = service.complaint_file(
                resident=self.request.user,
                provider=data["provider"],
                booking=data["booking"],
                category=data["category"],
                description=data["description"],
                desired_outcome=data["desired_outcome"],
                files=data["files"],
            )
        except DomainError as exc:
            apply_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("投诉已提交，编号 %(ref)s。监管部门将在 %(days)d 个工作日内决定是否受理。")
            % {"ref": complaint.reference, "days": service.ACCEPT_DAYS},
        )
        return redirect("ratings:my-complaint", pk=complaint.pk)


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404 from None


class MyComplaintView(ResidentRequiredMixin, TemplateView):
    """One of my complaints: its stage and deadline, the messages, the history, and the rating
    of the handling once it is closed."""

    template_name = "ratings/complaints/my_detail.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.complaint = selectors.complaint_get_for_resident(
                user=request.user, pk=kwargs["pk"]
            )
            if self.complaint is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        complaint = self.complaint
        return super().get_context_data(
            **_case_context(complaint, self.request.user, self.request),
            message_form=MessageForm() if complaint.is_open else None,
            rate_form=RateForm()
            if not complaint.is_open and complaint.handling_rating is None
            else None,
            **kwargs,
        )

    def post(self, request, pk):
        action = request.POST.get("action")
        try:
            if action == "message":
                _message(request, self.complaint)
            elif action == "rate":
                form = RateForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("请选择 1 到 5 分。"))
                else:
                    service.complaint_rate_handling(
                        complaint=self.complaint,
                        resident=request.user,
                        rating=form.cleaned_data["rating"],
                    )
                    messages.success(request, _("感谢您的评价。"))
            else:
                raise Http404
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("ratings:my-complaint", pk=pk)


class ComplaintFileView(View):
    """An evidence file: for the complainant and the officials who handle the case only."""

    def get(self, request, pk):
        record = ComplaintFile.objects.select_related("complaint").filter(pk=pk).first()
        if record is None or not request.user.is_authenticated:
            raise Http404
        complaint = record.complaint
        if request.user.pk != complaint.resident_id and not service.may_handle(
            request.user, complaint
        ):
            raise Http404
        response = upload_response(
            record.file, content_type=record.content_type, cache_control="private, no-store"
        )
        response["Content-Disposition"] = "inline"
        return response


# --- Officials ---------------------------------------------------------------------------------


class ComplaintBoardView(OfficialRequiredMixin, TemplateView):
    """The jurisdiction's complaints in one column per status, earliest deadline first, the
    overdue ones marked; filters by status, category, overdue, reference or organisation.
    htmx requests get only the board."""

    template_name = "ratings/complaints/board.html"

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["ratings/complaints/partials/board.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        complaints = selectors.complaint_list_for_official(official=self.request.user)
        filters = ComplaintFilter(self.request.GET, queryset=complaints)
        rows = filters.qs if filters.is_valid() else complaints.none()
        return super().get_context_data(
            filters=filters,
            columns=selectors.complaint_board(complaints=rows),
            statuses=Complaint.Status.choices,
            categories=Complaint.Category.choices,
            **kwargs,
        )


class OfficialComplaintView(OfficialRequiredMixin, TemplateView):
    """One complaint in the official's jurisdiction (another one does not exist for them):
    the transitions its state allows, the messages, the history. The handling official sees
    the complainant's name and phone, and that read is audit-logged."""

    template_name = "ratings/complaints/official_detail.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.complaint = selectors.complaint_get_for_official(
                official=request.user, pk=kwargs["pk"]
            )
            if self.complaint is None and request.user.is_official:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        complaint = self.complaint
        user = self.request.user
        may_write = complaint.is_open and service.is_handling_official(user, complaint)
        return super().get_context_data(
            **_case_context(complaint, user, self.request),
            actions=service.actions_for(complaint),
            message_form=MessageForm() if may_write else None,
            **kwargs,
        )

    def post(self, request, pk):
        action = request.POST.get("action")
        try:
            if action == "message":
                _message(request, self.complaint)
            elif action in service.TRANSITIONS:
                form = TransitionForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("输入有误，请检查后重试。"))
                    return redirect("ratings:complaint-official", pk=pk)
                data = form.cleaned_data
                service.complaint_transition(
                    complaint=self.complaint,
                    action=action,
                    actor=request.user,
                    note=data["note"],
                    outcome=data["outcome"],
                    upheld=data["upheld"],
                )
                messages.success(
                    request,
                    _("已%(action)s：%(ref)s。")
                    % {
                        "action": service.TRANSITIONS[action].label,
                        "ref": self.complaint.reference,
                    },
                )
            else:
                raise Http404
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("ratings:complaint-official", pk=pk)


# --- The provider -----------------------------------------------------------------------------


class ProviderComplaintsView(ProviderStaffRequiredMixin, TemplateView):
    template_name = "ratings/complaints/provider_list.html"

    def get_context_data(self, **kwargs):
        provider = staff_provider_or_404(self.request, self.kwargs["pk"])
        complaints = selectors.complaint_list_for_provider(provider=provider)
        return super().get_context_data(
            provider=provider, complaints=complaints.order_by("-created_at")[:200], **kwargs
        )


class StaffComplaintView(ProviderStaffRequiredMixin, TemplateView):
    """A complaint about the staff member's organisation, the complainant masked (no phone),
    with the form for the organisation's answer."""

    template_name = "ratings/complaints/provider_detail.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.complaint = selectors.complaint_get_for_staff(user=request.user, pk=kwargs["pk"])
            if self.complaint is None and request.user.is_provider_staff:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        complaint = self.complaint
        return super().get_context_data(
            **_case_context(complaint, self.request.user, self.request),
            message_form=MessageForm() if complaint.is_open else None,
            **kwargs,
        )

    def post(self, request, pk):
        try:
            _message(request, self.complaint)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("ratings:complaint-staff", pk=pk)


urlpatterns = [
    path("me/complaints/", MyComplaintsView.as_view(), name="my-complaints"),
    path("me/complaints/new/", ComplaintNewView.as_view(), name="complaint-new"),
    path("me/complaints/<int:pk>/", MyComplaintView.as_view(), name="my-complaint"),
    path("complaints/files/<int:pk>/", ComplaintFileView.as_view(), name="complaint-file"),
    path("official/complaints/", ComplaintBoardView.as_view(), name="complaint-board"),
    path(
        "official/complaints/<int:pk>/",
        OfficialComplaintView.as_view(),
        name="complaint-official",
    ),
    path(
        "provider/organisations/<uuid:pk>/complaints/",
        ProviderComplaintsView.as_view(),
        name="provider-complaints",
    ),
    path("provider/complaints/<int:pk>/", StaffComplaintView.as_view(), name="complaint-staff"),
]
