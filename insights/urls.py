from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("metrics/", views.metrics_page, name="metrics"),
    path("metrics/<slug:key>.csv", views.metrics_csv, name="metrics-csv"),
]
