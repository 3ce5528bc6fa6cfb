"""Ingest endpoints (cases.api.ingest). Each path also answers without its trailing slash:
SIEM webhook settings are typed by hand, and a redirect would drop a POST body."""

from django.urls import re_path

from . import ingest as views

urlpatterns = [
    re_path(r"^alerts/?$", views.NativeIngestView.as_view(), name="api-ingest"),
    re_path(r"^alerts/elastic/?$", views.ElasticIngestView.as_view(), name="api-ingest-elastic"),
    re_path(r"^alerts/splunk/?$", views.SplunkIngestView.as_view(), name="api-ingest-splunk"),
    re_path(r"^alerts/wazuh/?$", views.WazuhIngestView.as_view(), name="api-ingest-wazuh"),
    re_path(r"^alerts/ocsf/?$", views.OcsfIngestView.as_view(), name="api-ingest-ocsf"),
    re_path(r"^alerts/thehive/?$", views.TheHiveIngestView.as_view(), name="api-ingest-thehive"),
]
