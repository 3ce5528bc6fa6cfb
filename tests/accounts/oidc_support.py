"""A real OpenID Connect provider on loopback (oidc-provider-mock: authlib behind a werkzeug
server in a thread) and the settings that point Vigil at it."""

import pytest

from accounts import oidc

CLIENT_ID = "vigil-tests"
CLIENT_SECRET = "vigil-tests-secret"  # the mock provider accepts any client

# The provider's users: subject -> claims (the groups claim decides the role).
SSO_USERS = {
    "sub-t2-alice": {
        "email": "alice@corp.example",
        "preferred_username": "alice.sso",
        "groups": ["vigil-t2", "staff"],
    },
    "sub-boss": {"email": "boss@corp.example", "preferred_username": "boss", "groups": ["vigil-manager"]},
    "sub-marketing": {"email": "mia@corp.example", "preferred_username": "mia", "groups": ["marketing"]},
}


@pytest.fixture(scope="session")
def oidc_provider():
    """(issuer URL) of a provider running for the whole test session."""
    try:
        from oidc_provider_mock import User, run_server_in_thread
    except ImportError as exc:  # pragma: no cover - a dev dependency
        pytest.fail(f"oidc-provider-mock is not installed: {exc}")
    users = [User(sub=sub, claims=claims) for sub, claims in SSO_USERS.items()]
    with run_server_in_thread(port=0, user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def sso(oidc_provider, settings):
    """Single sign-on switched on against the provider; returns its issuer URL."""
    settings.VIGIL_OIDC_ISSUER = oidc_provider
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    oidc._discovery.clear()
    yield oidc_provider
    oidc._discovery.clear()
