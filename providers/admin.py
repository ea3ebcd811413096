from django.contrib import admin

from providers.models import Membership, Provider


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "division", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "credit_code"]
    inlines = [MembershipInline]
