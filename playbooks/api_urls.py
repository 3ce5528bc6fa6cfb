"""/api/v1/playbooks/...: owned by the playbooks app (playbooks.api)."""

from django.urls import path

from . import api

urlpatterns = [
    path("playbooks/", api.PlaybookListView.as_view(), name="api-playbook-list"),
    path("playbooks/import/", api.PlaybookImportView.as_view(), name="api-playbook-import"),
    path("playbooks/<str:technique_id>/", api.PlaybookDetailView.as_view(), name="api-playbook-detail"),
    path("playbooks/<str:technique_id>/export", api.PlaybookExportView.as_view(), name="api-playbook-export"),
]
