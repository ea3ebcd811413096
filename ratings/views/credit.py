"""Credit pages (信用监管): the official's credit page of a provider with its forms, the active
red and black lists and the appeal queue of a jurisdiction, the provider's own credit page with
the credit-repair form, and the public 红黑名单."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from portal.accounts.permissions import (
    OfficialRequiredMixin,
    ProviderStaffRequiredMixin,
    is_official,
    is_provider_staff,
)
from portal.errors import DomainError
from portal.uploads import upload_response
from providers import selectors as provider_selectors
from ratings import selectors
from ratings.models import CreditAppeal, CreditEvent, CreditListEntry
from ratings.services import credit

# --- Forms (shape input only; the rules are in ratings.services.credit) --------------------------


class DateInput(forms.DateInput):
    """The browser's date picker, which reads and writes ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.occurred_on:%Y-%m-%d} {obj.get_kind_display()}（{obj.points:+d}）{obj.note}"


class CommendForm(forms.Form):
    occurred_on = forms.DateField(label=gettext_lazy("表彰日期"), widget=DateInput)
    note = forms.CharField(label=gettext_lazy("表彰事由"), max_length=300)


class ListEntryForm(forms.Form):
    list = forms.ChoiceField(label=gettext_lazy("名单"), choices=CreditListEntry.List.choices)
    reason = forms.CharField(label=gettext_lazy("列入原因"), max_length=300)
    basis = forms.CharField(
        label=gettext_lazy("依据"),
        max_length=300,
        help_text=gettext_lazy("法律法规或规范性文件的条款。"),
    )
    starts_on = forms.DateField(label=gettext_lazy("列入日期"), widget=DateInput)
    ends_on = forms.DateField(
        label=gettext_lazy("移出日期（选填）"), widget=DateInput, required=False
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("理由"), max_length=300)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("审核结果"),
        choices=[("grant", gettext_lazy("予以修复")), ("refuse", gettext_lazy("不予修复"))],
    )
    reason = forms.CharField(label=gettext_lazy("审核意见"), max_length=300, required=False)


class AppealForm(forms.Form):
    event = EventChoiceField(
        label=gettext_lazy("申请修复的信用记录"), queryset=CreditEvent.objects.none()
    )
    statement = forms.CharField(
        label=gettext_lazy("整改说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    evidence = forms.FileField(
        label=gettext_lazy("证明材料（PDF、JPEG 或 PNG，不超过 10 MB，选填）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, provider, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = selectors.credit_event_appealable(provider=provider)


def _apply_error(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error.message))


LIST_FILTER = dict(CreditListEntry.List.choices)


def _list_filter(request) -> str:
    value = request.GET.get("list", "")
    return value if value in LIST_FILTER else ""


# --- Officials ----------------------------------------------------------------------------------


class OfficialListsView(OfficialRequiredMixin, ListView):
    """Red and black list entries in force in the official's jurisdiction."""

    template_name = "ratings/credit/official_lists.html"
    context_object_name = "entries"
    paginate_by = 50

    def get_queryset(self):
        return selectors.credit_list_for_official(
            official=self.request.user, list_name=_list_filter(self.request) or None
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            lists=LIST_FILTER.items(), selected=_list_filter(self.request), **kwargs
        )


class OfficialAppealQueueView(OfficialRequiredMixin, ListView):
    """Open credit-repair appeals in the jurisdiction, oldest first."""

    template_name = "ratings/credit/official_appeals.html"
    context_object_name = "appeals"
    paginate_by = 50

    def get_queryset(self):
        return selectors.credit_appeal_queue(official=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=DecisionForm(), **kwargs)


class AppealDecideView(OfficialRequiredMixin, View):
    def post(self, request, appeal_id):
        appeal = selectors.credit_appeal_queue(official=request.user).filter(pk=appeal_id).first()
        if appeal is None:
            raise Http404
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择审核结果。"))
            return redirect("ratings:credit-appeals")
        try:
            credit.appeal_decide(
                appeal=appeal,
                official=request.user,
                grant=form.cleaned_data["decision"] == "grant",
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已审核。"))
        return redirect("ratings:credit-appeals")


class OfficialProviderMixin(OfficialRequiredMixin):
    """Loads `self.provider`; a provider outside the jurisdiction does not exist (404)."""

    def dispatch(self, request, *args, **kwargs):
        if is_official(request.user):
            self.provider = (
                provider_selectors.provider_list_for_official(official=request.user)
                .filter(pk=kwargs["pk"])
                .first()
            )
            if self.provider is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)


class OfficialCreditView(OfficialProviderMixin, TemplateView):
    """A provider's credit for the official: score, events, lists, appeals, and the forms to
    commend it or put it on a list."""

    template_name = "ratings/credit/official_provider.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        provider = self.provider
        kwargs.setdefault("commend_form", CommendForm(initial={"occurred_on": today}))
        kwargs.setdefault("list_form", ListEntryForm(initial={"starts_on": today}))
        return super().get_context_data(
            provider=provider,
            summary=selectors.credit_summary(provider=provider, today=today),
            events=selectors.credit_event_list(provider=provider),
            entries=selectors.credit_entry_list(provider=provider),
            appeals=selectors.credit_appeal_list(provider=provider),
            remove_form=ReasonForm(),
            **kwargs,
        )


class OfficialCreditFormView(OfficialCreditView):
    """A form posted on the official's credit page: the service runs, or the page comes back
    with the form's errors (400)."""

    http_method_names = ["post"]
    form_class = None
    context_name = ""
    action = staticmethod(lambda **kwargs: None)
    done_message = ""

    def post(self, request, pk):
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                self.action(
                    official=request.user,
                    provider=self.provider,
                    request=request,
                    **form.cleaned_data,
                )
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, self.done_message)
                return redirect("ratings:credit-official", pk=pk)
        return self.render_to_response(
            self.get_context_data(**{self.context_name: form}), status=400
        )


class CommendView(OfficialCreditFormView):
    form_class = CommendForm
    context_name = "commend_form"
    action = staticmethod(credit.credit_commend)
    done_message = gettext_lazy("已记录表彰。")


class ListAddView(OfficialCreditFormView):
    form_class = ListEntryForm
    context_name = "list_form"
    action = staticmethod(credit.list_add)
    done_message = gettext_lazy("已列入名单。")


class ListRemoveView(OfficialProviderMixin, View):
    def post(self, request, pk, entry_id):
        entry = self.provider.list_entries.filter(pk=entry_id).first()
        if entry is None:
            raise Http404
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写移出原因。"))
            return redirect("ratings:credit-official", pk=pk)
        try:
            credit.list_remove(
                entry=entry,
                official=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已移出名单。"))
        return redirect("ratings:credit-official", pk=pk)


# --- The provider's own credit page -------------------------------------------------------------


class ProviderCreditView(ProviderStaffRequiredMixin, TemplateView):
    """The organisation's credit as its staff see it, with the credit-repair form."""

    template_name = "ratings/credit/provider_credit.html"

    def dispatch(self, request, *args, **kwargs):
        if is_provider_staff(request.user):
            self.provider = provider_selectors.provider_get_for_staff(
                user=request.user, pk=kwargs["pk"]
            )
            if self.provider is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        provider = self.provider
        kwargs.setdefault("form", AppealForm(provider=provider))
        return super().get_context_data(
            provider=provider,
            summary=selectors.credit_summary(provider=provider),
            events=selectors.credit_event_list(provider=provider),
            entries=selectors.credit_entry_list(provider=provider),
            appeals=selectors.credit_appeal_list(provider=provider),
            **kwargs,
        )

    def post(self, request, pk):
        form = AppealForm(request.POST, request.FILES, provider=self.provider)
        if form.is_valid():
            try:
                credit.appeal_submit(
                    provider=self.provider,
                    actor=request.user,
                    request=request,
                    **form.cleaned_data,
                )
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("修复申请已提交，请等待监管部门审核。"))
                return redirect("ratings:credit-provider", pk=pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AppealEvidenceView(View):
    """The evidence of an appeal, for the provider's staff and the officials covering it."""

    def get(self, request, appeal_id):
        appeal = CreditAppeal.objects.select_related("provider").filter(pk=appeal_id).first()
        if appeal is None or not appeal.evidence:
            raise Http404
        if selectors.credit_provider_get(viewer=request.user, pk=appeal.provider_id) is None:
            raise Http404
        return upload_response(
            appeal.evidence,
            content_type=appeal.evidence_type or "application/octet-stream",
            cache_control="private, no-store",
            as_attachment=True,
            filename=f"appeal-{appeal.pk}-evidence",
        )


# --- The public 红黑名单 ------------------------------------------------------------------------


class PublicListsView(ListView):
    """Organisations on the red and black lists now: name, list, reason, basis, period."""

    template_name = "ratings/credit/public_lists.html"
    context_object_name = "entries"
    paginate_by = 50

    def get_queryset(self):
        return selectors.credit_list_public(list_name=_list_filter(self.request) or None)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            lists=LIST_FILTER.items(), selected=_list_filter(self.request), **kwargs
        )


urlpatterns = [
    path("credit/lists/", PublicListsView.as_view(), name="credit-public-lists"),
    path("official/credit/lists/", OfficialListsView.as_view(), name="credit-lists"),
    path("official/credit/appeals/", OfficialAppealQueueView.as_view(), name="credit-appeals"),
    path(
        "official/credit/appeals/<int:appeal_id>/decide/",
        AppealDecideView.as_view(),
        name="credit-appeal-decide",
    ),
    path("official/credit/<uuid:pk>/", OfficialCreditView.as_view(), name="credit-official"),
    path("official/credit/<uuid:pk>/commend/", CommendView.as_view(), name="credit-commend"),
    path("official/credit/<uuid:pk>/lists/", ListAddView.as_view(), name="credit-list-add"),
    path(
        "official/credit/<uuid:pk>/lists/<int:entry_id>/remove/",
        ListRemoveView.as_view(),
        name="credit-list-remove",
    ),
    path(
        "provider/organisations/<uuid:pk>/credit/",
        ProviderCreditView.as_view(),
        name="credit-provider",
    ),
    path(
        "credit/appeals/<int:appeal_id>/evidence/",
        AppealEvidenceView.as_view(),
        name="credit-appeal-evidence",
    ),
]
