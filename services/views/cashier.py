"""The sandbox gateway's cashier page: stands in for a bank's payment page, so the whole
flow can be tried with no bank. It is the gateway's page, not the portal's: it books the
charge in the gateway's own records and notifies the portal by a signed callback."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import TemplateView

from portal.accounts.permissions import ResidentRequiredMixin
from portal.dispatch import enqueue
from services.gateways.sandbox import SandboxGateway
from services.models import Payment
from services.tasks import deliver_gateway_callback


class SandboxCashierView(ResidentRequiredMixin, TemplateView):
    template_name = "services/sandbox_cashier.html"

    def dispatch(self, request, *args, **kwargs):
        if settings.PAYMENT_GATEWAY != "sandbox":
            raise Http404
        if request.user.is_authenticated:
            self.payment = (
                Payment.objects.select_related("booking__listing", "package__listing", "provider")
                .filter(
                    gateway="sandbox", gateway_reference=kwargs["reference"], resident=request.user
                )
                .first()
            )
            if self.payment is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(payment=self.payment, **kwargs)

    def post(self, request, reference):
        payment = self.payment
        gateway = SandboxGateway()
        if payment.status == Payment.Status.PENDING:
            if request.POST.get("outcome") == "decline":
                body, signature = gateway.decline(
                    reference=payment.gateway_reference, amount_fen=payment.amount_fen
                )
            else:
                body, signature = gateway.charge(
                    reference=payment.gateway_reference, amount_fen=payment.amount_fen
                )
            # Delivered like a bank's notification: by a worker, retried if it fails.
            enqueue(deliver_gateway_callback, "sandbox", body.decode(), signature)
        if payment.booking_id:
            return redirect("services:my-booking", pk=payment.booking_id)
        return redirect("services:my-payments")
