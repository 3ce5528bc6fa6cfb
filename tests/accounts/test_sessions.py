"""Session lifetime: the idle timeout and the absolute limit end a session."""

import time

import pytest

from accounts.models import SignInEvent
from accounts.sessions import SEEN, STARTED
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client, user):
    assert (
        client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    )


def _age(client, *, started_ago: float, seen_ago: float):
    session = client.session
    now = time.time()
    session[STARTED] = now - started_ago
    session[SEEN] = now - seen_ago
    session.save()


def test_the_defaults_are_hours_not_weeks(settings):
    assert settings.VIGIL_SESSION_IDLE_HOURS == 1
    assert settings.VIGIL_SESSION_MAX_HOURS == 12
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


def test_an_idle_session_ends(client, l1, settings):
    _sign_in(client, l1)
    _age(client, started_ago=3 * 3600, seen_ago=settings.VIGIL_SESSION_IDLE_HOURS * 3600 + 5)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    event = SignInEvent.objects.get(kind=SignInEvent.Kind.SESSION_EXPIRED)
    assert event.detail == {"reason": "idle"}
    assert not SignInEvent.objects.filter(kind=SignInEvent.Kind.SIGN_OUT).exists()


def test_a_busy_session_still_ends_at_its_absolute_lifetime(client, l1, settings):
    _sign_in(client, l1)
    _age(client, started_ago=settings.VIGIL_SESSION_MAX_HOURS * 3600 + 5, seen_ago=10)

    assert client.get("/").status_code == 302
    assert SignInEvent.objects.get(kind=SignInEvent.Kind.SESSION_EXPIRED).detail == {"reason": "lifetime"}


def test_an_active_session_goes_on(client, l1):
    _sign_in(client, l1)
    _age(client, started_ago=600, seen_ago=120)

    assert client.get("/").status_code == 200
    assert time.time() - client.session[SEEN] < 5


def test_sign_in_and_sign_out_are_logged(client, l1):
    _sign_in(client, l1)
    client.post("/accounts/logout/")
    kinds = list(SignInEvent.objects.filter(user=l1).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["sign_in", "sign_out"]
