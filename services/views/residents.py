"""A resident's pages: book a slot, my bookings (cancel, reschedule, pay), family members,
saved addresses, plans, payments and refunds, family-doctor contracts."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from portal.accounts.permissions import ResidentRequiredMixin
from portal.errors import DomainError
from providers.views.common import apply_error
from services import selectors
from services.forms_bookings import (
    AddressForm,
    BookingForm,
    ContractForm,
    DependantForm,
    PlanForm,
    PlanStatusForm,
    ReasonForm,
    RescheduleForm,
    address_of,
    person_of,
)
from services.models import Listing, Payment, Plan, Slot
from services.services import bookings, doctor, payments, plans, residents


def _public_listing_or_404(listing_id) -> Listing:
    listing = selectors.listing_get_public(pk=listing_id)
    if listing is None:
        raise Http404
    return listing


class BookView(ResidentRequiredMixin, FormView):
    """Book one slot: who for, where (at-home services), the policy shown before booking."""

    template_name = "services/book.html"
    form_class = BookingForm

    def dispatch(self, request, *args, **kwargs):
        self.listing = _public_listing_or_404(kwargs["listing_id"])
        self.slot = Slot.objects.filter(pk=kwargs["slot_id"], listing=self.listing).first()
        if self.slot is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        user = self.request.user
        self.dependants = list(selectors.dependant_list(user=user))
        self.addresses = list(selectors.address_list(user=user))
        return {
            **super().get_form_kwargs(),
            "dependants": self.dependants,
            "addresses": self.addresses,
            "at_home": self.listing.delivery_mode == Listing.DeliveryMode.AT_HOME,
            "has_package": bool(self.packages),
        }

    @cached_property
    def packages(self) -> list:
        return list(
            selectors.package_list_for_resident(user=self.request.user).filter(
                listing=self.listing, status="active", uses_left__gt=0
            )
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            listing=self.listing, slot=self.slot, packages=self.packages, **kwargs
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            booking = bookings.booking_create(
                resident=self.request.user,
                slot_id=self.slot.pk,
                idempotency_key=data["token"],
                dependant=person_of(data["person"], self.dependants),
                address=address_of(data.get("address"), self.addresses),
                note=data["note"],
                use_package=data.get("use_package", False),
            )
        except DomainError as exc:
            apply_error(form, exc)
            return self.form_invalid(form)
        pending = booking.payments.filter(status=Payment.Status.PENDING).first()
        if pending is not None:
            messages.info(
                self.request, _("预约已提交，请完成支付。款项由平台监管，服务完成后才结算给机构。")
            )
            return redirect(payments.payment_cashier_url(pending))
        messages.success(self.request, _("预约已提交，等待机构确认。"))
        return redirect("services:my-booking", pk=booking.pk)


class MyBookingsView(ResidentRequiredMixin, TemplateView):
    template_name = "services/my_bookings.html"

    def get_context_data(self, **kwargs):
        when = "past" if self.request.GET.get("when") == "past" else "upcoming"
        return super().get_context_data(
            when=when,
            bookings=selectors.booking_list_for_resident(user=self.request.user, when=when)[:100],
            **kwargs,
        )


class MyBookingView(ResidentRequiredMixin, TemplateView):
    """One booking: its state, money, history, and the actions its state allows."""

    template_name = "services/my_booking.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.booking = selectors.booking_get_for_resident(user=request.user, pk=kwargs["pk"])
            if self.booking is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        booking = self.booking
        context = super().get_context_data(booking=booking, **kwargs)
        if booking.is_active and booking.status != "in_service":
            context["quote"] = bookings.booking_cancellation_quote(booking=booking)
            slots = [
                s
                for s in selectors.slot_list_upcoming(
                    listing=booking.listing, limit=30, only_free=True
                )
                if s.pk != booking.slot_id
            ]
            context["reschedule_form"] = kwargs.get("reschedule_form") or RescheduleForm(
                slots=slots
            )
            context["cancel_form"] = ReasonForm()
        context["pending_payment"] = next(
            (p for p in booking.payments.all() if p.status == Payment.Status.PENDING), None
        )
        return context

    def post(self, request, pk):
        action = request.POST.get("action")
        try:
            if action == "cancel":
                form = ReasonForm(request.POST)
                form.is_valid()
                bookings.booking_transition(
                    booking=self.booking,
                    action="cancel",
                    actor=request.user,
                    reason=form.cleaned_data.get("reason", ""),
                )
                messages.success(request, _("预约已取消，退款将按规则原路退回。"))
            elif action == "pay":
                payment = payments.payment_reopen(booking=self.booking, actor=request.user)
                return redirect(payments.payment_cashier_url(payment))
            elif action == "reschedule":
                slots = selectors.slot_list_upcoming(
                    listing=self.booking.listing, limit=30, only_free=True
                )
                form = RescheduleForm(request.POST, slots=slots)
                if not form.is_valid():
                    return self.render_to_response(
                        self.get_context_data(reschedule_form=form), status=400
                    )
                bookings.booking_reschedule(
                    booking=self.booking, new_slot_id=form.cleaned_data["slot"], actor=request.user
                )
                messages.success(request, _("已改期，等待机构确认新的时间。"))
            else:
                raise Http404
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("services:my-booking", pk=pk)


class OwnRecordsView(ResidentRequiredMixin, FormView):
    """A list of the resident's own records with a form to add one (family, addresses)."""

    records = staticmethod(lambda user: None)  # the resident's records, for the list
    context_name = "records"
    add = staticmethod(lambda user, data: None)  # the service that adds one
    added_message = ""
    url_name = ""

    def get_context_data(self, **kwargs):
        kwargs[self.context_name] = self.records(self.request.user)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            self.add(self.request.user, form.cleaned_data)
        except DomainError as exc:
            apply_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.added_message)
        return redirect(self.url_name)


class OwnRecordActionView(ResidentRequiredMixin, View):
    """One action on one of the resident's own records (remove, delete, renew); another
    person's record does not exist for them."""

    records = staticmethod(lambda user: None)
    act = staticmethod(lambda user, record: None)
    done_message = ""
    url_name = ""

    def post(self, request, pk):
        record = self.records(request.user).filter(pk=pk).first()
        if record is None:
            raise Http404
        try:
            self.act(request.user, record)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, self.done_message)
        return redirect(self.url_name)


class FamilyView(OwnRecordsView):
    """My family members: the people I may book for, with my authority to do so."""

    template_name = "services/my_family.html"
    form_class = DependantForm
    context_name = "dependants"
    records = staticmethod(lambda user: selectors.dependant_list(user=user))
    add = staticmethod(lambda user, data: residents.dependant_add(owner=user, data=data))
    added_message = gettext_lazy("已添加家庭成员。")
    url_name = "services:my-family"


class FamilyRemoveView(OwnRecordActionView):
    records = staticmethod(lambda user: selectors.dependant_list(user=user))
    act = staticmethod(lambda user, d: residents.dependant_remove(owner=user, dependant=d))
    done_message = gettext_lazy("已移除。")
    url_name = "services:my-family"


class AddressesView(OwnRecordsView):
    template_name = "services/my_addresses.html"
    form_class = AddressForm
    context_name = "addresses"
    records = staticmethod(lambda user: selectors.address_list(user=user))
    add = staticmethod(lambda user, data: residents.address_save(owner=user, data=data))
    added_message = gettext_lazy("地址已保存。")
    url_name = "services:my-addresses"


class AddressDeleteView(OwnRecordActionView):
    records = staticmethod(lambda user: selectors.address_list(user=user))
    act = staticmethod(lambda user, a: residents.address_delete(owner=user, address=a))
    done_message = gettext_lazy("地址已删除。")
    url_name = "services:my-addresses"


class PlansView(ResidentRequiredMixin, TemplateView):
    template_name = "services/my_plans.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            plans=selectors.plan_list_for_resident(user=self.request.user), **kwargs
        )


class PlanCreateView(ResidentRequiredMixin, FormView):
    """Book a listing every week: the job books the coming days and reports conflicts."""

    template_name = "services/plan_form.html"
    form_class = PlanForm

    def dispatch(self, request, *args, **kwargs):
        self.listing = _public_listing_or_404(kwargs["listing_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        user = self.request.user
        self.dependants = list(selectors.dependant_list(user=user))
        self.addresses = list(selectors.address_list(user=user))
        return {
            **super().get_form_kwargs(),
            "dependants": self.dependants,
            "addresses": self.addresses,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(listing=self.listing, **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        data["dependant"] = person_of(data.pop("person"), self.dependants)
        data["address"] = address_of(data.get("address"), self.addresses)
        try:
            plans.plan_create(resident=self.request.user, listing=self.listing, data=data)
        except DomainError as exc:
            apply_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("服务计划已创建，系统会提前为您预约。"))
        return redirect("services:my-plans")


class PlanStatusView(ResidentRequiredMixin, View):
    def post(self, request, pk):
        plan = Plan.objects.filter(pk=pk, resident=request.user).first()
        form = PlanStatusForm(request.POST)
        if plan is None or not form.is_valid():
            raise Http404
        try:
            plans.plan_set_status(plan=plan, actor=request.user, status=form.cleaned_data["status"])
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("services:my-plans")


class PaymentsView(ResidentRequiredMixin, TemplateView):
    template_name = "services/my_payments.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            payments=selectors.payment_list_for_resident(user=user)[:200],
            packages=selectors.package_list_for_resident(user=user),
            **kwargs,
        )


class PackageBuyView(ResidentRequiredMixin, View):
    def post(self, request, listing_id):
        listing = _public_listing_or_404(listing_id)
        try:
            _package, payment = payments.package_buy(resident=request.user, listing=listing)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("services:public-detail", listing_id=listing_id)
        return redirect(payments.payment_cashier_url(payment))


class DoctorView(ResidentRequiredMixin, FormView):
    """家庭医生签约: my contracts, renewal, and signing a package."""

    template_name = "services/my_doctor.html"
    form_class = ContractForm

    def get_form_kwargs(self):
        self.dependants = list(selectors.dependant_list(user=self.request.user))
        return {
            **super().get_form_kwargs(),
            "packages": selectors.doctor_package_list_public(),
            "dependants": self.dependants,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            contracts=selectors.contract_list_for_resident(user=self.request.user),
            packages=selectors.doctor_package_list_public(),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            doctor.contract_sign(
                resident=self.request.user,
                package=form.cleaned_data["package"],
                dependant=person_of(form.cleaned_data["person"], self.dependants),
            )
        except DomainError as exc:
            apply_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("签约成功。"))
        return redirect("services:my-doctor")


class DoctorRenewView(OwnRecordActionView):
    records = staticmethod(lambda user: selectors.contract_list_for_resident(user=user))
    act = staticmethod(lambda user, c: doctor.contract_renew(contract=c, actor=user))
    done_message = gettext_lazy("已续约。")
    url_name = "services:my-doctor"
