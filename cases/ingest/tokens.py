"""Ingest sources and their tokens: created, rotated and revoked only here.

The token is returned once by create/rotate and never stored: the row keeps its SHA-256
(for lookup) and its first characters (`token_hint`, to recognise it in the admin).
"""

from django.db import transaction
from django.utils import timezone

from accounts.audit import Kind, token_event_record
from cases.models import IngestSource
from cases.models.tokens import INGEST_PREFIX, hash_token, new_token

HINT_LENGTH = 10


def _hint(token: str) -> str:
    return token[:HINT_LENGTH]


def ingest_token_assign(source: IngestSource) -> str:
    """Give an unsaved source a fresh token (hash and hint set); returns the token.
    For forms that save the row themselves (the admin's add form)."""
    token = new_token(INGEST_PREFIX)
    source.token_hash = hash_token(token)
    source.token_hint = _hint(token)
    return token


@transaction.atomic
def ingest_source_create(*, name: str) -> tuple[IngestSource, str]:
    """A new active source and its token (the only time the token is available)."""
    source = IngestSource(name=name)
    token = ingest_token_assign(source)
    source.save()
    token_event_record(Kind.TOKEN_CREATED, token=source)
    return source, token


@transaction.atomic
def ingest_token_rotate(*, source: IngestSource) -> str:
    """Replace the token (the old one stops working at once) and re-activate the source."""
    source = IngestSource.objects.select_for_update().get(pk=source.pk)
    token = ingest_token_assign(source)
    source.rotated_at = timezone.now()
    source.is_active = True
    source.revoked_at = None
    source.save(update_fields=["token_hash", "token_hint", "rotated_at", "is_active", "revoked_at"])
    token_event_record(Kind.TOKEN_CREATED, token=source)
    return token


@transaction.atomic
def ingest_source_revoke(*, source: IngestSource) -> IngestSource:
    """Deactivate the source: its token answers 401 from now on. Its alerts stay."""
    revoked = IngestSource.objects.filter(pk=source.pk, is_active=True).update(
        is_active=False, revoked_at=timezone.now()
    )
    source.refresh_from_db()
    if revoked:
        token_event_record(Kind.TOKEN_REVOKED, token=source)
    return source
