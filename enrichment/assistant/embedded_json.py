"""JSON objects written into an alert's text ("Netskope alert: {"alert_name": ..., "file_size":
"2.1 GB", "baseline_30d": "1.9-2.3 GB per month-end run"}"), read as the fields they are:
one `path: value` line per field, so that each is a sentence of its own and a baseline is
not merged with the count it explains.
"""

from __future__ import annotations

import json

_DECODER = json.JSONDecoder()
MAX_FIELDS = 200


def _lines(value, path: str = "") -> list[str]:
    if isinstance(value, dict):
        return [
            line
            for key, item in value.items()
            for line in _lines(item, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(value, list):
        if all(not isinstance(item, dict | list) for item in value):
            return [f"{path}: {', '.join(str(item) for item in value)}"] if value else []
        return [line for item in value for line in _lines(item, path)]
    if value is None or value == "":
        return []
    return [f"{path}: {value}" if path else str(value)]


def as_field_lines(text: str) -> str:
    """`text` with each JSON object in it (one that parses, with at least two leaf fields)
    replaced by its fields, one `path: value` per line; any other text is kept."""
    if "{" not in (text or ""):
        return text or ""
    out, position = [], 0
    while (start := text.find("{", position)) != -1:
        try:
            value, end = _DECODER.raw_decode(text, start)
        except ValueError:
            out.append(text[position : start + 1])
            position = start + 1
            continue
        lines = _lines(value)[:MAX_FIELDS] if isinstance(value, dict) else []
        lines = lines if len(lines) > 1 else None
        out.append(text[position:start])
        out.append("\n" + "\n".join(lines) + "\n" if lines else text[start:end])
        position = end
    out.append(text[position:])
    return "".join(out)
