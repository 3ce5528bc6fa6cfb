"""Server-side SVG charts (no script: the page works under a strict CSP), and the rows of
the numbers table beside each chart. Every text is escaped by format_html."""

from __future__ import annotations

import html

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .tables import Table

COLOURS = ["#2f6fb0", "#d9822b", "#3a9b5c", "#a33ea1"]
WIDTH = 640


def _number(value) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _legend(table: Table, y: int) -> SafeString:
    labels = dict(table.columns)
    return format_html_join(
        "",
        '<rect x="{}" y="{}" width="10" height="10" fill="{}"></rect><text x="{}" y="{}" font-size="11">{}</text>',
        (
            (10 + n * 170, y, COLOURS[n % 4], 24 + n * 170, y + 9, labels[key])
            for n, key in enumerate(table.chart_columns)
        ),
    )


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"


def bars(table: Table) -> SafeString:
    """Horizontal bars, one group per row."""
    series = table.chart_columns
    peak = max([_number(row.get(key)) for row in table.rows for key in series] or [0]) or 1.0
    label_width, bar_height = 190, 12
    group_height = bar_height * len(series) + 8
    height = 30 + group_height * max(len(table.rows), 1)
    parts = []
    for n, row in enumerate(table.rows):
        top = 24 + n * group_height
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>',
                label_width - 6,
                top + bar_height,
                _short(str(row.get(table.columns[0][0]))),
            )
        )
        for m, key in enumerate(series):
            value = _number(row.get(key))
            width = (WIDTH - label_width - 60) * value / peak
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                    '<text x="{}" y="{}" font-size="10">{}</text>',
                    label_width,
                    top + m * bar_height,
                    f"{width:.1f}",
                    bar_height - 2,
                    COLOURS[m % 4],
                    f"{label_width + width + 4:.1f}",
                    top + m * bar_height + 9,
                    row.get(key) if row.get(key) is not None else "n/a",
                )
            )
    return _svg(table, height, _legend(table, 4) + mark_safe("".join(parts)))  # noqa: S308 (escaped parts)


def lines(table: Table) -> SafeString:
    """One line per series over the rows (x: the first column, e.g. the day)."""
    series = table.chart_columns
    height, left, bottom, top = 220, 40, 190, 24
    peak = max([_number(row.get(key)) for row in table.rows for key in series] or [0]) or 1.0
    count = max(len(table.rows) - 1, 1)
    parts = [
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888"></line>', left, bottom, WIDTH - 10, bottom
        ),
        format_html('<text x="4" y="{}" font-size="10">{}</text>', top + 4, round(peak, 1)),
        format_html('<text x="4" y="{}" font-size="10">0</text>', bottom),
    ]
    if table.rows:
        first, last = table.rows[0], table.rows[-1]
        key = table.columns[0][0]
        parts.append(
            format_html('<text x="{}" y="{}" font-size="10">{}</text>', left, bottom + 14, first[key])
        )
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>',
                WIDTH - 10,
                bottom + 14,
                last[key],
            )
        )
    for m, key in enumerate(series):
        points = " ".join(
            f"{left + (WIDTH - left - 10) * n / count:.1f},{bottom - (bottom - top) * _number(row.get(key)) / peak:.1f}"
            for n, row in enumerate(table.rows)
        )
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"></polyline>',
                points,
                COLOURS[m % 4],
            )
        )
    return _svg(table, height + 10, _legend(table, 4) + mark_safe("".join(parts)))  # noqa: S308 (escaped parts)


def _svg(table: Table, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="chart-{}-title" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        '<title id="chart-{}-title">{} (chart; the numbers are in the table below)</title>{}</svg>',
        table.key,
        WIDTH,
        height,
        table.key,
        table.title,
        body,
    )


def chart(table: Table) -> SafeString:
    if table.chart == "lines":
        return lines(table)
    if table.chart == "bars" and table.rows:
        return bars(table)
    return SafeString("")


def body_rows(table: Table) -> SafeString:
    """The rows of the table's <tbody>: the first cell a row header, an empty cell "—".
    Written here rather than by a template loop: a year has three tables of 365 days,
    which the template engine took about 30 ms to write (localizing every number) and
    this about 4. Numbers are written as str() writes them, as the template did for the
    project's locale (en-us, no thousand separator); every cell is escaped (html.escape,
    which is what Django's escape() calls, without building a SafeString per cell)."""
    if not table.rows:
        return format_html('<tr><td colspan="{}">No data in this range.</td></tr>', len(table.columns))
    rows = []
    for cells in table.cells():
        head, *rest = ("—" if cell is None else html.escape(str(cell)) for cell in cells)
        rows.append(f'<tr><th scope="row">{head}</th>{"".join(f"<td>{cell}</td>" for cell in rest)}</tr>')
    return mark_safe("\n".join(rows))  # noqa: S308 (every cell escaped)
