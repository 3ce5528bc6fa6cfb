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
            {"status": 429, "code": "locked_out", "detail": f"Too many failed sign-ins; retry in {seconds} s."},
            status=429,
        )
    else:
        response = render(
            request, "registration/locked_out.html", {"minutes": math.ceil(seconds / 60)}, status=429
        )
    response["Retry-After"] = str(seconds)
    return response
