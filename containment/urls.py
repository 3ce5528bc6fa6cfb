from django.urls import path

from . import feeds, views

app_name = "containment"
urlpatterns = [
    path("feeds/ip-blocklist.txt", feeds.ip_blocklist, name="ip_blocklist"),
    path("cases/<int:pk>/containment/", views.case_panel, name="case_panel"),
    path("cases/<int:pk>/containment/request/", views.request_action, name="request"),
    path("containment/approvals/", views.approvals_inbox, name="approvals"),
    path("containment/approvals/<int:pk>/<slug:decision>/", views.approvals_decide, name="approvals_decide"),
    path("containment/actions/<int:pk>/approve/", views.approve_action, name="approve"),
    path("containment/actions/<int:pk>/reject/", views.reject_action, name="reject"),
    path("containment/actions/<int:pk>/retry/", views.retry_action, name="retry"),
    path("containment/actions/<int:pk>/revert/", views.revert_action, name="revert"),
    path("containment/actions/<int:pk>/step/", views.update_step, name="update_step"),
]
