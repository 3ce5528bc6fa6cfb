"""The OpenAPI schema and Swagger UI: served to signed-in users, assets from this server
(drf-spectacular-sidecar), never from a CDN: the machines have no internet."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_swagger_ui_loads_every_asset_locally(client, l1):
    client.force_login(l1)

    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    # The page's own script is a separate response (the CSP allows no inline script).
    assert "<script>" not in html
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
    assets = [a for a in re.findall(r'(?:src|href)="([^"]+)"', html) if a != "/api/docs/?script="]
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), f"{asset} is not served by Vigil"
        assert finders.find(asset.removeprefix("/static/")) is not None, f"{asset} does not exist"
    assert "cdn" not in html.lower()
    assert "https://" not in html


def test_swagger_ui_sends_anonymous_visitors_to_login(client):
    response = client.get("/api/docs/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_schema_is_openapi_3_describing_the_api(client, l1):
    client.force_login(l1)

    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Vigil API"
    assert any(path.startswith("/api/v1/") for path in schema["paths"])
    token = schema["components"]["securitySchemes"]["tokenAuth"]
    assert (token["type"], token["in"], token["name"]) == ("apiKey", "header", "Authorization")
