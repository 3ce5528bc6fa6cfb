"""Project-level pages: login/logout come from django.contrib.auth; JSON errors for /api/."""

from django.http import JsonResponse
from django.views.defaults import page_not_found

from soc.api import error_body


def not_found(request, exception=None):
    if request.path_info.startswith("/api/"):
        return JsonResponse(error_body(404, "not_found", "Not found."), status=404)
    return page_not_found(request, exception)


def server_error(request):
    from django.views.defaults import server_error as html_server_error

    if request.path_info.startswith("/api/"):
        return JsonResponse(
            error_body(500, "server_error", "Internal error; it has been logged."), status=500
        )
    return html_server_error(request)
