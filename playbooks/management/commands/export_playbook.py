"""manage.py export_playbook T1591.002 [--version N] --format markdown|json|cacao [--output FILE]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from playbooks.attack import normalize_technique_id
from playbooks.exporters import FORMATS, export_version
from playbooks.models import PlaybookVersion


class Command(BaseCommand):
    help = "Export a playbook version (default: the published one) as markdown, JSON or CACAO."
    requires_system_checks: list = []  # a read-only export; do not depend on unrelated apps' checks

    def create_parser(self, prog_name, subcommand, **kwargs):
        # The interface is --version N, which Django reserves for its own version;
        # "resolve" lets ours replace it.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("technique_id")
        parser.add_argument("--version", type=int, dest="number", metavar="N")
        parser.add_argument("--format", choices=FORMATS, default="markdown")
        parser.add_argument("--output", "-o", metavar="FILE", help="Write here instead of stdout.")

    def handle(self, *args, technique_id, number, format, output, **options):
        normalized = normalize_technique_id(technique_id)
        if normalized is None:
            raise CommandError(f"{technique_id!r} is not an ATT&CK technique id")
        versions = PlaybookVersion.objects.filter(playbook__technique_id=normalized)
        if number is not None:
            version = versions.filter(number=number).first()
            if version is None:
                raise CommandError(f"{normalized} has no version {number}")
        else:
            version = versions.published().first()
            if version is None:
                raise CommandError(f"{normalized} has no published version; pass --version N")
        text = export_version(version, format)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"wrote {output}")
        else:
            self.stdout.write(text, ending="")
