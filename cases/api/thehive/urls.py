"""TheHive's paths. `urlpatterns` are mounted under /api/v1/ (TheHive 5), `v0_urlpatterns`
under /api/ (TheHive 3/4). Each also answers without a trailing slash (clients build
the paths by hand) and never redirects: a redirect would drop a POST body."""

from django.urls import re_path

from . import case_views, refusals, views

ALERT = r"alert/(?P<alert_id>[^/]+)"
CASE = r"(?P<case_id>[^/]+)"
# Any other path of TheHive's resources: TheHive's 404 naming the call (refusals.py).
UNKNOWN = rf"(?:{refusals.RESOURCES})(?:/.*)?"


def _route(path: str, view, name: str):
    """`path` answered with and without its trailing slash, never redirecting."""
    return re_path(rf"^{path}/?$", view.as_view(), name=f"thehive-{name}")


urlpatterns = [
    _route("alert", views.AlertCreateView, "alert-create"),
    # Before an alert id: TheHive's bulk calls.
    _route("alert/_bulk", refusals.AlertBulkUpdateView, "alert-bulk-update"),
    _route("alert/merge/_bulk", case_views.AlertBulkMergeView, "alert-bulk-merge"),
    _route("alert/delete/_bulk", refusals.AlertBulkDeleteView, "alert-bulk-delete"),
    _route(ALERT, views.AlertDetailView, "alert"),
    _route(f"{ALERT}/observable", views.AlertObservablesView, "alert-observables"),
    # TheHive 4's name for the same call, still answered by TheHive 5.
    _route(f"{ALERT}/artifact", views.AlertObservablesView, "alert-artifacts"),
    _route(f"{ALERT}/attachments", views.AlertAttachmentsView, "alert-attachments"),
    _route(f"{ALERT}/case", case_views.AlertCaseView, "alert-case"),
    _route(f"{ALERT}/merge/{CASE}", case_views.AlertMergeView, "alert-merge"),
    _route(f"{ALERT}/follow", views.AlertFollowView, "alert-follow"),
    _route(f"{ALERT}/unfollow", views.AlertUnfollowView, "alert-unfollow"),
    _route("case", refusals.CaseWriteView, "case-create"),
    _route(f"case/{CASE}", case_views.CaseDetailView, "case"),
    _route(
        f"case/{CASE}/(?:comment|observable|task|attachments|procedure|page|shares)",
        refusals.CaseWriteView,
        "case-write",
    ),
    _route("query", views.QueryView, "query"),
    _route("user/current", views.CurrentUserView, "user-current"),
    _route(UNKNOWN, refusals.UnknownCallView, "unknown"),
]

v0_urlpatterns = [
    _route("alert", views.V0AlertCreateView, "v0-alert-create"),
    _route("alert/_search", views.V0AlertSearchView, "v0-alert-search"),  # before an alert id
    _route(ALERT, views.V0AlertDetailView, "v0-alert"),
    _route(f"{ALERT}/artifact", views.V0AlertObservablesView, "v0-alert-artifact"),
    _route(f"{ALERT}/createCase", case_views.V0AlertCaseView, "v0-alert-case"),
    _route(f"{ALERT}/merge/{CASE}", case_views.V0AlertMergeView, "v0-alert-merge"),
    # thehive4py 1.x's mark_alert_as_read / mark_alert_as_unread (Shuffle's close/reopen).
    _route(f"{ALERT}/markAs(?:Read|Unread)", refusals.AlertStatusView, "v0-alert-status"),
    _route("case", refusals.CaseWriteView, "v0-case-create"),
    _route("user/current", views.V0CurrentUserView, "v0-user-current"),
    _route(UNKNOWN, refusals.UnknownCallView, "v0-unknown"),
]
