"""Pages of the time bank (时间银行): a volunteer's balances, statement and transfers to an
elderly family member; the services hours can be spent on and the redeem form; an
organisation's services and its queue of redemptions to deliver.

Thin views: reads through volunteers.selectors (an object the user may not see is a 404),
writes through volunteers.services.timebank, whose Chinese errors go back on the form.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from portal.accounts.permissions import ResidentRequiredMixin, is_resident
from portal.errors import DomainError
from portal.forms import apply_domain_error
from portal.privacy import redact_identifiers
from volunteers import selectors
from volunteers.forms_timebank import RedeemForm, ServiceFilterForm, ServiceForm, TransferForm
from volunteers.models import TimeBankAccount, TimeBankRedemption
from volunteers.services import timebank

STATEMENT_LIMIT = 100
LIST_LIMIT = 200
PAGE_SIZE = 20


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- The volunteer's time bank ------------------------------------------------------------------


class TimeBankView(ResidentRequiredMixin, View):
    """Balances in hours, one account's statement, the transfer form (only family members
    who may receive hours are offered) and the volunteer's redemptions."""

    template_name = "volunteers/timebank/index.html"

    def _page(self, request, form=None, status=200):
        user = request.user
        volunteer = selectors.volunteer_get_for_user(user=user)
        accounts = selectors.timebank_accounts_for_user(user=user)
        shown = None
        wanted = request.GET.get("account", "")
        if wanted.isdigit():
            shown = selectors.timebank_account_get_for_user(user=user, pk=int(wanted))
            if shown is None:
                raise Http404
        elif accounts:
            shown = accounts[0]
        targets = selectors.transfer_targets(user=user) if volunteer else []
        own = next((a for a in accounts if a.kind == TimeBankAccount.Kind.PERSONAL), None)
        available = own.balance_minutes if own else 0
        context = {
            "volunteer": volunteer,
            "accounts": accounts,
            "shown": shown,
            "statement": selectors.timebank_statement(account=shown, limit=STATEMENT_LIMIT)
            if shown
            else [],
            "form": form or TransferForm(targets=targets, available_minutes=available),
            "targets": targets,
            "others": [
                d
                for d in selectors.dependant_list_active(user=user)
                if d.pk not in {t.pk for t in targets}
            ],
            "redemptions": selectors.redemption_list_for_user(user=user)[:LIST_LIMIT],
            "min_age": settings.VOLUNTEER_TIMEBANK_FAMILY_MIN_AGE,
            "expiry_months": settings.VOLUNTEER_TIMEBANK_EXPIRY_MONTHS,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._page(request)

    def post(self, request):
        # A resident who is not a volunteer is refused before the input is read.
        if selectors.volunteer_get_for_user(user=request.user) is None:
            return self._page(request, status=403)
        targets = selectors.transfer_targets(user=request.user)
        form = TransferForm(request.POST, targets=targets)
        if form.is_valid():
            try:
                timebank.timebank_transfer(
                    user=request.user,
                    dependant_id=form.cleaned_data["dependant"],
                    minutes=form.minutes,
                    note=form.cleaned_data["note"],
                    request_id=form.cleaned_data["request_id"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc, {"minutes": "hours"})
            else:
                messages.success(
                    request,
                    _("已转入家人的时间银行账户：%(h)s 小时。") % {"h": form.cleaned_data["hours"]},
                )
                return redirect("volunteers:timebank")
        return self._page(request, form, status=400)


# --- Services and redeeming ---------------------------------------------------------------------


class TimeBankServicesView(View):
    """The services banked hours can be spent on (public), filtered by district, kind and
    words; a signed-in resident follows a service to its redeem form."""

    template_name = "volunteers/timebank/services.html"

    def get(self, request):
        form = ServiceFilterForm(request.GET or None)
        values = form.cleaned_data if form.is_valid() else {}
        services = selectors.timebank_service_list(
            division=values.get("division", ""),
            skill=values.get("skill", ""),
            text=values.get("q", ""),
        )
        page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_redeem": is_resident(request.user),
        }
        return render(request, self.template_name, context)


class RedeemView(ResidentRequiredMixin, View):
    """Spend hours on one service: for oneself from one's own account, or for a family member
    from their family account."""

    template_name = "volunteers/timebank/redeem.html"

    def dispatch(self, request, *args, **kwargs):
        self.service = selectors.timebank_service_get_available(pk=kwargs["pk"])
        if self.service is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def _page(self, request, form=None, status=200):
        accounts = selectors.spendable_accounts(user=request.user)
        context = {
            "service": self.service,
            "volunteer": selectors.volunteer_get_for_user(user=request.user),
            "accounts": accounts,
            "form": form or RedeemForm(accounts=accounts),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self._page(request)

    def post(self, request, pk):
        # A resident who is not a volunteer is refused before the input is read.
        if selectors.volunteer_get_for_user(user=request.user) is None:
            return self._page(request, status=403)
        accounts = selectors.spendable_accounts(user=request.user)
        form = RedeemForm(request.POST, accounts=accounts)
        if form.is_valid():
            data = form.cleaned_data
            try:
                timebank.redemption_create(
                    user=request.user,
                    service=self.service,
                    account=data["account"],
                    wanted_on=data["wanted_on"],
                    note=data["note"],
                    request_id=data["request_id"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request, _("兑换申请已提交，服务组织会与您联系。取消申请后时间会退回。")
                )
                return redirect("volunteers:timebank")
        return self._page(request, form, status=400)


class RedemptionCancelView(LoginRequiredMixin, View):
    """The requester (while it waits) or the organisation's manager cancels; hours go back."""

    def post(self, request, pk):
        redemption = selectors.redemption_get_for_requester_or_manager(user=request.user, pk=pk)
        if redemption is None:
            raise Http404
        try:
            timebank.redemption_cancel(redemption=redemption, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("兑换已取消，时间已退回原账户。"))
        return redirect(_safe_next(request, reverse("volunteers:timebank")))


class RedemptionFulfilView(LoginRequiredMixin, View):
    """The organisation's manager records the service as delivered."""

    def post(self, request, pk):
        redemption = selectors.redemption_get_for_manager(user=request.user, pk=pk)
        if redemption is None:
            raise Http404
        try:
            timebank.redemption_fulfil(redemption=redemption, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已标记为服务完成。"))
        fallback = reverse("volunteers:org-redemptions", args=[redemption.service.organisation_id])
        return redirect(_safe_next(request, fallback))


# --- The organisation's side --------------------------------------------------------------------


class _ManagerMixin(LoginRequiredMixin):
    """The organisation `pk` for its managers; for anyone else it does not exist."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.organisation = selectors.organisation_get_for_manager(
                user=request.user, pk=kwargs["pk"]
            )
            if self.organisation is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)


class OrgRedemptionsView(_ManagerMixin, View):
    """The organisation's queue of redemptions: names masked, the note's identifiers
    redacted; the person's contact is on each redemption's own page (audit-logged)."""

    template_name = "volunteers/timebank/org_redemptions.html"

    def get(self, request, pk):
        status = request.GET.get("status", "")
        if status not in TimeBankRedemption.Status.values:
            status = ""
        redemptions = selectors.redemption_list_for_organisation(
            organisation=self.organisation, status=status
        )
        page = Paginator(redemptions, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [
            {
                "redemption": r,
                "holder": selectors.holder_masked_name(r.account),
                "note": redact_identifiers(r.note),
            }
            for r in page
        ]
        context = {
            "organisation": self.organisation,
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": TimeBankRedemption.Status.choices,
        }
        return render(request, self.template_name, context)


class OrgRedemptionView(LoginRequiredMixin, View):
    """One redemption for the organisation's managers: the person to serve by masked name,
    the note's identifiers redacted. Their name and phone come on an explicit request
    (RedemptionContactView), not with the page."""

    template_name = "volunteers/timebank/org_redemption.html"

    def get(self, request, pk):
        redemption = selectors.redemption_get_for_manager(user=request.user, pk=pk)
        if redemption is None:
            raise Http404
        return _redemption_page(request, redemption)


def _redemption_page(request, redemption, *, contact=None, status=200):
    context = {
        "redemption": redemption,
        "organisation": redemption.service.organisation,
        "holder": selectors.holder_masked_name(redemption.account),
        "contact": contact,
        "note": redact_identifiers(redemption.note),
        "may_reveal": redemption.status == TimeBankRedemption.Status.REQUESTED,
    }
    return render(request, OrgRedemptionView.template_name, context, status=status)


class RedemptionContactView(LoginRequiredMixin, View):
    """查看联系方式: the name and phone of the person to serve, for the organisation's managers
    while the service is still to be delivered (409 after), on an explicit request that is
    audit-logged (a GET would be fetched by link preloaders)."""

    def post(self, request, pk):
        redemption = selectors.redemption_get_for_manager(user=request.user, pk=pk)
        if redemption is None:
            raise Http404
        try:
            contact = timebank.redemption_contact_reveal(
                redemption=redemption, actor=request.user, request=request
            )
        except DomainError as exc:
            if not _is_htmx(request):
                messages.error(request, exc.message)
                return _redemption_page(request, redemption, status=exc.status)
            # htmx swaps 4xx responses only when told to: the message goes in the slot.
            return _contact_fragment(request, error=exc.message)
        if _is_htmx(request):
            return _contact_fragment(request, contact=contact)
        return _redemption_page(request, redemption, contact=contact)


def _contact_fragment(request, **context) -> HttpResponse:
    return HttpResponse(
        render_to_string("volunteers/partials/redemption_contact.html", context, request=request)
    )


class OrgTimeBankServicesView(_ManagerMixin, View):
    """The organisation's time-bank services and the form to list a new one."""

    template_name = "volunteers/timebank/org_services.html"

    def _page(self, request, form=None, status=200):
        context = {
            "organisation": self.organisation,
            "services": selectors.timebank_service_list_for_organisation(
                organisation=self.organisation
            )[:LIST_LIMIT],
            "form": form or ServiceForm(organisation=self.organisation),
            "may_list": self.organisation.is_public,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self._page(request)

    def post(self, request, pk):
        form = ServiceForm(request.POST, organisation=self.organisation)
        if form.is_valid():
            data = form.cleaned_data
            try:
                service = timebank.timebank_service_create(
                    actor=request.user,
                    organisation=self.organisation,
                    title=data["title"],
                    skill=data["skill"],
                    description=data["description"],
                    division_code=data["division"],
                    price_minutes=data["price_minutes"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("服务已发布：%(title)s") % {"title": service.title})
                return redirect("volunteers:org-timebank-services", pk=pk)
        return self._page(request, form, status=400)


class TimeBankServiceStatusView(LoginRequiredMixin, View):
    """A manager stops or resumes redemptions of a service."""

    def post(self, request, pk):
        service = selectors.timebank_service_get_for_manager(user=request.user, pk=pk)
        if service is None:
            raise Http404
        active = request.POST.get("active") == "1"
        try:
            timebank.timebank_service_update(actor=request.user, service=service, active=active)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("已恢复兑换。") if active else _("已停止兑换，已提交的申请不受影响。")
            )
        return redirect("volunteers:org-timebank-services", pk=service.organisation_id)
