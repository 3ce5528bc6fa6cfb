from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard/queues/", views.dashboard_queues, name="dashboard_queues"),
    path("cases/", views.case_list, name="list"),
    path("cases/bulk/", views.case_bulk, name="bulk"),
    path("cases/filters/", views.saved_filter_create, name="saved_filter_create"),
    path("cases/filters/<int:filter_pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
    path("search/", views.search, name="search"),
    path("cases/<int:pk>/", views.case_detail, name="detail"),
    path("cases/<int:pk>/steps/<int:step_pk>/", views.case_step, name="step"),
    path("cases/<int:pk>/recommendation/", views.case_recommendation, name="recommendation"),
    path("cases/<int:pk>/timeline/", views.case_timeline, name="timeline"),
    path("cases/<int:pk>/alerts/", views.case_alerts, name="alerts"),
    path("cases/<int:pk>/alerts/<int:alert_pk>/", views.alert_detail, name="alert"),
    path("cases/<int:pk>/observables/", views.observable_add, name="observable_add"),
    path(
        "cases/<int:pk>/observables/<int:observable_pk>/", views.observable_update, name="observable_update"
    ),
    path("cases/<int:pk>/suggestions/accept/", views.suggestions_accept, name="suggestions_accept"),
    path("cases/<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("cases/<int:pk>/playbook/", views.case_playbook_attach, name="playbook_attach"),
    path("cases/<int:pk>/evidence/<int:attachment_pk>/", views.evidence_download, name="evidence_download"),
    path("cases/<int:pk>/<slug:action>/", views.case_transition, name="transition"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:token_pk>/revoke/", views.token_revoke, name="token_revoke"),
]
