"""Create an ingest source and print its token once, as the last line of output."""

from django.core.management.base import BaseCommand, CommandError

from cases.ingest.tokens import ingest_source_create
from cases.models import IngestSource


class Command(BaseCommand):
    help = "Create an ingest source (a SIEM or pipeline) and print its token. Only a hash is stored."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Unique name of the source, e.g. 'elastic-prod'.")

    def handle(self, *args, name: str, **options):
        name = name.strip()
        if not name:
            raise CommandError("The name must not be empty.")
        if IngestSource.objects.filter(name=name).exists():
            raise CommandError(f"An ingest source named {name!r} exists; rotate its token instead.")
        source, token = ingest_source_create(name=name)
        self.stderr.write(
            f"Created ingest source {source.name!r} (id {source.pk}). The token is shown only once:"
        )
        self.stdout.write(token)
