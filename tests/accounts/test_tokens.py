"""Tokens with limits: personal tokens expire and may be read-only, ingest tokens may be
bound to source networks; creation, first use and revocation are in the sign-in log."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import SignInEvent
from cases.ingest.tokens import ingest_source_revoke
from cases.models import ApiToken
from cases.services.tokens import user_token_create, user_token_revoke
from soc.errors import DomainError

pytestmark = pytest.mark.django_db

Kind = SignInEvent.Kind
ALERT = {"source_ref": "net-1", "title": "Partner directory burst", "technique": "T1591.002"}


def _get(client, token, path="/api/v1/cases/", **extra):
    return client.get(path, HTTP_AUTHORIZATION=f"Token {token}", **extra)


def test_a_personal_token_expires_after_the_default_days(client, l1, settings):
    token, plain = user_token_create(user=l1, name="soar", by=l1)

    assert token.expires_at - timezone.now() == pytest.approx(timedelta(days=90), abs=timedelta(seconds=5))
    assert _get(client, plain).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = _get(client, plain)
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]


def test_zero_days_never_expires_and_out_of_range_is_refused(l1):
    token, _ = user_token_create(user=l1, name="forever", by=l1, expires_in_days=0)
    assert token.expires_at is None
    with pytest.raises(DomainError) as refused:
        user_token_create(user=l1, name="too long", by=l1, expires_in_days=10**6)
    assert "expires_in_days" in refused.value.data["errors"]


def test_a_read_only_token_reads_but_never_writes(client, t2):
    _token, plain = user_token_create(user=t2, name="dashboard", by=t2, read_only=True)

    assert _get(client, plain).status_code == 200
    write = client.post(
        "/api/v1/cases/1/comments/",
        {"body": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {plain}",
    )
    assert write.status_code == 403
    assert write.json()["detail"] == "This token is read-only."


def test_the_profile_makes_read_only_tokens_with_a_chosen_expiry(client, l1):
    client.force_login(l1)
    response = client.post("/profile/tokens/", {"name": "grafana", "expires_in_days": "7", "read_only": "on"})
    assert response.status_code == 201
    token = ApiToken.objects.get(name="grafana")
    assert token.read_only
    assert (token.expires_at - timezone.now()).days in (6, 7)
    page = client.get("/profile/").content.decode()
    assert "read-only" in page and "never" in page  # not used yet


def test_token_life_is_in_the_sign_in_log_with_first_use_once(client, l1):
    token, plain = user_token_create(user=l1, name="soar", by=l1)
    _get(client, plain)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(hours=1))
    _get(client, plain)
    user_token_revoke(token=token, by=l1)

    kinds = list(SignInEvent.objects.filter(user=l1).order_by("pk").values_list("kind", flat=True))
    assert kinds == [Kind.TOKEN_CREATED, Kind.TOKEN_FIRST_USE, Kind.TOKEN_REVOKED]
    assert SignInEvent.objects.get(kind=Kind.TOKEN_FIRST_USE).detail["token"] == "soar"
    token.refresh_from_db()
    assert token.last_used_at is not None


def _ingest(client, token, address):
    return client.post(
        "/api/v1/alerts/",
        json.dumps(ALERT),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
        REMOTE_ADDR=address,
    )


def test_an_ingest_token_is_accepted_only_from_its_networks(client, ingest_source):
    source, plain = ingest_source
    source.allowed_networks = ["10.20.0.0/16", "192.0.2.7"]
    source.save()

    assert _ingest(client, plain, "203.0.113.1").status_code == 401
    assert _ingest(client, plain, "10.20.3.4").status_code == 201
    assert _ingest(client, plain, "192.0.2.7").status_code in (200, 201)


def test_ingest_networks_must_be_networks(ingest_source):
    from django.core.exceptions import ValidationError

    source, _ = ingest_source
    source.allowed_networks = ["not-a-net"]
    with pytest.raises(ValidationError):
        source.full_clean()


def test_ingest_token_life_is_in_the_sign_in_log(client, ingest_source):
    source, plain = ingest_source
    _ingest(client, plain, "127.0.0.1")
    ingest_source_revoke(source=source)

    events = SignInEvent.objects.filter(username=f"ingest:{source.name}").order_by("pk")
    assert list(events.values_list("kind", flat=True)) == [
        Kind.TOKEN_CREATED,
        Kind.TOKEN_FIRST_USE,
        Kind.TOKEN_REVOKED,
    ]


def test_the_admin_lists_personal_tokens_with_their_last_use(client, admin_user, l1):
    user_token_create(user=l1, name="soar", by=l1)
    client.force_login(admin_user)
    page = client.get("/admin/cases/apitoken/")
    assert page.status_code == 200
    assert "soar" in page.content.decode()
    assert "Last used" in page.content.decode()
