"""Pages of certificates and disputes: my certificates (issue, download, revoke), the public
check of a certificate's code, raising a dispute on one of my hour records, and the
organiser's dispute queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from portal.accounts.permissions import ResidentRequiredMixin
from portal.errors import DomainError
from portal.forms import apply_domain_error
from portal.privacy import redact_identifiers
from providers.throttles import VerifyThrottle
from volunteers import selectors
from volunteers.certificate_pdf import certificate_pdf_response
from volunteers.forms_records import (
    CertificateIssueForm,
    CertificateVerifyForm,
    DisputeForm,
    DisputeResolutionForm,
)
from volunteers.models import HourDispute
from volunteers.services import certificates, disputes

# --- Certificates -------------------------------------------------------------------------------


class MyCertificatesView(ResidentRequiredMixin, View):
    """My certificates, newest first, and the form to issue one over a period."""

    template_name = "volunteers/certificates.html"

    def _page(self, request, form, status=200):
        volunteer = selectors.volunteer_get_for_user(user=request.user)
        context = {
            "volunteer": volunteer,
            "form": form,
            "certificates": selectors.certificate_list_for_user(user=request.user)[:100],
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._page(request, CertificateIssueForm())

    def post(self, request):
        # A resident who is not a volunteer is refused before the input is read.
        if selectors.volunteer_get_for_user(user=request.user) is None:
            return self._page(request, CertificateIssueForm(), status=403)
        form = CertificateIssueForm(request.POST)
        if form.is_valid():
            try:
                certificate = certificates.certificate_issue(user=request.user, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("证明已出具，验证码 %(code)s。可下载 PDF 打印或发送给需要的单位。")
                    % {"code": certificate.code},
                )
                return redirect("volunteers:certificates")
        return self._page(request, form, status=400)


class CertificatePdfView(ResidentRequiredMixin, View):
    """The holder downloads their certificate as a PDF; anyone else's is a 404."""

    def get(self, request, pk):
        certificate = selectors.certificate_get_for_owner(user=request.user, pk=pk)
        if certificate is None:
            raise Http404
        return certificate_pdf_response(certificate)


class CertificateRevokeView(ResidentRequiredMixin, View):
    def post(self, request, pk):
        certificate = selectors.certificate_get_for_owner(user=request.user, pk=pk)
        if certificate is None:
            raise Http404
        try:
            certificates.certificate_revoke(certificate=certificate, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("证明 %(code)s 已作废。") % {"code": certificate.code})
        return redirect("volunteers:certificates")


class CertificateVerifyView(View):
    """Anyone checks a certificate's code (the QR code leads here); rate-limited per client
    like the other public checks."""

    template_name = "volunteers/verify.html"

    def get(self, request):
        form = CertificateVerifyForm(request.GET or None)
        context = {"form": form, "searched": False, "result": None}
        status = 200
        if form.is_bound:
            if not VerifyThrottle().allow_request(request, self):
                context["throttled"] = True
                return render(request, self.template_name, context, status=429)
            if form.is_valid():
                context["searched"] = True
                context["result"] = selectors.certificate_verify(form.cleaned_data["code"])
                if context["result"] is None:
                    status = 404
            else:
                status = 400
        return render(request, self.template_name, context, status=status)


# --- Disputes -----------------------------------------------------------------------------------


class DisputeRaiseView(ResidentRequiredMixin, View):
    """One of my hour records, its disputes so far, and the form to raise one."""

    template_name = "volunteers/dispute_raise.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.record = selectors.hour_record_get_for_volunteer(
                user=request.user, pk=kwargs["pk"]
            )
            if self.record is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def _page(self, request, form, status=200):
        record = self.record
        history = list(selectors.dispute_list_for_record(record=record))
        deadline = disputes.dispute_deadline(record)
        context = {
            "record": record,
            "form": form,
            "disputes": history,
            "deadline": deadline,
            "window_open": timezone.now() <= deadline,
            "has_open": any(d.status == HourDispute.Status.OPEN for d in history),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        record = self.record
        initial = {
            "claimed_start": timezone.localtime(
                record.period.lower if record.period else record.window_start
            ),
            "claimed_end": timezone.localtime(
                record.period.upper if record.period else record.window_end
            ),
        }
        return self._page(request, DisputeForm(initial=initial))

    def post(self, request, pk):
        form = DisputeForm(request.POST)
        if form.is_valid():
            try:
                disputes.hour_dispute_raise(
                    record=self.record, user=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("异议已提交，组织方处理后会通知您。"))
                return redirect("volunteers:dispute-raise", pk=pk)
        return self._page(request, form, status=400)


class OrganisationDisputesView(LoginRequiredMixin, View):
    """The organiser's queue of open disputes on the organisation's activities, oldest first,
    each with its resolution form. Only the organisation's managers; anyone else gets a 404."""

    template_name = "volunteers/org_disputes.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.organisation = selectors.organisation_get_for_manager(
                user=request.user, pk=kwargs["pk"]
            )
            if self.organisation is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def _page(self, request, bound=None, status=200):
        queue = list(selectors.dispute_list_open_for_organisation(organisation=self.organisation))
        items = []
        for dispute in queue:
            form = bound if bound is not None and bound.dispute.pk == dispute.pk else None
            items.append(
                {
                    "dispute": dispute,
                    # The organiser reads what was written, not the identifiers typed into it.
                    "reason": redact_identifiers(dispute.reason),
                    "form": form or DisputeResolutionForm(dispute=dispute),
                }
            )
        context = {"organisation": self.organisation, "items": items}
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self._page(request)

    def post(self, request, pk):
        try:
            dispute_id = int(request.POST.get("dispute", ""))
        except ValueError:
            raise Http404 from None
        dispute = selectors.dispute_get_for_manager(user=request.user, pk=dispute_id)
        if dispute is None or dispute.record.activity.organisation_id != self.organisation.pk:
            raise Http404
        form = DisputeResolutionForm(request.POST, dispute=dispute)
        if form.is_valid():
            try:
                dispute = disputes.hour_dispute_resolve(
                    dispute=dispute, actor=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("异议已处理：%(status)s。") % {"status": dispute.get_status_display()},
                )
                return redirect("volunteers:org-disputes", pk=pk)
        current = selectors.dispute_get_for_manager(user=request.user, pk=dispute.pk)
        if current is None or current.status != HourDispute.Status.OPEN:
            # Resolved meanwhile (another manager, another tab): it left the queue.
            messages.error(request, _("该异议已处理。"))
            return redirect("volunteers:org-disputes", pk=pk)
        return self._page(request, bound=form, status=400)
