"""A metrics table: what the page draws as a chart, lists as a table and exports as CSV."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[dict] = field(default_factory=list)
    # How the page charts it: "bars" (one bar group per row) or "lines" (x = first column).
    chart: str = "bars"
    chart_columns: list[str] = field(default_factory=list)
    unit: str = ""

    def cells(self) -> list[list]:
        return [[row.get(key) for key, _ in self.columns] for row in self.rows]

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "unit": self.unit,
            "columns": [{"key": key, "label": label} for key, label in self.columns],
            "rows": [{key: row.get(key) for key, _ in self.columns} for row in self.rows],
        }


def minutes(seconds: float | None) -> float | None:
    return round(seconds / 60, 1) if seconds is not None else None


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
