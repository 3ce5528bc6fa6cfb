"""manage.py import_playbooks PATH [PATH ...] [--publish] [--covers T1656,T1566,T1110] [--by USERNAME]

Imports seed-format playbooks from files or folders (.md/.txt; folders are walked,
README files skipped). Each file imports in its own transaction: a malformed file is
reported and saves nothing while the others still import. Exits non-zero when any
file failed, after printing every result and a summary. `--covers` sets the related
techniques every imported playbook covers (routing, not content: no new version); bad
ids fail the command before anything is imported.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from playbooks.coverage import InvalidCoverage, normalise_covers
from playbooks.importers import PlaybookFormatError
from playbooks.services import import_playbook_text, set_playbook_coverage

SUFFIXES = {".md", ".txt"}


def collect_files(paths: list[str]) -> tuple[list[Path], list[str]]:
    """The files to import, in a stable order, and the paths that do not exist."""
    files: list[Path] = []
    missing: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUFFIXES and p.stem.lower() != "readme"
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(raw)
    return files, missing


class Command(BaseCommand):
    help = "Import playbooks in the seed markdown format (files or folders of .md/.txt)."
    # bin/vigil run calls this right after migrate (which ran the checks already).
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--publish", action="store_true", help="Publish new versions (else they are drafts)."
        )
        parser.add_argument("--by", metavar="USERNAME", help="Record this user as the importer.")
        parser.add_argument(
            "--covers",
            metavar="IDS",
            help="Comma-separated related technique ids the imported playbooks also cover.",
        )

    def handle(self, *args, paths, publish, by, covers=None, **options):
        if covers is not None:
            try:
                normalise_covers(covers)
            except InvalidCoverage as exc:
                raise CommandError(f"--covers: {' '.join(exc.errors)}") from exc
        actor = None
        if by:
            actor = get_user_model().objects.filter(username=by).first()
            if actor is None:
                raise CommandError(f"no user named {by!r}")
        files, missing = collect_files(paths)
        failed = len(missing)
        for raw in missing:
            self.stderr.write(self.style.ERROR(f"FAIL {raw}: no such file or folder"))
        created = unchanged = 0
        for path in files:
            try:
                text = path.read_text(encoding="utf-8-sig")
                result = import_playbook_text(text, filename=str(path), publish=publish, by=actor)
            except UnicodeDecodeError:
                failed += 1
                self.stderr.write(self.style.ERROR(f"FAIL {path}: not UTF-8 text"))
                continue
            except PlaybookFormatError as exc:
                failed += 1
                self.stderr.write(self.style.ERROR(f"FAIL {exc.message}"))
                continue
            if result.created:
                created += 1
            else:
                unchanged += 1
            self.stdout.write(self.style.SUCCESS(f"OK   {path}: {result.summary}"))
            if covers is not None:
                playbook = set_playbook_coverage(result.version.playbook, covers, by=actor)
                self.stdout.write(f"     covers: {', '.join(playbook.covers) or 'nothing else'}")
            for warning in result.warnings:
                self.stdout.write(self.style.WARNING(f"     warning: {warning}"))
        total = len(files) + len(missing)
        self.stdout.write(f"{total} file(s): {created} created, {unchanged} unchanged, {failed} failed")
        if failed:
            raise CommandError(f"{failed} of {total} file(s) failed to import")
