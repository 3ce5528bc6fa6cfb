"""Every HTML page requires a login; the machine-facing paths authenticate themselves."""

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpResponse, JsonResponse

from soc.internals import replace_request_body

# DRF authenticates API calls (tokens answer 401, not a redirect), the blocklist feed
# uses HTTP basic auth for firewalls, and /healthz is for load balancers.
SELF_AUTHENTICATING_PREFIXES = ("/api/", "/feeds/", "/healthz")


class LoginRequiredMiddleware(DjangoLoginRequired):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(SELF_AUTHENTICATING_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class RequestBodyMiddleware:
    """One body limit (DATA_UPLOAD_MAX_MEMORY_SIZE, VIGIL_MAX_BODY_BYTES) for every request
    and content type, and chunked bodies read.

    Django applies its limit only to `request.body` and to form fields, never to uploaded
    files, so a multipart upload could be any size: a declared Content-Length over the limit
    is a 413 here, before anything is read. A chunked body (Transfer-Encoding, no
    Content-Length; gunicorn hands it over de-chunked) would otherwise read as empty, since
    Django reads exactly Content-Length bytes: it is read here, up to the limit, and passed
    on with its length.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared.strip().isdigit():
            if limit is not None and int(declared) > limit:
                return too_large(request, limit)
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            stream = request.META["wsgi.input"]
            body = stream.read() if limit is None else stream.read(limit + 1)
            if limit is not None and len(body) > limit:
                return too_large(request, limit)
            replace_request_body(request, body)
        return self.get_response(request)


def too_large(request, limit: int) -> HttpResponse:
    detail = f"Request body is larger than {limit} bytes."
    if request.path_info.startswith("/api/"):
        return JsonResponse({"status": 413, "code": "too_large", "detail": detail}, status=413)
    return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")
