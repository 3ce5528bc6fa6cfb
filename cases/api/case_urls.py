"""/api/v1/cases/... and /api/v1/alerts/<id>/: the analyst API (cases.api.cases)."""

from django.urls import path

from soc.routing import routes_under

from . import cases as views

urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="api-case-list"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="api-case-detail"),
    path("cases/<int:pk>/steps/<int:step_pk>/", views.StepView.as_view(), name="api-case-step"),
    # cases/<pk>/claim/ is api-case-claim, and so on.
    *routes_under(
        "cases/<int:pk>/",
        "api-case-",
        {
            "timeline": views.TimelineView,
            "comments": views.CommentsView,
            "claim": views.ClaimView,
            "unassign": views.UnassignView,
            "assign": views.AssignView,
            "escalate": views.EscalateView,
            "return": views.ReturnView,
            "close": views.CloseView,
            "resolve": views.ResolveView,
            "reopen": views.ReopenView,
            "playbook": views.AttachPlaybookView,
        },
    ),
    path("alerts/<int:pk>/", views.AlertDetailView.as_view(), name="api-alert-detail"),
]
