"""Create a personal API token for a user and print it once, as the last line of output."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cases.services.tokens import user_token_create
from soc.errors import DomainError


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME (acts as that user). Only a hash is stored."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What will use the token.")

    def handle(self, *args, username: str, name: str, **options):
        user_model = get_user_model()
        user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        try:
            token, plain = user_token_create(user=user, name=name, by=None)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(
            f"Created token {token.name!r} for {user.get_username()} (id {token.pk}). Shown only once:"
        )
        self.stdout.write(plain)
