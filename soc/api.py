"""API plumbing shared by every app: pagination and one error format.

Every error answers JSON of the same shape:
    {"status": 400, "code": "invalid", "detail": "Invalid input.", "errors": {"field": ["..."]}}
`errors` appears for validation failures; domain errors add their data (e.g. the
current status and the allowed transitions for a 409).
"""

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from soc.errors import DomainError

# Re-exported: API modules import the parser and the 413 error from here.
from soc.parsers import JSONParser, RequestTooLarge, read_limited

__all__ = [
    "NOT_AUTHENTICATED",
    "ErrorOutput",
    "JSONParser",
    "RequestTooLarge",
    "StandardPagination",
    "error_body",
    "error_response",
    "exception_handler",
    "read_limited",
]


class ErrorOutput(serializers.Serializer):
    """The error shape above, for the OpenAPI schema of every app's API."""

    status = serializers.IntegerField()
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(required=False, help_text="Field errors (400).")
    current_status = serializers.CharField(required=False, help_text="The case's status (409).")
    allowed = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The actions allowed now (409)."
    )


def error_response(description: str, **kwargs) -> OpenApiResponse:
    """One error answer of an endpoint's OpenAPI schema, in the shared shape."""
    return OpenApiResponse(ErrorOutput, description=description, **kwargs)


NOT_AUTHENTICATED = error_response("Not authenticated.")


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response_schema(self, schema):
        # DRF spells "may be null" the OpenAPI 3.0 way (`nullable`); the schema is 3.1.
        paginated = super().get_paginated_response_schema(schema)
        for link in ("next", "previous"):
            field = paginated["properties"][link]
            field.pop("nullable", None)
            field["type"] = ["string", "null"]
        return paginated


def error_body(status_code: int, code: str, detail, **extra) -> dict:
    return {"status": status_code, "code": code, "detail": detail, **extra}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(error_body(exc.status, exc.code, exc.message, **exc.data), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Django raises this when request.body passes DATA_UPLOAD_MAX_MEMORY_SIZE.
        exc = RequestTooLarge()

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
