"""/feeds/ip-blocklist.txt: the EDL / threat-feed firewalls poll."""

import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from containment.models import BlocklistEntry

pytestmark = pytest.mark.django_db
URL = "/feeds/ip-blocklist.txt"


def auth(user="paloalto", password="feed-secret"):  # noqa: S107 (the test credential)
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


@pytest.fixture
def entries(containment_settings):
    now = timezone.now()
    BlocklistEntry.objects.create(network="203.0.113.77", comment="vigil CASE-1 action 1")
    BlocklistEntry.objects.create(network="203.0.113.77", comment="vigil CASE-2 action 2")  # another case
    BlocklistEntry.objects.create(network="2001:db8::7", comment="vigil CASE-3 action 3")
    BlocklistEntry.objects.create(network="198.51.100.0/24", comment="vigil CASE-4 action 4")
    BlocklistEntry.objects.create(network="192.0.2.10", comment="c", expires_at=now + timedelta(hours=1))
    BlocklistEntry.objects.create(
        network="192.0.2.99", comment="expired", expires_at=now - timedelta(seconds=1)
    )
    BlocklistEntry.objects.create(network="192.0.2.200", comment="reverted", removed_at=now)


def test_firewalls_without_credentials_get_401_with_a_basic_challenge(client, entries):
    response = client.get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Basic realm="Vigil blocklist"')
    assert b"203.0.113.77" not in response.content
    assert client.get(URL, **auth(password="wrong")).status_code == 401
    assert client.get(URL, HTTP_AUTHORIZATION="Basic !!notbase64").status_code == 401


def test_the_feed_is_disabled_until_a_password_is_configured(client, entries, settings):
    settings.CONTAINMENT_FEED_PASSWORD = ""
    assert client.get(URL, **auth(password="")).status_code == 401


def test_one_entry_per_line_no_duplicates_no_expired_stable_order(client, entries):
    response = client.get(URL, **auth())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    networks = [line.split(" ")[0] for line in lines]
    assert networks == ["192.0.2.10", "198.51.100.0/24", "203.0.113.77", "2001:db8::7"]
    # PAN-OS: an optional comment after a space; the first listing's comment wins.
    assert lines[2] == "203.0.113.77 vigil CASE-1 action 1"
    assert client.get(URL, **auth()).content == response.content  # stable


def test_fortigate_format_has_no_comments(client, entries):
    body = client.get(URL, {"format": "fortigate"}, **auth()).content.decode()
    assert body == "192.0.2.10\n198.51.100.0/24\n203.0.113.77\n2001:db8::7\n"


def settle(seconds=3):
    """Age every stamp, as if the last change happened a few seconds ago."""
    from django.db.models import F

    age = timedelta(seconds=seconds)
    BlocklistEntry.objects.update(added_at=F("added_at") - age)
    BlocklistEntry.objects.filter(removed_at__isnull=False).update(removed_at=F("removed_at") - age)
    BlocklistEntry.objects.filter(expires_at__isnull=False).update(expires_at=F("expires_at") - age)


def test_conditional_requests_get_304_until_the_feed_changes(client, entries):
    settle()
    first = client.get(URL, **auth())
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag and last_modified
    assert client.get(URL, HTTP_IF_NONE_MATCH=etag, **auth()).status_code == 304
    assert client.get(URL, HTTP_IF_MODIFIED_SINCE=last_modified, **auth()).status_code == 304

    BlocklistEntry.objects.create(network="203.0.113.200", comment="new")
    changed = client.get(URL, HTTP_IF_NONE_MATCH=etag, **auth())
    assert changed.status_code == 200 and b"203.0.113.200" in changed.content
    assert changed["ETag"] != etag


def test_a_removal_changes_the_etag_and_last_modified(client, entries):
    settle()
    first = client.get(URL, **auth())
    # Stamped two seconds later so Last-Modified (whole seconds) visibly moves.
    BlocklistEntry.objects.filter(network="2001:db8::7").update(
        removed_at=timezone.now() + timedelta(seconds=2)
    )
    second = client.get(URL, **auth())
    assert b"2001:db8::7" not in second.content
    assert second["ETag"] != first["ETag"]
    assert second["Last-Modified"] != first["Last-Modified"]


def test_the_feed_needs_no_session_login(client, entries):
    # Middleware lets /feeds/ through (firewalls have no session); the view authenticates.
    response = client.get(URL, **auth())
    assert response.status_code == 200 and "login" not in response.get("Location", "")


def test_only_get_and_head(client, entries):
    assert client.post(URL, **auth()).status_code == 405


@pytest.mark.parametrize("query", ["", "?format=fortigate"])
def test_head_answers_the_get_headers_without_a_body(client, entries, query):
    got = client.get(URL + query, **auth())
    head = client.head(URL + query, **auth())
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == got["ETag"] and head["Last-Modified"] == got["Last-Modified"]
    assert head["Content-Type"] == got["Content-Type"]
    assert int(head["Content-Length"]) == len(got.content) > 0
    assert client.head(URL + query).status_code == 401
    assert client.head(URL + query, HTTP_IF_NONE_MATCH=got["ETag"], **auth()).status_code == 304


def test_an_empty_feed_is_empty(client, containment_settings):
    response = client.get(URL, **auth())
    assert response.status_code == 200 and response.content == b""


def test_a_change_within_the_last_second_never_answers_304_on_if_modified_since(client, entries):
    first = client.get(URL, **auth())  # the entries were just added
    response = client.get(URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"], **auth())
    assert response.status_code == 200
    assert client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"], **auth()).status_code == 304
