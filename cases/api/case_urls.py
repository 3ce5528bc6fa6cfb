"""/api/v1/cases/... and /api/v1/alerts/<id>/: the analyst API (cases.api.cases)."""

from django.urls import path

from . import cases as views

urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="api-case-list"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="api-case-detail"),
    path("cases/<int:pk>/timeline/", views.TimelineView.as_view(), name="api-case-timeline"),
    path("cases/<int:pk>/comments/", views.CommentsView.as_view(), name="api-case-comments"),
    path("cases/<int:pk>/steps/<int:step_pk>/", views.StepView.as_view(), name="api-case-step"),
    path("cases/<int:pk>/claim/", views.ClaimView.as_view(), name="api-case-claim"),
    path("cases/<int:pk>/unassign/", views.UnassignView.as_view(), name="api-case-unassign"),
    path("cases/<int:pk>/assign/", views.AssignView.as_view(), name="api-case-assign"),
    path("cases/<int:pk>/escalate/", views.EscalateView.as_view(), name="api-case-escalate"),
    path("cases/<int:pk>/return/", views.ReturnView.as_view(), name="api-case-return"),
    path("cases/<int:pk>/close/", views.CloseView.as_view(), name="api-case-close"),
    path("cases/<int:pk>/resolve/", views.ResolveView.as_view(), name="api-case-resolve"),
    path("cases/<int:pk>/reopen/", views.ReopenView.as_view(), name="api-case-reopen"),
    path("cases/<int:pk>/playbook/", views.AttachPlaybookView.as_view(), name="api-case-playbook"),
    path("alerts/<int:pk>/", views.AlertDetailView.as_view(), name="api-alert-detail"),
]
