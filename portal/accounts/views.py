"""Account pages: login, signup, my account, my data (export, erasure)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from portal.accounts import personal_data, selectors, services
from portal.accounts.forms import ErasureForm, PhoneAuthenticationForm, ProfileForm, SignupForm
from portal.accounts.models import User
from portal.accounts.permissions import ResidentRequiredMixin
from portal.audit.selectors import access_log_for

ROLE_HOME = {
    User.Role.RESIDENT: "accounts:me",
    User.Role.PROVIDER_STAFF: "workbench-provider",
    User.Role.OFFICIAL: "workbench-official",
    User.Role.ADMIN: "admin:index",
}


def lockout(request, credentials, *args, **kwargs):
    """What a locked-out login gets: JSON for the API, a page for people (HTTP 429)."""
    message = _("登录失败次数过多，账户已临时锁定，请 %(minutes)d 分钟后再试或找回密码。") % {
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    }
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out", "fields": {}}, status=429)
    return render(request, "accounts/locked.html", {"message": message}, status=429)


class LoginView(auth_views.LoginView):
    form_class = PhoneAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class SignupView(FormView):
    form_class = SignupForm
    template_name = "accounts/signup.html"

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user = services.user_signup(
                phone=data["phone"],
                name=data["name"],
                password=data["password1"],
                email=data["email"],
                consent_version=settings.PRIVACY_NOTICE_VERSION,
                request=self.request,
            )
        except services.AccountError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, _("注册成功，欢迎使用。"))
        return redirect("accounts:home")


class AccountHomeView(LoginRequiredMixin, View):
    """Send each role to its own starting page."""

    def get(self, request):
        return redirect(ROLE_HOME.get(request.user.role, "accounts:me"))


class MeView(LoginRequiredMixin, FormView):
    form_class = ProfileForm
    template_name = "accounts/me.html"
    success_url = reverse_lazy("accounts:me")

    def get_initial(self):
        user = self.request.user
        return {"name": user.name, "email": user.email, "notify_by_email": user.notify_by_email}

    def form_valid(self, form):
        try:
            services.user_update_profile(user=self.request.user, **form.cleaned_data)
        except services.AccountError as exc:
            form.add_error(exc.field, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return super().form_valid(form)


class MyDataView(LoginRequiredMixin, TemplateView):
    """What the portal holds about me, section by section, and who else looked at it."""

    template_name = "accounts/my_data.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        export = selectors.personal_data_export(user=self.request.user)["sections"]
        context["sections"] = [
            (label, json.dumps(export[key], ensure_ascii=False, indent=2, cls=DjangoJSONEncoder))
            for key, label in personal_data.sections()
        ]
        # Who (masked name, organisation or department), what, why and when.
        context["access_log"] = access_log_for(subject=self.request.user)
        return context


class MyDataExportView(LoginRequiredMixin, View):
    """Download everything about me as one JSON file."""

    def get(self, request):
        data = selectors.personal_data_export(user=request.user)
        body = json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        filename = f"my-data-{timezone.localdate():%Y%m%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/form_page.html"
    success_url = reverse_lazy("accounts:password-change-done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=form.user, request=self.request)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/form_page.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=form.user, request=self.request)
        return response


class ErasureView(ResidentRequiredMixin, FormView):
    form_class = ErasureForm
    template_name = "accounts/erase.html"

    def form_valid(self, form):
        try:
            services.user_erase(
                user=self.request.user,
                password=form.cleaned_data["password"],
                request=self.request,
            )
        except services.AccountError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        logout(self.request)
        messages.success(self.request, _("账户已注销，您的个人信息已删除或匿名化。"))
        return redirect(reverse("home"))
