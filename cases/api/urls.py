"""/api/v1/: every app's API routes in one versioned namespace."""

from django.urls import include, path

urlpatterns = [
    path("", include("cases.api.ingest_urls")),
    # TheHive 5's own paths, for clients configured with a TheHive URL.
    path("", include("cases.api.thehive.urls")),
    path("", include("cases.api.case_urls")),
    path("", include("playbooks.api_urls")),
    path("", include("containment.api_urls")),
    path("", include("intel.api_urls")),
]
