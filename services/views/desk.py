"""The provider's booking desk: today's and upcoming bookings with their actions, staff
assignment, a week calendar, the CSV export (masked), and one booking's full details (the
contact data staff need to deliver the service, audit-logged on every view)."""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from portal.accounts.permissions import ProviderStaffRequiredMixin
from portal.audit.services import audit_personal_data_read, audit_record
from portal.errors import DomainError
from providers.views.common import staff_provider_or_404
from services import selectors
from services.models import Booking
from services.services import bookings

ACTION_LABELS = {
    "confirm": gettext_lazy("确认"),
    "decline": gettext_lazy("婉拒"),
    "start": gettext_lazy("开始服务"),
    "complete": gettext_lazy("完成服务"),
    "no_show": gettext_lazy("登记未到"),
    "cancel_by_provider": gettext_lazy("取消"),
}


def actions_for(booking: Booking) -> list[tuple[str, str]]:
    return [
        (name, ACTION_LABELS[name])
        for name in bookings.PROVIDER_ACTIONS
        if booking.status in bookings.TRANSITIONS[name].sources
        and not (name == "cancel_by_provider" and booking.status == Booking.Status.REQUESTED)
    ]


class DeskView(ProviderStaffRequiredMixin, TemplateView):
    template_name = "services/desk.html"

    def get_context_data(self, **kwargs):
        provider = staff_provider_or_404(self.request, self.kwargs["pk"])
        view = self.request.GET.get("view", "today")
        if view not in selectors.DESK_VIEWS:
            view = "today"
        status = self.request.GET.get("status", "")
        if status not in Booking.Status.values:
            status = ""
        rows = list(
            selectors.booking_list_for_provider(provider=provider, view=view, status=status)[:200]
        )
        return super().get_context_data(
            provider=provider,
            view=view,
            views=selectors.DESK_VIEWS,
            status=status,
            statuses=Booking.Status.choices,
            rows=[(b, actions_for(b)) for b in rows],
            staff=selectors.staff_choices_for(provider=provider),
            **kwargs,
        )


class DeskActionView(ProviderStaffRequiredMixin, View):
    """One action on one booking; htmx gets the row back, a plain form a redirect."""

    def post(self, request, pk):
        booking = selectors.booking_get_for_staff(user=request.user, pk=pk)
        if booking is None:
            raise Http404
        action = request.POST.get("action", "")
        error = None
        try:
            if action == "assign":
                staff_id = request.POST.get("staff") or None
                staff = (
                    selectors.staff_choices_for(provider=booking.provider)
                    .filter(pk=staff_id)
                    .first()
                    if staff_id and staff_id.isdigit()
                    else None
                )
                if staff_id and staff is None:
                    raise bookings.BookingInputError(_("请选择本机构在职的服务人员。"))
                booking = bookings.booking_assign_staff(
                    booking=booking, staff=staff, actor=request.user
                )
            else:
                booking = bookings.booking_transition(
                    booking=booking,
                    action=action,
                    actor=request.user,
                    reason=request.POST.get("reason", ""),
                )
        except DomainError as exc:
            error = exc
        if request.headers.get("HX-Request"):
            booking = selectors.booking_get_for_staff(user=request.user, pk=pk)
            response = HttpResponse(
                render_row(request, booking, error), status=error.status if error else 200
            )
            if error:
                # htmx swaps 4xx responses only when told to: show the message in the row.
                response["HX-Reswap"] = "outerHTML"
                response.status_code = 200
            return response
        if error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已更新预约 %(ref)s。") % {"ref": booking.reference})
        return redirect("services:desk", pk=booking.provider_id)


def render_row(request, booking, error=None) -> str:
    from django.template.loader import render_to_string

    return render_to_string(
        "services/partials/desk_row.html",
        {
            "booking": booking,
            "actions": actions_for(booking),
            "staff": selectors.staff_choices_for(provider=booking.provider),
            "error": error,
        },
        request=request,
    )


class DeskCalendarView(ProviderStaffRequiredMixin, TemplateView):
    template_name = "services/desk_calendar.html"

    def get_context_data(self, **kwargs):
        provider = staff_provider_or_404(self.request, self.kwargs["pk"])
        start = parse_date(self.request.GET.get("start") or "") or timezone.localdate()
        start -= dt.timedelta(days=start.weekday())
        return super().get_context_data(
            provider=provider,
            start=start,
            previous=start - dt.timedelta(days=7),
            next=start + dt.timedelta(days=7),
            week=selectors.booking_week_for_provider(provider=provider, start=start),
            **kwargs,
        )


class DeskExportView(ProviderStaffRequiredMixin, View):
    """The desk as CSV, with names and phones masked (an export leaves the portal)."""

    def get(self, request, pk):
        provider = staff_provider_or_404(request, pk)
        view = request.GET.get("view", "upcoming")
        if view not in selectors.DESK_VIEWS:
            view = "upcoming"
        rows = selectors.booking_list_for_provider(provider=provider, view=view)[:5000]
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="bookings-{view}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
        writer = csv.writer(response)
        writer.writerow(
            [
                _("预约编号"),
                _("服务"),
                _("开始"),
                _("结束"),
                _("服务对象"),
                _("联系电话"),
                _("状态"),
                _("服务人员"),
                _("金额（元）"),
            ]
        )
        count = 0
        for booking in rows:
            person = (
                booking.dependant.masked_name
                if booking.dependant_id
                else booking.resident.masked_name
            )
            writer.writerow(
                [
                    booking.reference,
                    booking.listing.title,
                    f"{timezone.localtime(booking.starts_at):%Y-%m-%d %H:%M}",
                    f"{timezone.localtime(booking.ends_at):%Y-%m-%d %H:%M}",
                    person,
                    booking.resident.masked_phone,
                    booking.get_status_display(),
                    booking.staff.masked_name if booking.staff_id else "",
                    booking.price_yuan,
                ]
            )
            count += 1
        audit_record(
            actor=request.user,
            action="booking.export",
            target=provider,
            detail={"view": view, "rows": count, "masked": True},
            request=request,
        )
        return response


class StaffBookingView(ProviderStaffRequiredMixin, TemplateView):
    """One booking with the contact data the provider needs to deliver it (name, phone,
    address, care notes). Every view is audit-logged as a read of personal data."""

    template_name = "services/staff_booking.html"

    def get_context_data(self, **kwargs):
        booking = selectors.booking_get_for_staff(user=self.request.user, pk=self.kwargs["pk"])
        if booking is None:
            raise Http404
        fields = ["name", "phone"]
        if booking.address_id:
            fields.append("address")
        if booking.dependant_id and booking.dependant.care_notes:
            fields.append("care_notes")
        if booking.note:
            fields.append("note")
        audit_personal_data_read(
            viewer=self.request.user,
            subject=booking.resident,
            target=booking,
            fields=fields,
            purpose="booking_fulfilment",
            organisation=booking.provider.name,
            request=self.request,
        )
        return super().get_context_data(
            booking=booking,
            actions=actions_for(booking),
            staff=selectors.staff_choices_for(provider=booking.provider),
            **kwargs,
        )
