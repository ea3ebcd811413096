from django.contrib import admin

from portal.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "title", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient"]
