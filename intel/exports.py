"""Exporting reference data as CSV, in exactly the columns the importers read back.

Cells starting with = + - @ or a tab/CR are prefixed with a single quote so a
spreadsheet never evaluates them as formulas (CSV injection); the importer strips that
quote again, so export -> import round-trips.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from .models import NETWORK_FIELDS, PARTNER_FIELDS, BusinessPartner, KnownNetwork

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NETWORK_COLUMNS = NETWORK_FIELDS
PARTNER_COLUMNS = PARTNER_FIELDS


def escape_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def unescape_cell(text: str) -> str:
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def _csv(columns: tuple[str, ...], rows: Iterable[Iterable]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([escape_cell(v) for v in row])
    return out.getvalue()


def networks_csv(queryset=None) -> str:
    queryset = KnownNetwork.objects.order_by("list", "cidr", "source") if queryset is None else queryset
    return _csv(
        NETWORK_COLUMNS,
        (
            (
                n.cidr,
                n.list,
                n.label,
                n.source,
                n.expires_at.isoformat() if n.expires_at else "",
                "yes" if n.shared else "no",
            )
            for n in queryset.iterator(chunk_size=5000)
        ),
    )


def partners_csv(queryset=None) -> str:
    queryset = BusinessPartner.objects.order_by("name") if queryset is None else queryset
    return _csv(
        PARTNER_COLUMNS,
        (
            (
                p.name,
                ";".join(p.domains or []),
                ";".join(p.networks or []),
                p.contract_start.isoformat() if p.contract_start else "",
                p.contract_end.isoformat() if p.contract_end else "",
                p.criticality,
                p.contacts,
                p.notes,
            )
            for p in queryset
        ),
    )
