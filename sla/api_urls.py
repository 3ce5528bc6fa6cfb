from django.urls import path

from . import api

urlpatterns = [
    path("sla/policies/", api.PolicyListView.as_view(), name="api-sla-policies"),
    path("sla/policies/<int:severity>/", api.PolicyDetailView.as_view(), name="api-sla-policy"),
]
