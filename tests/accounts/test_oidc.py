"""Single sign-on with OpenID Connect against a real provider on loopback: the
authorization code flow end to end (discovery, token endpoint, ID token signature with the
provider's JWKS, userinfo), users created on first sign-in, roles from the groups claim."""

from urllib.parse import urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model

from accounts.models import ExternalIdentity, SignInEvent
from soc.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in_at_provider(client, subject: str, next_url: str = ""):
    """Follow the flow as a browser would: Vigil -> provider (the user picks `subject`) ->
    Vigil's callback. Returns the callback's response."""
    start = client.get("/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    authorize = start["Location"]
    at_provider = requests.post(authorize, data={"sub": subject}, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text[:500]
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == "/oidc/callback/"
    return client.get(f"{back.path}?{back.query}")


def test_the_login_page_offers_single_sign_on(client, sso):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with single sign-on" in page
    assert 'name="password"' in page


def test_first_sign_in_creates_the_user_with_the_role_of_its_group(client, sso):
    response = _sign_in_at_provider(client, "sub-t2-alice")

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = get_user_model().objects.get(username="alice.sso")
    assert list(user.groups.values_list("name", flat=True)) == [Role.T2.value]
    assert not user.has_usable_password()
    assert ExternalIdentity.objects.get(user=user).subject == "sub-t2-alice"
    assert client.get("/").status_code == 200
    event = SignInEvent.objects.get(kind=SignInEvent.Kind.SIGN_IN, user=user)
    assert event.detail == {"method": "sso"}


def test_the_next_sign_in_finds_the_same_user_and_updates_roles(client, sso, settings):
    _sign_in_at_provider(client, "sub-t2-alice")
    client.post("/accounts/logout/")
    settings.VIGIL_OIDC_ROLE_GROUPS = {**settings.VIGIL_OIDC_ROLE_GROUPS, "manager": ["staff"]}

    _sign_in_at_provider(client, "sub-t2-alice")

    assert get_user_model().objects.filter(email="alice@corp.example").count() == 1
    user = get_user_model().objects.get(username="alice.sso")
    assert set(user.groups.values_list("name", flat=True)) == {Role.T2.value, Role.MANAGER.value}
    assert user.is_staff


def test_a_user_whose_groups_give_no_role_is_refused_with_a_clear_page(client, sso):
    response = _sign_in_at_provider(client, "sub-marketing")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/sso/refused/"
    page = client.get(response["Location"])
    assert page.status_code == 403
    assert "none of its groups gives a Vigil role" in page.content.decode()
    assert not get_user_model().objects.filter(email="mia@corp.example").exists()
    assert client.get("/")["Location"].startswith("/accounts/login/")
    refused = SignInEvent.objects.get(kind=SignInEvent.Kind.SSO_REFUSED)
    assert refused.username == "mia" and refused.detail["groups"] == ["marketing"]


def test_a_provider_account_never_takes_over_a_local_one_with_its_email(client, sso, t2):
    t2.email = "alice@corp.example"
    t2.save()

    _sign_in_at_provider(client, "sub-t2-alice")

    created = get_user_model().objects.get(username="alice.sso")
    assert created.pk != t2.pk


@pytest.mark.second_factor
def test_sso_managers_are_not_asked_for_vigils_second_factor(client, sso):
    _sign_in_at_provider(client, "sub-boss")
    assert client.get("/").status_code == 200


def test_password_login_can_be_switched_off(client, sso, l1, settings):
    settings.VIGIL_PASSWORD_LOGIN = False

    page = client.get("/accounts/login/").content.decode()
    refused = client.post("/accounts/login/", {"username": l1.username, "password": PASSWORD})

    assert 'name="password"' not in page and "Sign in with single sign-on" in page
    assert refused.status_code == 405
    assert "_auth_user_id" not in client.session
    # The single sign-on still works.
    assert _sign_in_at_provider(client, "sub-t2-alice")["Location"] == "/"


def test_without_configuration_the_sso_pages_are_404(client):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert "single sign-on" not in client.get("/accounts/login/").content.decode()
