from django.urls import path

from soc.routing import routes_under

from . import blocklist_feed, views

app_name = "containment"
urlpatterns = [
    path("feeds/ip-blocklist.txt", blocklist_feed.ip_blocklist, name="ip_blocklist"),
    path("cases/<int:pk>/containment/", views.case_panel, name="case_panel"),
    path("cases/<int:pk>/containment/request/", views.request_action, name="request"),
    path("containment/approvals/", views.approvals_inbox, name="approvals"),
    path("containment/approvals/<int:pk>/<slug:decision>/", views.approvals_decide, name="approvals_decide"),
    # An action's moves: containment/actions/<pk>/approve/ is containment:approve, and so on.
    *routes_under(
        "containment/actions/<int:pk>/",
        "",
        {
            "approve": views.approve_action,
            "reject": views.reject_action,
            "retry": views.retry_action,
            "revert": views.revert_action,
        },
    ),
    path("containment/actions/<int:pk>/step/", views.update_step, name="update_step"),
]
