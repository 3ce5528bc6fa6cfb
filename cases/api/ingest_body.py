"""Reading an ingest request's body: the JSON parser the ingest endpoints use, and the
single walk over the parsed body that bounds its depth and keeps alerts containing NUL."""

from soc.parsers import JSONParser

# Containers deeper than this are refused: nothing legitimate nests so deep, and deep
# nesting is how a JSON body makes recursive code (serialisers included) fail.
MAX_DEPTH = 64


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
    """The shared parser (size limit, RecursionError -> 400) without its depth and NUL
    checks: the view runs `scrub`, which checks depth and keeps an alert that contains
    NUL (replaced) rather than refusing it, in the same single walk."""

    max_depth = None
    allow_nul = True


__all__ = ["MAX_DEPTH", "IngestJSONParser", "TooDeep", "scrub"]
