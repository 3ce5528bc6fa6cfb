"""Login throttling and lockout (django-axes): per account, per address, on the API too,
written to the sign-in log, released by a superuser."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from accounts.models import SignInEvent
from cases.models import ApiToken
from cases.services.tokens import user_token_create
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

Kind = SignInEvent.Kind


def _attempt(client, username, password, address="192.0.2.10"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, l1, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(client, l1.username, "wrong").status_code == 200

    locked = _attempt(client, l1.username, "wrong")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 15 * 60
    assert "Too many failed sign-ins" in locked.content.decode()

    # The right password, from another address: the account itself is locked.
    right = _attempt(client, l1.username, PASSWORD, address="198.51.100.7")
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert SignInEvent.objects.filter(kind=Kind.LOCKOUT, username=l1.username).exists()
    assert (
        SignInEvent.objects.filter(kind=Kind.FAILURE, username=l1.username).count()
        >= settings.AXES_FAILURE_LIMIT
    )


def test_an_address_trying_many_accounts_is_locked_for_every_account(client, l1, t2, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, f"someone{n}", "wrong", address="203.0.113.5")

    assert _attempt(client, t2.username, PASSWORD, address="203.0.113.5").status_code == 429
    # The same account from elsewhere still signs in.
    assert _attempt(client, t2.username, PASSWORD, address="198.51.100.8").status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, l1, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, l1.username, "wrong")
    assert _attempt(client, l1.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, l1.username, "wrong")
    assert _attempt(client, l1.username, PASSWORD).status_code == 302


def test_a_superuser_releases_a_lockout_and_the_log_says_so(client, l1, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, l1.username, "wrong")
    admin = Client()
    admin.force_login(admin_user)

    page = admin.get("/accounts/lockouts/")
    assert page.status_code == 200
    attempt = AccessAttempt.objects.get(username=l1.username)
    assert l1.username in page.content.decode()

    released = admin.post(f"/accounts/lockouts/{attempt.pk}/release/")

    assert released.status_code == 302
    unlock = SignInEvent.objects.get(kind=Kind.UNLOCK)
    assert unlock.username == l1.username
    assert unlock.detail["by"] == admin_user.username
    assert _attempt(client, l1.username, PASSWORD, address="198.51.100.9").status_code == 302


@pytest.mark.parametrize("persona", ["l1", "manager"])
def test_only_superusers_see_or_release_lockouts(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/accounts/lockouts/").status_code == 403
    assert client.post("/accounts/lockouts/1/release/").status_code == 403
    assert client.get("/accounts/sign-in-events/").status_code == 403
    assert client.get("/accounts/sign-in-events/", {"format": "csv"}).status_code == 403


def test_wrong_api_tokens_lock_the_address_with_429_and_retry_after(client, l1, settings):
    _token, plain = user_token_create(user=l1, name="soar", by=l1)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.get(
            "/api/v1/cases/", HTTP_AUTHORIZATION="Token vgu_wrong", REMOTE_ADDR="192.0.2.99"
        )
        assert response.status_code == 401
    # The failure that reaches the limit is already answered with the lockout.
    response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Token vgu_wrong", REMOTE_ADDR="192.0.2.99")
    assert response.status_code == 429

    # Further guesses from the address are refused without saying whether they were right.
    locked = client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Token vgu_guess", REMOTE_ADDR="192.0.2.99")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert locked.json()["status"] == 429
    ingest = client.post(
        "/api/v1/alerts/",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION="Token vgi_guess",
        REMOTE_ADDR="192.0.2.99",
    )
    assert ingest.status_code == 429
    # A valid token is no guess (checking it costs no lockout query); other addresses are unaffected.
    valid = client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {plain}", REMOTE_ADDR="192.0.2.99")
    assert valid.status_code == 200
    other = client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Token vgu_x", REMOTE_ADDR="192.0.2.98")
    assert other.status_code == 401
    assert ApiToken.objects.count() == 1
