"""TheHive's paths. `urlpatterns` are mounted under /api/v1/ (TheHive 5), `v0_urlpatterns`
under /api/ (TheHive 3/4). Each also answers without a trailing slash (clients build
the paths by hand) and never redirects: a redirect would drop a POST body."""

from django.urls import re_path

from . import views

ALERT = r"alert/(?P<alert_id>[^/]+)"


def _route(path: str, view, name: str):
    """`path` answered with and without its trailing slash, never redirecting."""
    return re_path(rf"^{path}/?$", view.as_view(), name=f"thehive-{name}")


urlpatterns = [
    _route("alert", views.AlertCreateView, "alert-create"),
    _route(ALERT, views.AlertDetailView, "alert"),
    _route(f"{ALERT}/observable", views.AlertObservablesView, "alert-observables"),
    # TheHive 4's name for the same call, still answered by TheHive 5.
    _route(f"{ALERT}/artifact", views.AlertObservablesView, "alert-artifacts"),
    _route(f"{ALERT}/attachments", views.AlertAttachmentsView, "alert-attachments"),
    _route(f"{ALERT}/case", views.AlertCaseView, "alert-case"),
    _route("query", views.QueryView, "query"),
    _route("user/current", views.CurrentUserView, "user-current"),
]

v0_urlpatterns = [
    _route("alert", views.V0AlertCreateView, "v0-alert-create"),
    _route("alert/_search", views.V0AlertSearchView, "v0-alert-search"),  # before an alert id
    _route(ALERT, views.V0AlertDetailView, "v0-alert"),
    _route(f"{ALERT}/artifact", views.V0AlertObservablesView, "v0-alert-artifact"),
    _route(f"{ALERT}/createCase", views.V0AlertCaseView, "v0-alert-case"),
    _route("user/current", views.V0CurrentUserView, "v0-user-current"),
]
