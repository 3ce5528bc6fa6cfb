"""The sign-in log: visible to superusers, exported as CSV, attacker-typed text neutralised."""

import csv
import io

import pytest

from accounts.models import SignInEvent

pytestmark = pytest.mark.django_db


def test_superusers_export_the_log_as_csv(client, admin_user, l1):
    client.post("/accounts/login/", {"username": '=HYPERLINK("x")', "password": "nope"})
    client.force_login(admin_user)

    response = client.get("/accounts/sign-in-events/", {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["created_at", "kind", "username", "ip_address", "user_agent", "detail"]
    failure = next(r for r in rows[1:] if r[1] == "failure")
    assert failure[2] == '\'=HYPERLINK("x")'
    assert failure[3] == "127.0.0.1"


def test_the_log_page_filters_by_kind(client, admin_user):
    SignInEvent.objects.create(kind=SignInEvent.Kind.LOCKOUT, username="<script>victim</script>")
    client.force_login(admin_user)

    page = client.get("/accounts/sign-in-events/", {"kind": "lockout"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "&lt;script&gt;victim" in html and "<script>victim" not in html
    assert "Locked out" in html


def test_the_admin_shows_the_log_read_only(client, admin_user):
    SignInEvent.objects.create(kind=SignInEvent.Kind.SIGN_IN, username="someone")
    client.force_login(admin_user)
    assert client.get("/admin/accounts/signinevent/").status_code == 200
    assert client.get("/admin/accounts/signinevent/add/").status_code == 403
