"""Request parsers for the API.

Django enforces DATA_UPLOAD_MAX_MEMORY_SIZE (VIGIL_MAX_BODY_BYTES) only when
`request.body` is read. Recent DRF reads `request.body` for JSON (Django then raises
RequestDataTooBig, which soc.api maps to 413); a parser handed the raw stream (older
DRF, or a subclass used with another media type) still gets the limit here. Kept out of soc.api: DRF resolves DEFAULT_PARSER_CLASSES while rest_framework.views
is being imported, which soc.api itself imports.
"""

import io
import re

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


# Containers deeper than this are refused: nothing legitimate nests so deep, and deep
# nesting is how a JSON body makes recursive code (serialisers, renderers) fail.
MAX_DEPTH = 64
# A NUL can only reach a parsed string through this escape (a raw 0x00 byte is not valid
# JSON inside a string), so a body without it needs no walk.
_NUL_ESCAPE = b"\\u0000"


def check_structure(data, *, max_depth: int | None, allow_nul: bool) -> None:
    """Raise ParseError for containers nested deeper than max_depth (None: no limit) or,
    unless allow_nul, for U+0000 in a string or key. Iterative: deep input cannot make it
    recurse."""
    if isinstance(data, str):
        if not allow_nul and "\x00" in data:
            raise exceptions.ParseError(NUL_MESSAGE)
        return
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
            if not allow_nul and any("\x00" in key for key in value):
                raise exceptions.ParseError(NUL_MESSAGE)
        elif isinstance(value, list):
            children = value
        else:
            continue
        if max_depth is not None and depth > max_depth:
            raise exceptions.ParseError(f"JSON parse error - nested deeper than {max_depth} levels.")
        for child in children:
            if isinstance(child, str):
                if not allow_nul and "\x00" in child:
                    raise exceptions.ParseError(NUL_MESSAGE)
            elif isinstance(child, dict | list):
                stack.append((child, depth + 1))


NUL_MESSAGE = "JSON parse error - strings may not contain U+0000 (NUL): it cannot be stored."

# A lone UTF-16 surrogate (U+D800..U+DFFF) can only reach a parsed string through a
# `\uD8xx`..`\uDFxx` escape (raw bytes that encode one are not valid UTF-8 and fail to
# decode), so a body without such an escape needs no walk. Python keeps the lone surrogate
# in the str; it cannot be encoded to UTF-8, so every write of it to the database fails.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
SURROGATE_MESSAGE = (
    "Contains a lone UTF-16 surrogate (\\ud800-\\udfff), which is not a character: send valid Unicode."
)


def may_contain_surrogate(body: bytes) -> bool:
    return _SURROGATE_ESCAPE.search(body) is not None


def _unencodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def lone_surrogate_path(data) -> str | None:
    """The path (`title`, `observables[0].value`, `raw.<key>`) of the first string or key
    holding a lone surrogate, or None. Iterative: deep input cannot make it recurse."""
    stack = [(data, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if _unencodable(value):
                return path or "non_field_errors"
        elif isinstance(value, dict):
            for key, child in value.items():
                key_text = str(key)
                child_path = f"{path}.{key_text}" if path else key_text
                if _unencodable(key_text):
                    return (path + "." if path else "") + key_text.encode("utf-8", "replace").decode()
                stack.append((child, child_path))
        elif isinstance(value, list):
            stack.extend((child, f"{path}[{n}]") for n, child in enumerate(value))
    return None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the project's body-size limit (413 instead of reading it all),
    and 400 (ParseError) instead of a 500 for:

    - JSON nested deeper than MAX_DEPTH, or too deep for Python's parser (RecursionError);
    - U+0000 in any string or key: PostgreSQL cannot store it in text or jsonb, so the
      write would fail. Refused rather than altered: a NUL in a comment or a note is a
      client bug the client should hear about.

    Subclasses may relax `max_depth` / `allow_nul` when the view checks the body itself.
    """

    max_depth: int | None = MAX_DEPTH
    allow_nul = False

    def parse(self, stream, media_type=None, parser_context=None):
        body = read_limited(stream)
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from exc
        data = self.checked(data, body)
        if may_contain_surrogate(body):
            self.surrogates_found(data, parser_context or {})
        return data

    def surrogates_found(self, data, parser_context) -> None:
        """A body whose text escapes a surrogate: 400 naming the field holding a lone one."""
        path = lone_surrogate_path(data)
        if path is not None:
            raise exceptions.ValidationError({path: [SURROGATE_MESSAGE]})

    def checked(self, data, body: bytes):
        """The parsed body after the depth and NUL checks. Cheap pre-checks on the bytes
        (C speed) first; the walk runs only when one of them can fail."""
        deep = self.max_depth is not None and may_be_deeper_than(body, self.max_depth)
        nul = not self.allow_nul and may_contain_nul(body)
        if deep or nul:
            check_structure(data, max_depth=self.max_depth, allow_nul=self.allow_nul)
        return data


def may_be_deeper_than(body: bytes, depth: int) -> bool:
    """False when the JSON text cannot nest deeper than `depth`: it has no more brackets."""
    return body.count(b"[") + body.count(b"{") > depth


def nested_deeper_than(data, depth: int) -> bool:
    """Whether parsed JSON nests more than `depth` containers deep. Level by level, looking
    only at containers (a few times cheaper than check_structure's walk, which also looks
    into every string)."""
    level = [data] if type(data) in _CONTAINERS else []
    for _ in range(depth):
        if not level:
            return False
        level = [
            child
            for container in level
            for child in (container.values() if type(container) is dict else container)
            if type(child) in _CONTAINERS
        ]
    return bool(level)


_CONTAINERS = frozenset({dict, list})


def may_contain_nul(body: bytes) -> bool:
    """False when no parsed string of this JSON text can contain U+0000."""
    return _NUL_ESCAPE in body
