from django.urls import path

from . import api
from .reports.views import CaseReportView

urlpatterns = [
    path("metrics/", api.MetricsView.as_view(), name="api-metrics"),
    path("cases/<int:pk>/report", CaseReportView.as_view(), name="api-case-report"),
]
