"""Revoke an ingest source: its token answers 401 from now on."""

from django.core.management.base import BaseCommand, CommandError

from cases.ingest.tokens import ingest_source_revoke
from cases.models import IngestSource


class Command(BaseCommand):
    help = "Revoke an ingest source's token (requests with it get 401). Rotate to re-activate."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name: str, **options):
        source = IngestSource.objects.filter(name=name).first()
        if source is None:
            raise CommandError(f"No ingest source named {name!r}.")
        ingest_source_revoke(source=source)
        self.stdout.write(f"Revoked ingest source {source.name!r}.")
