"""/api/v1/ containment routes (included by cases/api/urls.py)."""

from django.urls import path

from soc.routing import routes_under

from . import api

urlpatterns = [
    path("cases/<int:case_id>/actions/", api.CaseActionsView.as_view(), name="api-case-actions"),
    path("actions/<int:pk>/", api.ActionDetailView.as_view(), name="api-action-detail"),
    # An action's moves: actions/<pk>/approve/ is api-action-approve, and so on.
    *routes_under(
        "actions/<int:pk>/",
        "api-action-",
        {
            "approve": api.ApproveView,
            "reject": api.RejectView,
            "retry": api.RetryView,
            "revert": api.RevertView,
        },
    ),
]
