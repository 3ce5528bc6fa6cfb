"""Ingest tokens: created once, stored hashed, rotated and revoked by command and admin."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cases.models import IngestSource
from cases.models.tokens import hash_token
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return (err.getvalue() + out.getvalue()).strip().splitlines()


def post_alert(client, token, ref="r1"):
    return client.post(
        "/api/v1/alerts/",
        json.dumps({"source_ref": ref, "title": "t"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )


def test_create_ingest_token_prints_the_token_last_and_stores_only_its_hash(client):
    lines = run("create_ingest_token", "elastic-prod")
    token = lines[-1]
    source = IngestSource.objects.get(name="elastic-prod")
    assert token.startswith("vgi_") and len(token) > 40
    assert source.token_hash == hash_token(token) and token not in source.token_hash
    assert token.startswith(source.token_hint) and len(source.token_hint) < 12
    assert post_alert(client, token).status_code == 201
    from cases.services.ingest_counts import fold_ingest_tallies

    assert fold_ingest_tallies() == 1
    source.refresh_from_db()
    assert source.alert_count == 1 and source.last_seen_at is not None


def test_create_refuses_a_duplicate_name():
    run("create_ingest_token", "siem")
    with pytest.raises(CommandError):
        run("create_ingest_token", "siem")


def test_rotate_replaces_the_token_and_revoke_makes_it_401(client):
    old = run("create_ingest_token", "siem")[-1]
    new = run("rotate_ingest_token", "siem")[-1]
    assert new != old and new.startswith("vgi_")
    assert post_alert(client, old).status_code == 401
    assert post_alert(client, new).status_code == 201
    run("revoke_ingest_token", "siem")
    source = IngestSource.objects.get(name="siem")
    assert not source.is_active and source.revoked_at is not None
    assert post_alert(client, new, "r2").status_code == 401
    # Rotating re-activates with a fresh token.
    again = run("rotate_ingest_token", "siem")[-1]
    assert post_alert(client, again, "r3").status_code == 201


def test_commands_refuse_unknown_sources():
    for command in ("rotate_ingest_token", "revoke_ingest_token"):
        with pytest.raises(CommandError):
            run(command, "nope")


def test_admin_adds_a_source_showing_its_token_once(client, admin_user):
    client.login(username=admin_user.username, password=PASSWORD)
    response = client.post(reverse("admin:cases_ingestsource_add"), {"name": "wazuh"}, follow=True)
    assert response.status_code == 200
    message = next(str(m) for m in response.context["messages"])
    token = message.rsplit(" ", 1)[-1]
    source = IngestSource.objects.get(name="wazuh")
    assert source.token_hash == hash_token(token)


def test_admin_rotate_and_revoke_actions(client, admin_user, ingest_source):
    source, old = ingest_source
    client.login(username=admin_user.username, password=PASSWORD)
    url = reverse("admin:cases_ingestsource_changelist")
    response = client.post(url, {"action": "rotate_tokens", "_selected_action": [source.pk]}, follow=True)
    new = next(str(m) for m in response.context["messages"]).rsplit(" ", 1)[-1]
    source.refresh_from_db()
    assert source.token_hash == hash_token(new) != hash_token(old)
    client.post(url, {"action": "revoke_sources", "_selected_action": [source.pk]}, follow=True)
    source.refresh_from_db()
    assert source.is_active is False


def test_admin_is_refused_to_non_staff(client, l1):
    client.login(username=l1.username, password=PASSWORD)
    response = client.get(reverse("admin:cases_ingestsource_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_without_the_model_permission_cannot_use_the_actions(client, manager, ingest_source):
    source, _ = ingest_source
    client.login(username=manager.username, password=PASSWORD)
    response = client.post(
        reverse("admin:cases_ingestsource_changelist"),
        {"action": "revoke_sources", "_selected_action": [source.pk]},
    )
    assert response.status_code == 403
    source.refresh_from_db()
    assert source.is_active is True
