from django.urls import path

from . import api

urlpatterns = [
    path("metrics/", api.MetricsView.as_view(), name="api-metrics"),
]
