"""The provider staff's desk: organisation, branches, licences, staff and certificates."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from portal.accounts.permissions import (
    ProviderStaffRequiredMixin,
    is_provider_staff,
    is_staff_of,
    official_covers,
)
from portal.audit.services import audit_record
from portal.uploads import upload_response
from providers import selectors
from providers.errors import ProviderError
from providers.forms import BranchForm, CertificateForm, LicenceForm, ProfileForm, StaffForm
from providers.models import Branch, Licence, ReviewEvent, StaffMember
from providers.services import licences, registration, review, staff
from providers.views.common import apply_error, staff_provider_or_404


class StaffHomeView(ProviderStaffRequiredMixin, ListView):
    """My organisations; with exactly one, go straight to it."""

    template_name = "providers/staff_home.html"
    context_object_name = "providers"

    def get_queryset(self):
        return selectors.provider_list_for_staff(user=self.request.user)

    def get(self, request, *args, **kwargs):
        providers = list(self.get_queryset()[:2])
        if len(providers) == 1 and "all" not in request.GET:
            return redirect("providers:staff-detail", pk=providers[0].pk)
        return super().get(request, *args, **kwargs)


class ProviderDeskMixin(ProviderStaffRequiredMixin):
    """Loads `self.provider` from the URL, or 404 for anyone who does not work for it."""

    def dispatch(self, request, *args, **kwargs):
        if is_provider_staff(request.user):
            self.provider = staff_provider_or_404(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        role = selectors.membership_role(user=self.request.user, provider=self.provider)
        return super().get_context_data(provider=self.provider, is_owner=role == "owner", **kwargs)


class StaffDetailView(ProviderDeskMixin, TemplateView):
    template_name = "providers/staff_detail.html"

    def get_context_data(self, **kwargs):
        provider = self.provider
        return super().get_context_data(
            branches=provider.branches.select_related("division"),
            licences=provider.licences.all(),
            events=provider.review_events.select_related("actor")[:20],
            problems=review.submission_problems(provider)
            if provider.status in registration.EDITABLE_STATUSES
            else [],
            **kwargs,
        )


class ProfileEditView(ProviderDeskMixin, FormView):
    form_class = ProfileForm
    template_name = "providers/form.html"

    def get_initial(self):
        p = self.provider
        return {
            "name": p.name,
            "credit_code": p.credit_code,
            "legal_representative": p.legal_representative,
            "contact_phone": p.contact_phone,
            "division": p.division_id,
            "domains": p.domains,
            "description": p.description,
            "outreach": p.outreach,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("编辑机构信息"), multipart=True, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        changes = {k: v for k, v in data.items() if k in registration.PROFILE_FIELDS}
        identity = {k: v for k, v in data.items() if k in registration.IDENTITY_FIELDS}
        current = {
            "name": self.provider.name,
            "credit_code": self.provider.credit_code,
            "legal_representative": self.provider.legal_representative,
            "division": self.provider.division_id,
            "domains": self.provider.domains,
        }
        changes.update({k: v for k, v in identity.items() if current.get(k) != v})
        if data.get("logo"):
            changes["logo"] = data["logo"]
        try:
            registration.provider_update(provider=self.provider, actor=self.request.user, **changes)
        except ProviderError as exc:
            apply_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return redirect("providers:staff-detail", pk=self.provider.pk)


class SubmitView(ProviderDeskMixin, View):
    def post(self, request, pk):
        try:
            review.provider_transition(
                provider=self.provider,
                action=ReviewEvent.Action.SUBMIT,
                actor=request.user,
                request=request,
            )
        except ProviderError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已提交审核，请等待监管部门审核。"))
        return redirect("providers:staff-detail", pk=pk)


class BranchFormView(ProviderDeskMixin, FormView):
    form_class = BranchForm
    template_name = "providers/form.html"

    def get_branch(self) -> Branch | None:
        if "branch_id" not in self.kwargs:
            return None
        return get_object_or_404(Branch, pk=self.kwargs["branch_id"], provider=self.provider)

    def get_initial(self):
        branch = self.get_branch()
        if branch is None:
            return {}
        fields = (
            "name",
            "address",
            "latitude",
            "longitude",
            "opening_hours",
            "beds",
            "places",
            "staff_capacity",
            "accessibility",
        )
        return {"division": branch.division_id, **{f: getattr(branch, f) for f in fields}}

    def get_context_data(self, **kwargs):
        title = _("编辑服务网点") if "branch_id" in self.kwargs else _("添加服务网点")
        return super().get_context_data(title=title, **kwargs)

    def form_valid(self, form):
        branch = self.get_branch()
        try:
            if branch is None:
                registration.branch_create(
                    provider=self.provider, actor=self.request.user, data=form.cleaned_data
                )
            else:
                registration.branch_update(
                    branch=branch, actor=self.request.user, data=form.cleaned_data
                )
        except ProviderError as exc:
            apply_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return redirect("providers:staff-detail", pk=self.provider.pk)


class LicenceCreateView(ProviderDeskMixin, FormView):
    form_class = LicenceForm
    template_name = "providers/form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("上传证照"), multipart=True, **kwargs)

    def form_valid(self, form):
        try:
            licences.licence_add(
                provider=self.provider, actor=self.request.user, **form.cleaned_data
            )
        except ProviderError as exc:
            apply_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("证照已上传。"))
        return redirect("providers:staff-detail", pk=self.provider.pk)


class LicenceDeleteView(ProviderDeskMixin, View):
    def post(self, request, pk, licence_id):
        licence = get_object_or_404(Licence, pk=licence_id, provider=self.provider)
        try:
            licences.licence_delete(licence=licence, actor=request.user)
        except ProviderError as exc:
            messages.error(request, exc.message)
        return redirect("providers:staff-detail", pk=pk)


class LicenceScanView(View):
    """The scanned licence, for the organisation's members and the officials covering it."""

    def get(self, request, licence_id):
        licence = get_object_or_404(Licence.objects.select_related("provider"), pk=licence_id)
        user = request.user
        allowed = is_staff_of(user, licence.provider_id) or official_covers(
            user, licence.provider.division_id
        )
        if not allowed:
            raise Http404
        audit_record(actor=user, action="licence.scan_viewed", target=licence, request=request)
        extension = licence.scan.name.rsplit(".", 1)[-1]
        return upload_response(
            licence.scan,
            content_type=licence.scan_content_type,
            cache_control="private, no-store",
            filename=f"licence-{licence.pk}.{extension}",
        )


class StaffListView(ProviderDeskMixin, TemplateView):
    template_name = "providers/staff_list.html"

    def get_context_data(self, **kwargs):
        members = list(self.provider.staff.prefetch_related("certificates"))
        # Staff names are personal data: a read by the organisation's own people is logged too.
        audit_record(
            actor=self.request.user,
            action="personal_data.read",
            target=self.provider,
            detail={
                "staff": [m.pk for m in members],
                "fields": ["name"],
                "purpose": "staff_management",
            },
            request=self.request,
        )
        return super().get_context_data(staff_members=members, **kwargs)


class StaffFormView(ProviderDeskMixin, FormView):
    form_class = StaffForm
    template_name = "providers/form.html"

    def get_member(self) -> StaffMember | None:
        if "staff_id" not in self.kwargs:
            return None
        if not hasattr(self, "_member"):
            self._member = get_object_or_404(
                StaffMember, pk=self.kwargs["staff_id"], provider=self.provider
            )
        return self._member

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.get_member() is not None:
            del form.fields["id_number"]  # kept only as a hash: it cannot be shown or edited
        return form

    def get_initial(self):
        member = self.get_member()
        if member is None:
            return {}
        audit_record(
            actor=self.request.user,
            action="personal_data.read",
            target=member,
            detail={"fields": ["name"], "purpose": "staff_management"},
            request=self.request,
        )
        fields = (
            "name",
            "gender",
            "role",
            "years_of_experience",
            "health_certificate_expires",
            "background_check",
            "background_checked_on",
            "is_active",
        )
        return {"languages": "、".join(member.languages), **{f: getattr(member, f) for f in fields}}

    def get_context_data(self, **kwargs):
        title = _("编辑服务人员") if "staff_id" in self.kwargs else _("登记服务人员")
        return super().get_context_data(title=title, **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        id_number = data.pop("id_number", None)
        try:
            member = self.get_member()
            if member is None:
                staff.staff_create(
                    provider=self.provider, actor=self.request.user, id_number=id_number, data=data
                )
            else:
                staff.staff_update(staff=member, actor=self.request.user, data=data)
        except ProviderError as exc:
            apply_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return redirect("providers:staff-list", pk=self.provider.pk)


class CertificateCreateView(ProviderDeskMixin, FormView):
    form_class = CertificateForm
    template_name = "providers/form.html"

    def get_member(self) -> StaffMember:
        """The staff member of this organisation; another one's does not exist here (404)."""
        return get_object_or_404(StaffMember, pk=self.kwargs["staff_id"], provider=self.provider)

    def get_context_data(self, **kwargs):
        self.get_member()
        return super().get_context_data(title=_("添加资格证书"), **kwargs)

    def form_valid(self, form):
        member = self.get_member()
        try:
            staff.certificate_add(staff=member, actor=self.request.user, **form.cleaned_data)
        except ProviderError as exc:
            apply_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return redirect("providers:staff-list", pk=self.provider.pk)
