from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from accounts import views as accounts_views
from accounts.urls import oidc_urlpatterns
from soc.health import healthz
from soc.views import ApiSchemaView

handler404 = "soc.views.not_found"
handler500 = "soc.views.server_error"

urlpatterns = [
    path("healthz", login_not_required(healthz), name="healthz"),
    path("accounts/login/", accounts_views.login_view, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("oidc/", include(oidc_urlpatterns)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("cases.api.urls")),
    # The manager's view (sla, insights apps).
    path("api/v1/", include("sla.api_urls")),
    path("api/v1/", include("insights.api_urls")),
    path("metrics", include("insights.prometheus_urls")),
    path("insights/", include("insights.urls")),
    path("api/schema/", ApiSchemaView.as_view(), name="schema"),
    # TheHive 3/4's paths (thehive4py 1.x), beside TheHive 5's under /api/v1/.
    path("api/", include("cases.api.thehive.v0_urls")),
    # An HTML page under /api/: send anonymous visitors to the login form, not a 401.
    path(
        "api/docs/",
        # The split view serves its script as a file: the CSP allows no inline script.
        # Swagger UI sets style attributes from its script; only this page allows them.
        login_required(
            csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="schema"))
        ),
        name="api-docs",
    ),
    path("playbooks/", include("playbooks.urls")),
    path("", include("containment.urls")),
    path("", include("notifications.urls")),
    path("", include("intel.urls")),
    path("", include("cases.urls")),
]
