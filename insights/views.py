"""HTML views of the insights app: the metrics page (SOC managers) and its CSV tables."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from soc.csv import csv_response

from .metrics.charts import body_rows, chart
from .metrics.period import PeriodForm
from .metrics.services import table_csv_rows, tables_for

MANAGER = "cases.assign_any"


def _draw(table) -> None:
    """The table's chart and rows, drawn in the stream that computed it (``metrics_tables``)."""
    table.svg, table.body = chart(table), body_rows(table)


@require_GET
@permission_required(MANAGER, raise_exception=True)
def metrics_page(request):
    form = PeriodForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "insights/metrics.html", {"form": form, "tables": []}, status=400)
    if not request.GET:
        form = PeriodForm.with_defaults()
    tables = tables_for(form, finish=_draw)
    query = request.GET.urlencode()
    return render(request, "insights/metrics.html", {"form": form, "tables": tables, "query": query})


@require_GET
@permission_required(MANAGER, raise_exception=True)
def metrics_csv(request, key: str):
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "insights/metrics.html", {"form": form, "tables": []}, status=400)
    found = {table.key: table for table in tables_for(form)}
    if key not in found:
        raise Http404("No such table.")
    header, rows = table_csv_rows(found[key])
    return csv_response(f"vigil-{key}.csv", header, rows)
