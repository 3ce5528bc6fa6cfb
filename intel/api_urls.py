"""/api/v1/reference/...: known networks, business partners, their audit trail (intel.api)."""

from django.urls import path

from . import api

urlpatterns = [
    path("reference/networks/", api.NetworkListView.as_view(), name="api-reference-networks"),
    path("reference/networks/<int:pk>/", api.NetworkDetailView.as_view(), name="api-reference-network"),
    path("reference/partners/", api.PartnerListView.as_view(), name="api-reference-partners"),
    path("reference/partners/<int:pk>/", api.PartnerDetailView.as_view(), name="api-reference-partner"),
    path("reference/changes/", api.ChangeListView.as_view(), name="api-reference-changes"),
]
