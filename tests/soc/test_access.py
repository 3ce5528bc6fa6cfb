"""Every page needs a login: HTML pages redirect to the login form, the API answers JSON
401/403, and only the login page and /healthz are public.

The URL walk covers every route in the project, so a view added later without
protection fails here.
"""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern

from tests.conftest import PASSWORD

# The single sign-on pages are reached before signing in (they answer 404 while it is not configured).
PUBLIC_PATHS = {
    "/accounts/login/",
    "/admin/login/",
    "/healthz",
    "/accounts/sso/refused/",
    "/oidc/authenticate/",
    "/oidc/callback/",
}
DUMMY_BY_CONVERTER = {"int": "1", "uuid": str(uuid.UUID(int=1)), "slug": "x", "str": "x", "path": "x"}
PLACEHOLDER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _sample_of_regex(regex: str) -> str | None:
    """A path matching a simple re_path() regex (`^alerts/elastic/?$`), or None when the
    regex is more than anchors, optional slashes and named groups."""
    sample = regex.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    sample = re.sub(r"\(\?P<\w+>[^)]*\)", "1", sample).replace("/?", "/")
    return None if re.search(r"[\\^$.*+?()\[\]{}|]", sample) else sample


def _concrete_paths(patterns, prefix=""):
    """Every route of the project with its parameters filled by dummy values.

    Regex routes that are not simple (DRF format suffixes, a few admin URLs) are skipped.
    """
    for entry in patterns:
        if isinstance(entry.pattern, RoutePattern):
            route = PLACEHOLDER.sub(
                lambda m: DUMMY_BY_CONVERTER.get(m["converter"] or "str", "1"), str(entry.pattern)
            )
        else:
            route = _sample_of_regex(entry.pattern.regex.pattern)
            if route is None:
                continue
        if isinstance(entry, URLResolver):
            yield from _concrete_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + route


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def project_paths() -> list[str]:
    return sorted(p for p in set(_concrete_paths(get_resolver().url_patterns)) if _resolves(p))


def test_the_walk_sees_the_project_routes():
    paths = project_paths()
    assert {"/", "/accounts/login/", "/healthz", "/api/schema/", "/api/docs/"} <= set(paths)
    assert any(p.startswith("/api/v1/") for p in paths)
    assert any(p.startswith("/admin/") for p in paths)


@pytest.mark.django_db
@pytest.mark.parametrize("path", [p for p in project_paths() if p not in PUBLIC_PATHS])
def test_anonymous_visitors_never_get_a_page(client, path):
    response = client.get(path)

    if path.startswith("/api/") and path != "/api/docs/":
        assert response.status_code in (401, 403), path
        assert response["Content-Type"].startswith("application/json"), path
        assert response.json()["status"] == response.status_code
    elif path == "/metrics":
        # Prometheus scrapes from VIGIL_METRICS_ALLOWED_NETWORKS (loopback, the test client's
        # address, by default); from elsewhere only with a manager's token (tests/insights).
        assert client.get(path, REMOTE_ADDR="198.51.100.7").status_code == 403
    elif path.startswith("/feeds/"):
        # Firewalls authenticate with HTTP basic auth, never with a session.
        assert response.status_code in (401, 403), path
    else:
        assert response.status_code == 302, path
        target = urlsplit(response["Location"])
        assert target.path in ("/accounts/login/", "/admin/login/"), path


@pytest.mark.django_db
def test_anonymous_html_request_is_sent_to_login_with_next(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


@pytest.mark.django_db
def test_anonymous_api_request_gets_401_json_with_the_token_challenge(client):
    response = client.get("/api/schema/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "status": 401,
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
    }


@pytest.mark.django_db
def test_public_paths_answer_without_login(client):
    assert client.get("/healthz").status_code in (200, 503)
    login = client.get("/accounts/login/")
    assert login.status_code == 200
    assert b'<label for="id_username">' in login.content
    assert b'<label for="id_password">' in login.content


@pytest.mark.django_db
def test_login_then_logout(client, l1):
    response = client.post("/accounts/login/", {"username": l1.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_wrong_password_is_refused_with_an_alert(client, l1):
    response = client.post("/accounts/login/", {"username": l1.username, "password": "nope"})

    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_requires_post(client, l1):
    client.force_login(l1)

    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "sees_admin_link"),
    [("l1", False), ("t2", False), ("manager", True), ("admin_user", True)],
)
def test_navigation_shows_admin_only_to_staff(client, request, persona, sees_admin_link):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    html = client.get("/").content.decode()

    for label in ("Dashboard", "Cases", "Playbooks"):
        assert f">{label}</a>" in html
    assert ('href="/admin/"' in html) is sees_admin_link


# --- sign-in administration: superusers only ---------------------------------------------

IDENTITY_ADMIN_PAGES = [
    "/accounts/lockouts/",
    "/accounts/sign-in-events/",
    "/accounts/sign-in-events/?format=csv",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", IDENTITY_ADMIN_PAGES)
@pytest.mark.parametrize(
    ("persona", "status"),
    [("l1", 403), ("t2", 403), ("manager", 403), ("outsider", 403), ("admin_user", 200)],
)
def test_sign_in_administration_is_for_superusers(client, request, path, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(path).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "sees_link"), [("l1", False), ("manager", False), ("admin_user", True)])
def test_navigation_shows_the_sign_in_log_only_to_superusers(client, request, persona, sees_link):
    client.force_login(request.getfixturevalue(persona))
    assert ('href="/accounts/sign-in-events/"' in client.get("/").content.decode()) is sees_link


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["l1", "t2", "manager", "outsider", "admin_user"])
def test_every_signed_in_user_reaches_the_second_factor_set_up(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/accounts/second-factor/setup/").status_code == 200
