"""One entry point for the page, the API and the CSV: filters in, tables out."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from .period import PeriodForm
from .queries import metrics_tables
from .tables import Table


def tables_for(form: PeriodForm, finish: Callable[[Table], None] | None = None) -> list[Table]:
    """The tables for a valid form (``finish``: see ``metrics_tables``)."""
    return metrics_tables(form.period(), timezone.now(), finish)


def table_csv_rows(table: Table) -> tuple[list[str], list[list]]:
    return [label for _, label in table.columns], table.cells()
