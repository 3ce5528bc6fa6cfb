"""What a locked-out client gets: 429 with Retry-After, as a page or as API JSON."""

import math

from axes.helpers import get_cool_off
from django.http import JsonResponse
from django.shortcuts import render


def retry_after_seconds(request) -> int:
    cool_off = get_cool_off(request)
    return max(1, math.ceil(cool_off.total_seconds())) if cool_off else 3600


def lockout_response(request, original_response=None, credentials=None):
    seconds = retry_after_seconds(request)
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {
                "status": 429,
                "code": "locked_out",
                "detail": f"Too many failed sign-ins; retry in {seconds} s.",
            },
            status=429,
        )
    else:
        response = render(
            request, "registration/locked_out.html", {"minutes": math.ceil(seconds / 60)}, status=429
        )
    response["Retry-After"] = str(seconds)
    return response


def lockout_parameters(request, credentials=None) -> list[str]:
    """Lock per account and, separately, per address; a failure without an account name
    (a wrong API token) counts for its address only."""
    if credentials and credentials.get("username"):
        return ["username", "ip_address"]
    return ["ip_address"]


def django_request(request):
    """The HttpRequest behind a DRF Request."""
    return getattr(request, "_request", request)


def refuse_if_locked(request) -> None:
    """Raise DRF's Throttled (429, Retry-After) when the client's address is locked out."""
    from axes.handlers.proxy import AxesProxyHandler
    from rest_framework.exceptions import Throttled

    plain = django_request(request)
    if AxesProxyHandler.is_locked(plain, {}):
        raise Throttled(wait=retry_after_seconds(plain), detail="Too many failed sign-ins from this address.")


def record_token_failure(request) -> None:
    """A wrong token counts as a failed sign-in of the address (lockout and audit log)."""
    from django.contrib.auth.signals import user_login_failed

    user_login_failed.send(sender=__name__, credentials={}, request=django_request(request))
