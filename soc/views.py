"""Project-level pages: login/logout come from django.contrib.auth; JSON errors for /api/."""

from django.http import JsonResponse
from django.views.defaults import page_not_found
from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import JSONRenderer

from soc.api import error_body


class ApiSchemaView(SpectacularAPIView):
    """The OpenAPI schema (YAML, or JSON with ?format=json). Its errors answer the API's JSON
    error body like every other endpoint, not an error document in YAML."""

    def finalize_response(self, request, response, *args, **kwargs):
        if getattr(response, "exception", False):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


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
