"""Session lifetime, the second-factor gate and the security headers django-csp and
Django's SecurityMiddleware do not set."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .audit import Kind, sign_in_event_record
from .second_factor import has_totp, needs_verification
from .sessions import expired_because, touch

# Pages an unverified session may still open: the second factor itself, signing out, static files.
SECOND_FACTOR_EXEMPT_NAMES = ("accounts:second-factor", "accounts:second-factor-setup", "logout")


class SessionLifetimeMiddleware:
    """Ends a session past its absolute lifetime or idle for too long (after
    AuthenticationMiddleware, before anything reads request.user's rights)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            reason = expired_because(request.session, now)
            if reason:
                user = request.user
                request._vigil_logout_reason = reason
                logout(request)
                sign_in_event_record(Kind.SESSION_EXPIRED, request=request, user=user, reason=reason)
            else:
                touch(request.session, now)
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """A signed-in session that must pass the second factor sees only the second-factor
    pages (HTML) or a 403 (session-authenticated API) until it does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and needs_verification(request):
            exempt = {reverse(name) for name in SECOND_FACTOR_EXEMPT_NAMES}
            path = request.path_info
            if path not in exempt and not path.startswith(f"/{settings.STATIC_URL.lstrip('/')}"):
                if path.startswith("/api/"):
                    return JsonResponse(
                        {
                            "status": 403,
                            "code": "second_factor_required",
                            "detail": "Verify your second factor in the browser first, or use a token.",
                        },
                        status=403,
                    )
                target = (
                    "accounts:second-factor" if has_totp(request.user) else "accounts:second-factor-setup"
                )
                return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Permissions-Policy (no header setting for it in Django)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.VIGIL_PERMISSIONS_POLICY)
        return response
