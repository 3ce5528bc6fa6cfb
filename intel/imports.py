"""Importing reference data: CSV files of known networks and partners, and threat feeds.

Every importer returns an `ImportReport`: counts plus one `RowError` per problem with the
row number (the header is row 1, as a spreadsheet shows it; for feeds, the line number),
the column and what is wrong. A bad row is skipped and the others are imported; with
`strict=True` nothing is imported when any row is bad. Rows are written in one
transaction, so a file is never half imported. An import that writes leaves, in the same
transaction, one audit summary row (counts and `file`) and one row per entry it created
or changed (intel.audit); one refused outright (strict, broken header) changes nothing
and leaves none.

CSV columns:
- networks: cidr,list,label,source,expires_at[,shared] (cidr and list required; expires_at ISO
  8601; shared: yes/no, 1/0 or true/false, empty = no: shared infrastructure never joins cases)
- partners: name,domains,networks,contract_start,contract_end,criticality,contacts[,notes]
  (lists separated by ';'; dates YYYY-MM-DD)
Threat feeds are in intel.feeds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Hashable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime

from dateutil import parser as dateparser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import audit
from .exports import unescape_cell
from .models import NETWORK_FIELDS, PARTNER_FIELDS, BusinessPartner, KnownNetwork, ReferenceChange
from .services import check_can_manage, reference_changed
from .validators import normalize_domain_strict, normalize_network

NETWORK_COLUMNS = NETWORK_FIELDS
TRUE_WORDS = {"1", "yes", "y", "true", "t", "shared"}
FALSE_WORDS = {"", "0", "no", "n", "false", "f"}
NETWORK_REQUIRED = ("cidr", "list")
PARTNER_COLUMNS = PARTNER_FIELDS
PARTNER_REQUIRED = ("name",)
MAX_ROWS = 200_000
MAX_FEED_ENTRIES = 500_000


@dataclass
class RowError:
    row: int
    column: str
    problem: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.problem}"


@dataclass
class ImportReport:
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: bool = True
    strict: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def skip(self, *problems: RowError) -> None:
        """A bad row (or feed line): its problems are reported, the row is not imported."""
        self.errors.extend(problems)
        self.skipped += 1

    def summary(self) -> str:
        if not self.imported:
            return f"{self.kind}: nothing imported ({len(self.errors)} problem(s){', strict mode' if self.strict else ''})"
        parts = [f"{self.created} created", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        if self.removed:
            parts.append(f"{self.removed} removed")
        if self.skipped:
            parts.append(f"{self.skipped} row(s) skipped")
        return f"{self.kind}: " + ", ".join(parts)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["summary"] = self.summary()
        return data


def _text(data: bytes | str) -> str:
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("latin-1")
    return data.removeprefix("\ufeff")


def _rows(text: str, columns: tuple[str, ...], required: tuple[str, ...], report: ImportReport):
    """(row number, {column: value}) for each data row; header problems go to the report."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        report.errors.append(RowError(1, "", "the file is empty (a header row is required)"))
        return
    names = [h.strip().lower() for h in header]
    unknown = [n for n in names if n and n not in columns]
    missing = [c for c in required if c not in names]
    if unknown:
        report.errors.append(
            RowError(1, ",".join(unknown), f"unknown column(s); expected: {','.join(columns)}")
        )
    if missing:
        report.errors.append(RowError(1, ",".join(missing), "required column(s) missing"))
    if unknown or missing:
        return
    for number, values in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            report.errors.append(RowError(number, "", f"more than {MAX_ROWS} rows; the rest is ignored"))
            return
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(names):
            report.skip(RowError(number, "", f"{len(values)} values for {len(names)} columns"))
            continue
        row = {
            name: unescape_cell(values[i].strip()) if i < len(values) else "" for i, name in enumerate(names)
        }
        yield number, row


def _parse_datetime(value: str) -> datetime:
    parsed = dateparser.isoparse(value)
    if isinstance(parsed, datetime) and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _parse_date(value: str) -> date:
    return date.fromisoformat(value)


def _finish(report: ImportReport, strict: bool) -> bool:
    """Whether to write anything: not in strict mode with errors, not with a header error."""
    header_broken = any(e.row == 1 for e in report.errors)
    if header_broken or (strict and report.errors):
        report.imported = False
        return False
    return True


@dataclass(frozen=True)
class _CsvSpec:
    """One kind of CSV import: its columns, how a row is read into (key, values) (its
    problems appended to the list given), and how the wanted entries are written."""

    kind: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    read_row: Callable[[int, dict, list[RowError]], tuple[Hashable, dict]]
    write: Callable[..., None]
    # A row repeating an earlier row's key is reported in this column, with this note.
    key_column: str
    key_note: str = ""


def _import_csv(data: bytes | str, spec: _CsvSpec, *, by, strict: bool, via: str, file: str) -> ImportReport:
    """Read every row with `spec.read_row`, skip the bad ones and the repeats of a key an
    earlier row had, then write what is wanted with `spec.write` (unless _finish says no)."""
    check_can_manage(by)
    report = ImportReport(kind=spec.kind, strict=strict)
    wanted: dict = {}
    first_row: dict = {}
    for number, row in _rows(_text(data), spec.columns, spec.required, report):
        problems: list[RowError] = []
        key, values = spec.read_row(number, row, problems)
        if not problems and key in wanted:
            problems.append(
                RowError(number, spec.key_column, f"duplicate of row {first_row[key]}{spec.key_note}")
            )
        if problems:
            report.skip(*problems)
            continue
        wanted[key] = values
        first_row[key] = number
    if _finish(report, strict):
        spec.write(wanted, report, by=by, via=via, file=file)
    return report


# --- Known networks -------------------------------------------------------------------


def import_networks_csv(
    data: bytes | str, *, by, strict: bool = False, via: str = ReferenceChange.Via.SYSTEM, file: str = ""
) -> ImportReport:
    """Create or update known networks from CSV (keyed on cidr + list + source)."""
    return _import_csv(data, NETWORKS_CSV, by=by, strict=strict, via=via, file=file)


def _network_row(number: int, row: dict, problems: list[RowError]) -> tuple[tuple[str, str, str], dict]:
    """One network row's key (cidr, list, source) and fields; its problems go to `problems`."""
    cidr = ""
    try:
        cidr = normalize_network(row.get("cidr", ""))
    except ValidationError as exc:
        problems.append(RowError(number, "cidr", " ".join(exc.messages)))
    list_name = row.get("list", "").lower()
    if list_name not in KnownNetwork.List.values:
        problems.append(
            RowError(
                number, "list", f"{row.get('list')!r} is not one of {', '.join(KnownNetwork.List.values)}"
            )
        )
    label, source = row.get("label", ""), row.get("source", "")
    if len(label) > 200:
        problems.append(RowError(number, "label", "longer than 200 characters"))
    if len(source) > 100:
        problems.append(RowError(number, "source", "longer than 100 characters"))
    expires_at = None
    if row.get("expires_at"):
        try:
            expires_at = _parse_datetime(row["expires_at"])
        except (ValueError, OverflowError):
            problems.append(
                RowError(number, "expires_at", f"{row['expires_at']!r} is not an ISO 8601 date/time")
            )
    shared_text = row.get("shared", "").lower()
    if shared_text not in TRUE_WORDS | FALSE_WORDS:
        problems.append(RowError(number, "shared", f"{row['shared']!r} is not yes/no (1/0, true/false)"))
    return (cidr, list_name, source), {
        "cidr": cidr,
        "list": list_name,
        "label": label,
        "source": source,
        "expires_at": expires_at,
        "shared": shared_text in TRUE_WORDS,
    }


@transaction.atomic
def _write_networks(wanted: dict[tuple[str, str, str], dict], report: ImportReport, *, by, via, file) -> None:
    existing: dict[tuple[str, str, str], KnownNetwork] = {}
    cidrs = sorted({key[0] for key in wanted})
    for chunk_start in range(0, len(cidrs), 1000):
        for network in KnownNetwork.objects.select_for_update().filter(
            cidr__in=cidrs[chunk_start : chunk_start + 1000]
        ):
            existing[(network.cidr, network.list, network.source)] = network
    now = timezone.now()
    to_create, to_update, before = [], [], []
    for key, values in wanted.items():
        current = existing.get(key)
        if current is None:
            to_create.append(KnownNetwork(**values))
        elif (current.label, current.expires_at, current.shared) != (
            values["label"],
            values["expires_at"],
            values["shared"],
        ):
            before.append(audit.snapshot(current))
            current.label, current.expires_at, current.updated_at = values["label"], values["expires_at"], now
            current.shared = values["shared"]
            to_update.append(current)
        else:
            report.unchanged += 1
    KnownNetwork.objects.bulk_create(to_create, batch_size=2000)
    KnownNetwork.objects.bulk_update(
        to_update, ["label", "expires_at", "shared", "updated_at"], batch_size=2000
    )
    report.created, report.updated = len(to_create), len(to_update)
    summary = audit.record_import(kind=ReferenceChange.Kind.NETWORK, report=report, by=by, via=via, file=file)
    audit.record_import_entries(
        summary, created=to_create, changed=zip(to_update, before, strict=True), by=by
    )
    if to_create or to_update:
        reference_changed()


# --- Business partners ----------------------------------------------------------------


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _normalised_cells(row: dict, column: str, normalise, number: int, problems: list) -> list[str]:
    """The cell's list (separated by ';'), each value normalised, without repeats; a bad
    value is a problem of its row."""
    values: list[str] = []
    for value in _split(row.get(column, "")):
        try:
            normalised = normalise(value)
        except ValidationError as exc:
            problems.append(RowError(number, column, " ".join(exc.messages)))
            continue
        if normalised not in values:
            values.append(normalised)
    return values


def import_partners_csv(
    data: bytes | str, *, by, strict: bool = False, via: str = ReferenceChange.Via.SYSTEM, file: str = ""
) -> ImportReport:
    """Create or update partners from CSV (keyed on the name, case-insensitive)."""
    return _import_csv(data, PARTNERS_CSV, by=by, strict=strict, via=via, file=file)


def _partner_row(number: int, row: dict, problems: list[RowError]) -> tuple[str, dict]:
    """One partner row's key (the name, lowercased) and fields; its problems go to `problems`."""
    name = row.get("name", "")
    if not name:
        problems.append(RowError(number, "name", "required"))
    elif len(name) > 200:
        problems.append(RowError(number, "name", "longer than 200 characters"))
    domains = _normalised_cells(row, "domains", normalize_domain_strict, number, problems)
    networks = _normalised_cells(row, "networks", normalize_network, number, problems)
    dates: dict[str, date | None] = {}
    for column in ("contract_start", "contract_end"):
        dates[column] = None
        if row.get(column):
            try:
                dates[column] = _parse_date(row[column])
            except ValueError:
                problems.append(RowError(number, column, f"{row[column]!r} is not a date (YYYY-MM-DD)"))
    if dates["contract_start"] and dates["contract_end"] and dates["contract_end"] < dates["contract_start"]:
        problems.append(RowError(number, "contract_end", "the contract ends before it starts"))
    criticality = (row.get("criticality") or BusinessPartner.Criticality.MEDIUM).lower()
    if criticality not in BusinessPartner.Criticality.values:
        problems.append(
            RowError(
                number,
                "criticality",
                f"{row['criticality']!r} is not one of {', '.join(BusinessPartner.Criticality.values)}",
            )
        )
    values = {
        "name": name,
        "domains": domains,
        "networks": networks,
        "criticality": criticality,
        "contacts": row.get("contacts", ""),
        **dates,
    }
    if "notes" in row:
        values["notes"] = row["notes"]
    return name.lower(), values


@transaction.atomic
def _write_partners(wanted: dict[str, dict], report: ImportReport, *, by, via, file) -> None:
    existing = {p.name.lower(): p for p in BusinessPartner.objects.select_for_update()} if wanted else {}
    created, changed = [], []
    for key, values in wanted.items():
        partner = existing.get(key)
        if partner is None:
            created.append(BusinessPartner.objects.create(**values))
            continue
        if all(getattr(partner, name) == value for name, value in values.items()):
            report.unchanged += 1
            continue
        before = audit.snapshot(partner)
        for name, value in values.items():
            setattr(partner, name, value)
        partner.save()
        changed.append((partner, before))
    report.created, report.updated = len(created), len(changed)
    summary = audit.record_import(kind=ReferenceChange.Kind.PARTNER, report=report, by=by, via=via, file=file)
    audit.record_import_entries(summary, created=created, changed=changed, by=by)
    if created or changed:
        reference_changed()


NETWORKS_CSV = _CsvSpec(
    kind="networks",
    columns=NETWORK_COLUMNS,
    required=NETWORK_REQUIRED,
    read_row=_network_row,
    write=_write_networks,
    key_column="cidr",
    key_note=" (same cidr, list and source)",
)
PARTNERS_CSV = _CsvSpec(
    kind="partners",
    columns=PARTNER_COLUMNS,
    required=PARTNER_REQUIRED,
    read_row=_partner_row,
    write=_write_partners,
    key_column="name",
)
