"""Import reference data from files.

    manage.py import_reference networks FILE.csv [--strict]
    manage.py import_reference partners FILE.csv [--strict]
    manage.py import_reference feed FILE.txt --source NAME [--label TEXT] [--expires-at ISO] [--strict]

Every problem is printed as "row N, column C: problem" (the header is row 1; for feeds,
N is the line). Bad rows are skipped; with --strict nothing is imported when any row is
bad, and the command exits with status 1. Use "-" as FILE to read standard input.
Each import is audited (intel.audit) as made through the command, with the file's name.
"""

import sys
from pathlib import Path

from dateutil import parser as dateparser
from django.core.management.base import BaseCommand, CommandError

from intel.feeds import import_feed
from intel.imports import import_networks_csv, import_partners_csv
from intel.models import ReferenceChange


class Command(BaseCommand):
    help = "Import known networks or partners from CSV, or a plain-text IP/CIDR threat feed."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["networks", "partners", "feed"])
        parser.add_argument("file", help="Path to the file, or - for standard input.")
        parser.add_argument("--strict", action="store_true", help="Import nothing if any row is bad.")
        parser.add_argument("--source", help="Feed source name (required for feeds).")
        parser.add_argument("--label", default="", help="Label for the feed's entries.")
        parser.add_argument("--expires-at", help="Expiry (ISO 8601) for the feed's entries.")

    def handle(self, *args, kind, file, strict, source, label, expires_at, **options):
        data = self._read(file)
        audited = {"via": ReferenceChange.Via.COMMAND, "file": "(standard input)" if file == "-" else file}
        if kind == "networks":
            report = import_networks_csv(data, by=None, strict=strict, **audited)
        elif kind == "partners":
            report = import_partners_csv(data, by=None, strict=strict, **audited)
        else:
            if not source:
                raise CommandError("--source is required for feeds (its previous entries are replaced).")
            expiry = None
            if expires_at:
                try:
                    expiry = dateparser.isoparse(expires_at)
                except ValueError as exc:
                    raise CommandError(f"--expires-at: {exc}") from None
            report = import_feed(
                data, source=source, label=label, expires_at=expiry, by=None, strict=strict, **audited
            )
        for error in report.errors:
            self.stderr.write(str(error))
        if not report.imported:
            raise CommandError(report.summary())
        style = self.style.WARNING if report.errors else self.style.SUCCESS
        self.stdout.write(style(report.summary()))

    def _read(self, file: str) -> bytes:
        if file == "-":
            return sys.stdin.buffer.read()
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        return path.read_bytes()
