"""API plumbing shared by every app: pagination and one error format.

Every error answers JSON of the same shape:
    {"status": 400, "code": "invalid", "detail": "Invalid input.", "errors": {"field": ["..."]}}
`errors` appears for validation failures; domain errors add their data (e.g. the
current status and the allowed transitions for a 409).
"""

import io

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, parsers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from soc.errors import DomainError


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "too_large"


def read_limited(stream) -> bytes:
    """Read a request body, refusing more than DATA_UPLOAD_MAX_MEMORY_SIZE bytes with a 413.

    Django enforces that limit only when `request.body` is read; DRF parsers read the
    stream directly, so API parsers must bound it themselves (a declared Content-Length
    is refused before anything is read; a chunked body is cut at limit + 1 bytes).
    """
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    declared = getattr(stream, "META", {}).get("CONTENT_LENGTH")
    if limit is not None and declared and declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge(f"Request body is larger than {limit} bytes.")
    body = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(body) > limit:
        raise RequestTooLarge(f"Request body is larger than {limit} bytes.")
    return body


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the project's body-size limit (413 instead of reading it all)."""

    def parse(self, stream, media_type=None, parser_context=None):
        return super().parse(io.BytesIO(read_limited(stream)), media_type, parser_context)


def error_body(status_code: int, code: str, detail, **extra) -> dict:
    return {"status": status_code, "code": code, "detail": detail, **extra}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(error_body(exc.status, exc.code, exc.message, **exc.data), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            status.HTTP_400_BAD_REQUEST,
            "invalid",
            "Invalid input.",
            errors=exc.detail,
        )
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if not isinstance(code, str):
            code = "error"
        response.data = error_body(response.status_code, code, detail)
    return response
