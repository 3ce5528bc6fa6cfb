"""Reading an ingest request's body: the JSON parser the ingest endpoints use, and the
single walk over the parsed body that bounds its depth and keeps alerts containing NUL."""

from rest_framework import exceptions

from soc.parsers import (
    MAX_DEPTH,
    SURROGATE_MESSAGE,
    JSONParser,
    lone_surrogate_path,
    may_be_deeper_than,
    may_contain_nul,
    nested_deeper_than,
)

# Set on the request by the parser when the body escapes a surrogate: only then does the
# view look into each alert for a lone one (`alert_surrogate_errors`).
SURROGATES_FLAG = "_vigil_body_escapes_surrogates"


class TooDeep(Exception):
    pass


def scrub(data, max_depth: int):
    """Check nesting depth and replace NUL characters, in one pass over the parsed body.

    PostgreSQL cannot store U+0000 in text or jsonb, and some log sources do emit it; it
    becomes U+FFFD so the alert is kept rather than refused. Raises TooDeep past max_depth.
    """
    if isinstance(data, str):
        return data.replace("\x00", "\ufffd")
    if not isinstance(data, dict | list):
        return data
    stack = [(data, 1)]
    while stack:
        container, depth = stack.pop()
        if depth > max_depth:
            raise TooDeep
        if isinstance(container, dict):
            if any("\x00" in key for key in container):
                items = [(k.replace("\x00", "\ufffd"), v) for k, v in container.items()]
                container.clear()
                container.update(items)
            entries = container.items()
        else:
            entries = enumerate(container)
        for key, value in list(entries):
            if isinstance(value, str):
                if "\x00" in value:
                    container[key] = value.replace("\x00", "\ufffd")
            elif isinstance(value, dict | list):
                stack.append((value, depth + 1))
    return data


class IngestJSONParser(JSONParser):
    """The shared parser (size limit, RecursionError -> 400), except that a body with
    U+0000 is kept, the character replaced (`scrub`), rather than refused: alerts are
    evidence. Deeper than MAX_DEPTH is a 400 as everywhere. The walk runs only when the
    bytes show it can change or refuse something."""

    def surrogates_found(self, data, parser_context) -> None:
        # Not refused here: in a batch only the alert holding one fails (the view asks).
        request = parser_context.get("request")
        if request is not None:
            setattr(request, SURROGATES_FLAG, True)

    def checked(self, data, body: bytes):
        if may_contain_nul(body):
            try:
                return scrub(data, MAX_DEPTH)
            except TooDeep:
                raise _too_deep() from None
        if may_be_deeper_than(body, MAX_DEPTH) and nested_deeper_than(data, MAX_DEPTH):
            raise _too_deep()
        return data


def alert_surrogate_errors(request, item) -> dict | None:
    """Field errors for one alert of the body holding a lone surrogate (None: it has none)."""
    if not getattr(request, SURROGATES_FLAG, False):
        return None
    path = lone_surrogate_path(item)
    return None if path is None else {path: [SURROGATE_MESSAGE]}


def _too_deep() -> exceptions.ParseError:
    return exceptions.ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.")


__all__ = ["MAX_DEPTH", "IngestJSONParser", "alert_surrogate_errors", "scrub"]
