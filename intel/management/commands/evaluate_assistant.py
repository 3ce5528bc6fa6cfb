"""Print the assistant's confusion table on the labelled scenario set.

    manage.py evaluate_assistant [--scenarios DIR] [--playbook FILE] [--min-accuracy 0.9]

Everything (reference data, the ingest source, the playbook if none is published, the
alerts and cases) happens in one transaction that is rolled back: the database is left
exactly as it was. Exits with status 1 below --min-accuracy.
"""

import logging
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from intel.evaluation import evaluate

DEFAULT_SCENARIOS = Path(settings.BASE_DIR) / "tests" / "intel" / "scenarios"
DEFAULT_PLAYBOOK = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "T1591.002-business-relationships.md"


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Run the labelled assistant scenarios (rolled back) and print the confusion table."

    def add_arguments(self, parser):
        parser.add_argument("--scenarios", default=str(DEFAULT_SCENARIOS), help="Scenario directory.")
        parser.add_argument(
            "--playbook",
            default=str(DEFAULT_PLAYBOOK),
            help="Playbook markdown imported (then rolled back) when T1591.002 has no published version.",
        )
        parser.add_argument("--min-accuracy", type=float, default=0.9)

    def handle(self, *args, scenarios, playbook, min_accuracy, **options):
        from cases.ingest.tokens import ingest_source_create
        from playbooks.services import current_version_for_technique, import_playbook_text

        directory = Path(scenarios)
        if not directory.is_dir():
            raise CommandError(f"{directory}: no such directory")
        logging.getLogger("intel.audit").setLevel(logging.WARNING)
        report = None
        try:
            with transaction.atomic():
                if current_version_for_technique("T1591.002") is None:
                    path = Path(playbook)
                    if not path.is_file():
                        raise CommandError(f"No published T1591.002 playbook and {path} does not exist.")
                    import_playbook_text(
                        path.read_text(encoding="utf-8"), filename=path.name, publish=True, by=None
                    )
                source, _token = ingest_source_create(name="vigil-assistant-evaluation")
                report = evaluate(directory, source=source)
                raise Rollback
        except Rollback:
            pass
        self.stdout.write(report.table())
        if report.accuracy < min_accuracy:
            raise CommandError(f"accuracy {report.accuracy:.1%} is below {min_accuracy:.0%}")
