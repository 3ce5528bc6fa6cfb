"""Threat feeds: a plain-text list of IPs, CIDRs or ranges imported into the malicious
list under a source name, replacing that source's previous entries atomically.

One entry per line; `#` comments, `;` comment lines and text after the first space
(PAN-OS EDL style: "203.0.113.7 scanner") are ignored; `a-b` ranges become CIDRs.
Problems are reported per line (`RowError(line, "value", problem)`). Entries the feed
still lists keep their row (and the shared flag a manager set); their label and expiry
follow the feed. Audited like the CSV imports: one summary row plus one per entry added,
changed or removed.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import audit
from .imports import ImportReport, RowError, _text
from .models import KnownNetwork, ReferenceChange
from .services import check_can_manage, reference_changed
from .validators import normalize_network

MAX_FEED_ENTRIES = 500_000
CHUNK = 2000  # ids per statement: SQLite caps a statement's parameters

FEED_RANGE = re.compile(r"^([0-9a-fA-F.:]+)\s*-\s*([0-9a-fA-F.:]+)(?:\s|$)")


def parse_feed_line(line: str) -> list[str]:
    """The networks one feed line names ([] for blanks and comments); ValueError if bad."""
    text = line.split("#", 1)[0].strip()
    if not text or text.startswith(";"):
        return []
    found = FEED_RANGE.match(text)
    if found:
        try:
            start, end = ipaddress.ip_address(found.group(1)), ipaddress.ip_address(found.group(2))
            return [normalize_network(str(n)) for n in ipaddress.summarize_address_range(start, end)]
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"{found.group(0).strip()[:60]!r} is not a valid address range ({exc})"
            ) from None
    try:
        return [normalize_network(text.split()[0])]
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from None


def import_feed(
    data: bytes | str,
    *,
    source: str,
    by,
    label: str = "",
    expires_at: datetime | None = None,
    strict: bool = False,
    via: str = ReferenceChange.Via.SYSTEM,
    file: str = "",
) -> ImportReport:
    """Replace the `malicious` entries of `source` with the feed's entries, atomically.

    Bad lines are reported and skipped (or, with strict, nothing changes). A feed with no
    valid entry at all but with errors changes nothing: it is more likely the wrong file
    than an emptied feed.
    """
    check_can_manage(by)
    report = ImportReport(kind=f"feed {source}", strict=strict)
    source = (source or "").strip()
    if not source or len(source) > 100:
        report.errors.append(RowError(0, "source", "a source name of 1-100 characters is required"))
        report.imported = False
        return report
    entries: dict[str, int] = {}
    for number, line in enumerate(_text(data).splitlines(), start=1):
        try:
            networks = parse_feed_line(line)
        except ValueError as exc:
            report.skip(RowError(number, "value", str(exc)))
            continue
        for network in networks:
            entries.setdefault(network, number)
        if len(entries) > MAX_FEED_ENTRIES:
            report.errors.append(
                RowError(number, "", f"more than {MAX_FEED_ENTRIES} entries; nothing imported")
            )
            report.imported = False
            return report
    if (strict and report.errors) or (report.errors and not entries):
        report.imported = False
        return report
    _replace_feed(
        source, list(entries), label or f"feed {source}", expires_at, report, by=by, via=via, file=file
    )
    return report


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


@transaction.atomic
def _replace_feed(
    source: str, cidrs: list[str], label: str, expires_at, report: ImportReport, *, by, via, file
) -> None:
    current = {
        network.cidr: network
        for network in KnownNetwork.objects.select_for_update().filter(
            list=KnownNetwork.List.MALICIOUS, source=source
        )
    }
    listed = set(cidrs)
    removed = [network for cidr, network in current.items() if cidr not in listed]
    changed = []
    now = timezone.now()
    for cidr in cidrs:
        kept = current.get(cidr)
        if kept is not None and (kept.label, kept.expires_at) != (label, expires_at):
            changed.append((kept, audit.snapshot(kept)))
            kept.label, kept.expires_at, kept.updated_at = label, expires_at, now
    created = [
        KnownNetwork(
            cidr=c, list=KnownNetwork.List.MALICIOUS, source=source, label=label, expires_at=expires_at
        )
        for c in cidrs
        if c not in current
    ]
    for ids in _chunks([network.pk for network in removed]):
        KnownNetwork.objects.filter(pk__in=ids).delete()
    # Every changed entry gets the same label and expiry: one UPDATE per chunk, not bulk_update's CASE.
    for ids in _chunks([network.pk for network, _ in changed]):
        KnownNetwork.objects.filter(pk__in=ids).update(label=label, expires_at=expires_at, updated_at=now)
    KnownNetwork.objects.bulk_create(created, batch_size=CHUNK)
    report.created, report.updated, report.removed = len(created), len(changed), len(removed)
    report.unchanged = len(current) - len(removed) - len(changed)
    summary = audit.record_import(
        kind=ReferenceChange.Kind.NETWORK, report=report, by=by, via=via, file=file, source=source
    )
    audit.record_import_entries(summary, created=created, changed=changed, deleted=removed, by=by)
    reference_changed()
