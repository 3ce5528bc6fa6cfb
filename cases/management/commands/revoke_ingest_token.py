"""Revoke an ingest source: its token answers 401 from now on."""

from cases.ingest.tokens import ingest_source_revoke
from cases.management.source_command import IngestSourceCommand


class Command(IngestSourceCommand):
    help = "Revoke an ingest source's token (requests with it get 401). Rotate to re-activate."

    def handle_source(self, source):
        ingest_source_revoke(source=source)
        self.stdout.write(f"Revoked ingest source {source.name!r}.")
