"""Replace an ingest source's token and print the new one once, as the last line."""

from django.core.management.base import BaseCommand, CommandError

from cases.ingest.tokens import ingest_token_rotate
from cases.models import IngestSource


class Command(BaseCommand):
    help = "Rotate an ingest source's token (the old token stops working at once) and print the new one."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name: str, **options):
        source = IngestSource.objects.filter(name=name).first()
        if source is None:
            raise CommandError(f"No ingest source named {name!r}.")
        token = ingest_token_rotate(source=source)
        self.stderr.write(f"Rotated the token of {source.name!r}. The new token is shown only once:")
        self.stdout.write(token)
