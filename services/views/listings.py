"""Pages of the services app: the provider's listings and schedule editor, the public
listing page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from portal.accounts.permissions import (
    ProviderStaffRequiredMixin,
    is_provider_staff,
    is_staff_of,
)
from portal.errors import DomainError
from portal.uploads import upload_response
from providers.domains import Domain
from providers.forms import division_choices
from providers.views.common import apply_error, staff_provider_or_404
from services import selectors
from services.filters import SORTS
from services.forms import ExceptionForm, ListingForm, PhotoForm, RuleFormSet
from services.models import ListingPhoto
from services.services import listings, schedules


class StaffListingsView(ProviderStaffRequiredMixin, TemplateView):
    template_name = "services/staff_listings.html"

    def get_context_data(self, **kwargs):
        provider = staff_provider_or_404(self.request, self.kwargs["pk"])
        return super().get_context_data(
            provider=provider,
            listings=selectors.listing_list_for_provider(provider=provider),
            **kwargs,
        )


class ListingStaffMixin(ProviderStaffRequiredMixin):
    """Loads `self.listing` of an organisation the user works for, or 404."""

    def dispatch(self, request, *args, **kwargs):
        if is_provider_staff(request.user):
            self.listing = selectors.listing_get_for_staff(
                user=request.user, pk=kwargs["listing_id"]
            )
            if self.listing is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)


class ListingCreateView(ProviderStaffRequiredMixin, FormView):
    form_class = ListingForm
    template_name = "services/listing_form.html"

    def dispatch(self, request, *args, **kwargs):
        if is_provider_staff(request.user):
            self.provider = staff_provider_or_404(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "provider": self.provider}

    def get_context_data(self, **kwargs):
        return super().get_context_data(provider=self.provider, title=_("发布服务项目"), **kwargs)

    def form_valid(self, form):
        try:
            listing = listings.listing_create(
                provider=self.provider, actor=self.request.user, data=form.to_service_data()
            )
        except DomainError as exc:
            apply_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("服务项目已创建，请设置排班后发布。"))
        return redirect("services:schedule", listing_id=listing.pk)


class ListingEditView(ListingStaffMixin, FormView):
    form_class = ListingForm
    template_name = "services/listing_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "provider": self.listing.provider}

    def get_initial(self):
        listing = self.listing
        fields = (
            "title",
            "description",
            "price_unit",
            "subsidies",
            "delivery_mode",
            "duration_minutes",
            "capacity_per_slot",
            "age_min_months",
            "age_max_months",
        )
        return {
            "branch": listing.branch_id,
            "category": listing.category_id,
            "price_yuan": listing.price_fen / 100,
            "languages": "、".join(listing.languages),
            "service_divisions": list(listing.service_divisions.values_list("code", flat=True)),
            **{f: getattr(listing, f) for f in fields},
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            provider=self.listing.provider,
            listing=self.listing,
            title=_("编辑服务项目"),
            photo_form=PhotoForm(),
            photos=self.listing.photos.all(),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            listings.listing_update(
                listing=self.listing, actor=self.request.user, data=form.to_service_data()
            )
        except DomainError as exc:
            apply_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return redirect("services:staff-listings", pk=self.listing.provider_id)


class ScheduleView(ListingStaffMixin, TemplateView):
    """The weekly schedule editor. Saving replaces the rules and materialises slots at once."""

    template_name = "services/schedule.html"

    def _initial(self):
        return [
            {
                "weekday": r.weekday,
                "start": r.start,
                "end": r.end,
                "slot_minutes": r.slot_minutes,
                "capacity": r.capacity,
            }
            for r in self.listing.rules.all()
        ]

    def get_context_data(self, formset=None, exception_form=None, **kwargs):
        if formset is None:
            initial = self._initial()
            formset = RuleFormSet(initial=initial, prefix="rules")
            formset.extra = 0 if initial else 1
        return super().get_context_data(
            listing=self.listing,
            provider=self.listing.provider,
            formset=formset,
            exception_form=exception_form or ExceptionForm(),
            exceptions=self.listing.exceptions.order_by("date"),
            slots=selectors.slot_list_upcoming(listing=self.listing, limit=30),
            **kwargs,
        )

    def post(self, request, listing_id):
        if "add_row" in request.POST:
            # Another empty row, keeping what was typed (works with and without htmx).
            data = request.POST.copy()
            total = data.get("rules-TOTAL_FORMS", "0")
            total = int(total) if total.isdigit() else 0
            data["rules-TOTAL_FORMS"] = str(min(total + 1, 50))
            return self.render_to_response(
                self.get_context_data(formset=RuleFormSet(data, prefix="rules"))
            )
        formset = RuleFormSet(request.POST, prefix="rules")
        if not formset.is_valid():
            return self.render_to_response(self.get_context_data(formset=formset), status=400)
        rules = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            schedules.rules_replace(listing=self.listing, actor=request.user, rules=rules)
        except DomainError as exc:
            formset_error = exc.message
            context = self.get_context_data(formset=formset)
            context["formset_error"] = formset_error
            return self.render_to_response(context, status=400)
        result = schedules.slots_materialise(listing=self.listing)
        messages.success(
            request, _("排班已保存，已生成 %(n)d 个新时段。") % {"n": result["created"]}
        )
        return redirect("services:schedule", listing_id=listing_id)


class ExceptionCreateView(ListingStaffMixin, View):
    def post(self, request, listing_id):
        form = ExceptionForm(request.POST)
        if form.is_valid():
            try:
                schedules.exception_add(
                    listing=self.listing, actor=request.user, data=form.cleaned_data
                )
                schedules.slots_materialise(listing=self.listing)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("已保存。"))
        else:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("services:schedule", listing_id=listing_id)


class ListingStatusView(ListingStaffMixin, View):
    def post(self, request, listing_id):
        try:
            listings.listing_set_status(
                listing=self.listing, actor=request.user, status=request.POST.get("status", "")
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("已更新状态：%(s)s") % {"s": self.listing.get_status_display()}
            )
        return redirect("services:staff-listings", pk=self.listing.provider_id)


class PhotoCreateView(ListingStaffMixin, View):
    def post(self, request, listing_id):
        form = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                listings.listing_photo_add(
                    listing=self.listing, actor=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("图片已上传。"))
        else:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("services:listing-edit", listing_id=listing_id)


class PhotoView(View):
    """A listing photo: public when the listing is, otherwise only for its provider's staff."""

    def get(self, request, photo_id):
        photo = ListingPhoto.objects.select_related("listing__provider").filter(pk=photo_id).first()
        if photo is None:
            raise Http404
        listing = photo.listing
        visible = selectors.listing_get_public(pk=listing.pk) is not None or is_staff_of(
            request.user, listing.provider_id
        )
        if not visible:
            raise Http404
        return upload_response(
            photo.image, content_type=photo.content_type, cache_control="private, max-age=600"
        )


class SearchView(TemplateView):
    """Find services: the same search as the API; htmx swaps only the results."""

    template_name = "services/search.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET.copy()
        page = params.pop("page", ["1"])[-1]
        page = int(page) if page.isdigit() and 1 <= int(page) <= 500 else 1
        params = params.copy()
        for key in [k for k, v in params.items() if v == ""]:
            del params[key]  # an empty form field is no filter
        context = super().get_context_data(**kwargs)
        context.update(
            domains=Domain.choices,
            districts=division_choices(),
            sorts=SORTS,
            values=self.request.GET,
            searched=bool(params),
            addresses=selectors.address_list(user=self.request.user)
            if self.request.user.is_authenticated
            else [],
        )
        try:
            result = selectors.listing_search(params=params, page=page, viewer=self.request.user)
        except selectors.SearchError as exc:
            context["errors"] = exc.fields
            return context
        query = params.copy()
        query["page"] = str(page + 1)
        context.update(result=result, next_query=query.urlencode() if result["has_next"] else "")
        return context

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        return self.render_to_response(context, status=400 if context.get("errors") else 200)


class ListingPublicView(TemplateView):
    template_name = "services/listing_public.html"

    def get_context_data(self, **kwargs):
        listing = selectors.listing_get_public(pk=self.kwargs["listing_id"])
        if listing is None:
            raise Http404
        return super().get_context_data(
            listing=listing,
            slots=selectors.slot_list_upcoming(listing=listing, limit=12, only_free=True),
            **selectors.listing_page_extras(listing=listing),
            **kwargs,
        )
