from django.urls import path

from portal.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("read/", views.NotificationsReadView.as_view(), name="read"),
]
