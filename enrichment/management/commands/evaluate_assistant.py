"""Print the assistant's confusion tables on a labelled scenario file or folder.

    manage.py evaluate_assistant [PATH] [--playbook FILE] [--covers T1656,T1566,T1110]
                                 [--min-accuracy 0.95]

PATH defaults to the project's own set (tests/enrichment/scenarios/); a SOC can point it at its
own scenarios in the same format (enrichment/evaluation.py). The playbook's coverage is
--covers, else the `covers` list of the folder's `_reference.json` (the related techniques
that SOC lists for the playbook), else T1656,T1566,T1110. One table per question (q1-q4),
per escalation criterion (e1-e4) and for the recommendation. Everything (reference data,
the ingest source, the seed playbook if none is published, the alerts and cases) happens
in one transaction that is rolled back: the database is left exactly as it was. Exits
with status 1 when any question, criterion or the recommendation is below --min-accuracy.
"""

import logging
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases.ingest.tokens import ingest_source_create
from enrichment.evaluation import declared_covers, evaluate
from playbooks import services
from playbooks.models import Playbook

DEFAULT_SCENARIOS = Path(settings.BASE_DIR) / "tests" / "enrichment" / "scenarios"
DEFAULT_PLAYBOOK = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "T1591.002-business-relationships.md"
DEFAULT_COVERS = "T1656,T1566,T1110"


class Rollback(Exception):
    pass


def prepare_playbook(path: Path, covers: list[str]) -> None:
    """Publish the seed playbook when T1591.002 has none, and let it cover `covers`."""
    if services.current_version_for_technique("T1591.002") is None:
        if not path.is_file():
            raise CommandError(f"No published T1591.002 playbook and {path} does not exist.")
        services.import_playbook_text(
            path.read_text(encoding="utf-8"), filename=path.name, publish=True, by=None
        )
    set_coverage = getattr(services, "set_playbook_coverage", None)
    if covers and set_coverage is not None:
        set_coverage(Playbook.objects.get(technique_id="T1591.002"), covers, by=None)


class Command(BaseCommand):
    help = "Run labelled assistant scenarios (rolled back) and print the confusion tables."

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", default=str(DEFAULT_SCENARIOS), help="Scenario file or folder."
        )
        parser.add_argument(
            "--playbook",
            default=str(DEFAULT_PLAYBOOK),
            help="Playbook markdown imported (then rolled back) when T1591.002 has no published version.",
        )
        parser.add_argument(
            "--covers",
            default=None,
            help="Related techniques the playbook covers (comma-separated; default: the folder's "
            f"_reference.json 'covers', else {DEFAULT_COVERS}).",
        )
        parser.add_argument("--min-accuracy", type=float, default=0.95)

    def handle(self, *args, path, playbook, covers, min_accuracy, **options):
        target = Path(path)
        if not target.exists():
            raise CommandError(f"{target}: no such file or directory")
        logging.getLogger("intel.audit").setLevel(logging.WARNING)
        if covers is None:
            covers = ",".join(declared_covers(target) or DEFAULT_COVERS.split(","))
        report = None
        try:
            with transaction.atomic():
                prepare_playbook(Path(playbook), [c.strip() for c in covers.split(",") if c.strip()])
                source, _token = ingest_source_create(name="vigil-assistant-evaluation")
                report = evaluate(target, source=source)
                raise Rollback
        except Rollback:
            pass
        self.stdout.write(report.table())
        below = report.below(min_accuracy)
        if below:
            raise CommandError(f"below {min_accuracy:.0%}: {', '.join(below)}")
