from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Consent, Division, User
from portal.audit.services import audit_personal_data_read
from portal.identifiers import normalize_mobile


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


class UserCreationAdminForm(AdminUserCreationForm):
    def clean_phone(self) -> str:
        return normalize_mobile(self.cleaned_data["phone"])

    class Meta:
        model = User
        fields = ["phone", "name", "role", "jurisdiction", "department"]


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Lists show masked identities; opening one account is an audited read of personal data."""

    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ["date_joined"]
    list_display = ["__str__", "role", "jurisdiction", "department", "is_active", "date_joined"]
    list_filter = ["role", "department", "is_active"]
    search_fields = ["phone", "name"]
    autocomplete_fields = ["jurisdiction"]
    fieldsets = [
        (None, {"fields": ["phone", "password"]}),
        (_("个人信息"), {"fields": ["name", "email", "elder_mode"]}),
        (_("角色"), {"fields": ["role", "jurisdiction", "department"]}),
        (_("权限"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("时间"), {"fields": ["last_login", "date_joined", "erased_at"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "fields": [
                    "phone",
                    "name",
                    "role",
                    "jurisdiction",
                    "department",
                    "password1",
                    "password2",
                ]
            },
        ),
    ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        user = self.get_object(request, object_id)
        if user is not None and request.method == "GET":
            audit_personal_data_read(
                viewer=request.user,
                subject=user,
                target=user,
                fields=["phone", "name", "email"],
                purpose="platform_administration",
                request=request,
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["user", "document", "version", "accepted_at", "withdrawn_at"]
    list_filter = ["document", "version"]
    raw_id_fields = ["user"]
