"""My notices."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views import View
from django.views.generic import ListView

from portal.notifications import selectors, services


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "notifications/list.html"
    context_object_name = "notices"
    paginate_by = 30

    def get_queryset(self):
        return selectors.notification_list(user=self.request.user)


class NotificationsReadView(LoginRequiredMixin, View):
    def post(self, request):
        services.notifications_mark_read(user=request.user)
        return redirect("notifications:list")
