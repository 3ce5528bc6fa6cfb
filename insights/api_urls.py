from django.urls import path

from . import api
from .reports.views import CaseReportView

urlpatterns = [
    path("metrics/", api.MetricsView.as_view(), name="api-metrics"),
    path("attack/layer.json", api.AttackLayerView.as_view(), name="api-attack-layer"),
    path("cases/<int:pk>/report", CaseReportView.as_view(), name="api-case-report"),
]
