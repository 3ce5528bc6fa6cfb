"""The shape of the commands that act on one ingest source named on the command line."""

from django.core.management.base import BaseCommand, CommandError

from cases.models import IngestSource


class IngestSourceCommand(BaseCommand):
    """Takes the source's name; an unknown name is a CommandError. Subclasses implement
    `handle_source`."""

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name: str, **options):
        source = IngestSource.objects.filter(name=name).first()
        if source is None:
            raise CommandError(f"No ingest source named {name!r}.")
        self.handle_source(source)

    def handle_source(self, source: IngestSource) -> None:
        raise NotImplementedError
