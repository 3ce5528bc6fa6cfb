"""Request parsers for the API.

Django enforces DATA_UPLOAD_MAX_MEMORY_SIZE (VIGIL_MAX_BODY_BYTES) only when
`request.body` is read. Recent DRF reads `request.body` for JSON (Django then raises
RequestDataTooBig, which soc.api maps to 413); a parser handed the raw stream (older
DRF, or a subclass used with another media type) still gets the limit here. Kept out of soc.api: DRF resolves DEFAULT_PARSER_CLASSES while rest_framework.views
is being imported, which soc.api itself imports.
"""

import io

from django.conf import settings
from rest_framework import exceptions, parsers, status


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
