"""Every HTML page requires a login; the machine-facing paths authenticate themselves."""

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired

# DRF authenticates API calls (tokens answer 401, not a redirect), the blocklist feed
# uses HTTP basic auth for firewalls, and /healthz is for load balancers.
SELF_AUTHENTICATING_PREFIXES = ("/api/", "/feeds/", "/healthz")


class LoginRequiredMiddleware(DjangoLoginRequired):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(SELF_AUTHENTICATING_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
