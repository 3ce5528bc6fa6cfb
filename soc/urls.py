from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerView

from soc.health import healthz
from soc.views import ApiSchemaView

handler404 = "soc.views.not_found"
handler500 = "soc.views.server_error"

urlpatterns = [
    path("healthz", login_not_required(healthz), name="healthz"),
    path(
        "accounts/login/",
        login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("cases.api.urls")),
    # The manager's view (sla, insights apps).
    path("api/v1/", include("sla.api_urls")),
    path("api/v1/", include("insights.api_urls")),
    path("metrics", include("insights.prometheus_urls")),
    path("insights/", include("insights.urls")),
    path("api/schema/", ApiSchemaView.as_view(), name="schema"),
    # An HTML page under /api/: send anonymous visitors to the login form, not a 401.
    path(
        "api/docs/",
        login_required(SpectacularSwaggerView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path("playbooks/", include("playbooks.urls")),
    path("", include("containment.urls")),
    path("", include("intel.urls")),
    path("", include("cases.urls")),
]
