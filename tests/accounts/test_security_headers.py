"""The security headers every page carries: CSP (no inline script), Permissions-Policy, COOP."""

import pytest

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def test_pages_carry_a_csp_without_inline_script(client, l1):
    client.force_login(l1)
    response = client.get("/")

    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["script-src"] == ["'self'"]


def test_a_template_using_the_nonce_gets_a_fresh_one_in_the_header(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    def view(request):
        return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")

    middleware = CSPMiddleware(view)
    first, second = middleware(rf.get("/")), middleware(rf.get("/"))
    nonces = [_directives(r["Content-Security-Policy"])["script-src"][1] for r in (first, second)]
    assert all(n.startswith("'nonce-") for n in nonces) and nonces[0] != nonces[1]


def test_permissions_policy_and_cross_origin_opener_policy(client):
    response = client.get("/accounts/login/")
    assert (
        "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    )
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Content-Security-Policy" in response


def test_the_api_carries_the_headers_too(client):
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert "Content-Security-Policy" in response and "Permissions-Policy" in response
