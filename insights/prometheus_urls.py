from django.urls import path

from .prometheus_views import prometheus_metrics

urlpatterns = [path("", prometheus_metrics, name="prometheus-metrics")]
