"""Public pages: verification (核验), an approved provider's page, self-service registration."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from portal.accounts.services import AccountError
from portal.uploads import upload_response
from providers import selectors
from providers.errors import ProviderError
from providers.forms import RegisterForm, VerifyForm
from providers.services import registration
from providers.throttles import VerifyThrottle
from providers.views.common import apply_error


class VerifyView(View):
    """Anyone checks a credit code or a certificate number; rate-limited per client."""

    template_name = "providers/verify.html"

    def get(self, request):
        form = VerifyForm(request.GET or None)
        context = {"form": form, "results": None}
        if form.is_bound:
            if not VerifyThrottle().allow_request(request, self):
                context["throttled"] = True
                return render(request, self.template_name, context, status=429)
            if form.is_valid():
                context["results"] = selectors.verification_lookup(code=form.cleaned_data["code"])
        return render(request, self.template_name, context)


class ProviderPublicView(TemplateView):
    template_name = "providers/public_detail.html"

    def get_context_data(self, **kwargs):
        provider = selectors.provider_get_public(pk=self.kwargs["pk"])
        if provider is None:
            raise Http404
        return super().get_context_data(
            provider=provider,
            branches=provider.branches.select_related("division"),
            licences=provider.licences.all(),
            staff=provider.staff.filter(is_active=True).prefetch_related(
                selectors.valid_certificates_prefetch()
            ),
            **kwargs,
        )


class ProviderLogoView(View):
    """An approved organisation's logo (uploads are not served from a public folder)."""

    def get(self, request, pk):
        provider = selectors.provider_get_public(pk=pk)
        if provider is None or not provider.logo:
            raise Http404
        extension = provider.logo.name.rsplit(".", 1)[-1]
        content_type = "image/png" if extension == "png" else "image/jpeg"
        return upload_response(
            provider.logo, content_type=content_type, cache_control="public, max-age=3600"
        )


class RegisterView(FormView):
    form_class = RegisterForm
    template_name = "providers/register.html"

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user, provider = registration.provider_register(
                phone=data["phone"],
                person_name=data["person_name"],
                password=data["password1"],
                email=data["email"],
                consent_version=settings.PRIVACY_NOTICE_VERSION,
                name=data["name"],
                credit_code=data["credit_code"],
                division_code=data["division"],
                domains=data["domains"],
                request=self.request,
            )
        except ProviderError as exc:
            apply_error(form, exc)
            return self.form_invalid(form)
        except AccountError as exc:
            field = {"name": "person_name", "password": "password1"}.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, str(exc.message))
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, _("机构草稿已创建。请补充网点和证照，然后提交审核。"))
        return redirect("providers:staff-detail", pk=provider.pk)
