"""Pages of the volunteers app, under /volunteers/ (志愿服务)."""

from django.urls import path

app_name = "volunteers"

urlpatterns: list = [
    # Residents and organisers (volunteers.views.pages)
    # Certificates and disputes (volunteers.views.records)
    # Time bank (volunteers.views.timebank)
    # Officials (volunteers.views.officials)
]
