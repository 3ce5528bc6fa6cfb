"""CSV output, streamed. Cells are attacker-controlled (alert titles): a cell that a
spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed with an apostrophe
(OWASP's CSV-injection advice)."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def safe_cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_START):
        try:
            float(text)  # a negative number is a number, not a formula
        except ValueError:
            return "'" + text
    return text


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterable[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CSVRenderer(BaseRenderer):
    """Lets DRF accept ?format=csv; the views answer CSV themselves (streamed)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors reach a renderer here (the views stream their CSV): say it as text.
        if isinstance(data, dict):
            return "\n".join(f"{key}: {value}" for key, value in data.items()).encode()
        return str(data).encode()
