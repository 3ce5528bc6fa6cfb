"""Export reference data as CSV (the columns import_reference reads back).

manage.py export_reference networks [FILE.csv]
manage.py export_reference partners [FILE.csv]
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from intel.exports import networks_csv, partners_csv


class Command(BaseCommand):
    help = "Export known networks or partners as CSV (to a file, or standard output)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["networks", "partners"])
        parser.add_argument("file", nargs="?", help="Output path; standard output when omitted.")

    def handle(self, *args, kind, file, **options):
        text = networks_csv() if kind == "networks" else partners_csv()
        if file:
            Path(file).write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"wrote {file}"))
        else:
            self.stdout.write(text, ending="")
