"""TheHive's paths. `urlpatterns` are mounted under /api/v1/ (TheHive 5), `v0_urlpatterns`
under /api/ (TheHive 3/4). Each also answers without a trailing slash (clients build
the paths by hand) and never redirects: a redirect would drop a POST body."""

from django.urls import re_path

from . import views

ALERT = r"^alert/(?P<alert_id>[^/]+)"

urlpatterns = [
    re_path(r"^alert/?$", views.AlertCreateView.as_view(), name="thehive-alert-create"),
    re_path(rf"{ALERT}/?$", views.AlertDetailView.as_view(), name="thehive-alert"),
    re_path(
        rf"{ALERT}/observable/?$", views.AlertObservablesView.as_view(), name="thehive-alert-observables"
    ),
    # TheHive 4's name for the same call, still answered by TheHive 5.
    re_path(rf"{ALERT}/artifact/?$", views.AlertObservablesView.as_view(), name="thehive-alert-artifacts"),
    re_path(
        rf"{ALERT}/attachments/?$", views.AlertAttachmentsView.as_view(), name="thehive-alert-attachments"
    ),
    re_path(rf"{ALERT}/case/?$", views.AlertCaseView.as_view(), name="thehive-alert-case"),
    re_path(r"^query/?$", views.QueryView.as_view(), name="thehive-query"),
    re_path(r"^user/current/?$", views.CurrentUserView.as_view(), name="thehive-user-current"),
]

v0_urlpatterns = [
    re_path(r"^alert/?$", views.V0AlertCreateView.as_view(), name="thehive-v0-alert-create"),
    re_path(rf"{ALERT}/?$", views.V0AlertDetailView.as_view(), name="thehive-v0-alert"),
    re_path(
        rf"{ALERT}/artifact/?$", views.V0AlertObservablesView.as_view(), name="thehive-v0-alert-artifact"
    ),
    re_path(rf"{ALERT}/createCase/?$", views.V0AlertCaseView.as_view(), name="thehive-v0-alert-case"),
    re_path(r"^user/current/?$", views.V0CurrentUserView.as_view(), name="thehive-v0-user-current"),
]
