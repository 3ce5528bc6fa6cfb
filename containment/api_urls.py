"""/api/v1/ containment routes (included by cases/api/urls.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("cases/<int:case_id>/actions/", api.CaseActionsView.as_view(), name="api-case-actions"),
    path("actions/<int:pk>/", api.ActionDetailView.as_view(), name="api-action-detail"),
    path("actions/<int:pk>/approve/", api.ApproveView.as_view(), name="api-action-approve"),
    path("actions/<int:pk>/reject/", api.RejectView.as_view(), name="api-action-reject"),
    path("actions/<int:pk>/retry/", api.RetryView.as_view(), name="api-action-retry"),
    path("actions/<int:pk>/revert/", api.RevertView.as_view(), name="api-action-revert"),
]
