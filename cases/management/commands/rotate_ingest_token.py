"""Replace an ingest source's token and print the new one once, as the last line."""

from cases.ingest.tokens import ingest_token_rotate
from cases.management.source_command import IngestSourceCommand


class Command(IngestSourceCommand):
    help = "Rotate an ingest source's token (the old token stops working at once) and print the new one."

    def handle_source(self, source):
        token = ingest_token_rotate(source=source)
        self.stderr.write(f"Rotated the token of {source.name!r}. The new token is shown only once:")
        self.stdout.write(token)
