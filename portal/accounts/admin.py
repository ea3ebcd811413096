from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Consent, Division, User


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["user", "document", "version", "accepted_at", "withdrawn_at"]
    list_filter = ["document", "version"]
    raw_id_fields = ["user"]
