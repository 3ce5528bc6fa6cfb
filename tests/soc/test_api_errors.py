"""Every API error answers one JSON shape: {"status", "code", "detail", "errors"?}."""

import io
import json

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.soc.api_error_urls")]

PROBE = "/api/test/probe"


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def test_valid_request_passes(client, l1):
    client.force_login(l1)

    response = client.post(PROBE, {"name": "ok", "count": 1}, content_type="application/json")

    assert response.status_code == 201
    assert response.json() == {"name": "ok", "count": 1}


def test_400_names_each_invalid_field(client, l1):
    client.force_login(l1)

    response = client.post(PROBE, {"name": "x" * 30, "count": -1}, content_type="application/json")

    body = error(response, 400, "invalid")
    assert set(body["errors"]) == {"name", "count"}


def test_400_for_malformed_json(client, l1):
    client.force_login(l1)

    response = client.post(PROBE, '{"name": ', content_type="application/json")

    error(response, 400, "parse_error")


def test_401_for_anonymous_with_token_challenge(client):
    response = client.post(PROBE, {"name": "a", "count": 1}, content_type="application/json")

    error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_401_for_an_unknown_token(client):
    response = client.get("/api/test/managers-only", headers={"Authorization": "Token vgu_not-a-token"})

    error(response, 401, "authentication_failed")


def test_403_for_the_wrong_role(client, l1):
    client.force_login(l1)

    response = client.get("/api/test/managers-only")

    error(response, 403, "permission_denied")


def test_the_right_role_passes(client, manager):
    client.force_login(manager)

    assert client.get("/api/test/managers-only").status_code == 200


def test_404_from_a_view(client, l1):
    client.force_login(l1)

    error(client.get("/api/test/missing"), 404, "not_found")


def test_404_for_an_unknown_api_path(client, l1):
    client.force_login(l1)

    error(client.get("/api/test/no-such-endpoint"), 404, "not_found")


def test_405_for_a_wrong_method(client, l1):
    client.force_login(l1)

    error(client.get(PROBE), 405, "method_not_allowed")


def test_413_for_a_body_over_the_limit(client, l1, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    client.force_login(l1)
    small = json.dumps({"name": "n", "count": 1})
    large = json.dumps({"name": "n", "count": 1, "padding": "x" * 200})

    assert client.post(PROBE, small, content_type="application/json").status_code == 201
    error(client.post(PROBE, large, content_type="application/json"), 413, "too_large")


def test_415_for_a_non_json_body(client, l1):
    client.force_login(l1)

    response = client.post(PROBE, "name=a&count=1", content_type="application/x-www-form-urlencoded")

    error(response, 415, "unsupported_media_type")


def test_the_parser_bounds_a_raw_stream_without_content_length(settings):
    from soc.parsers import JSONParser, RequestTooLarge

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50
    parser = JSONParser()

    assert parser.parse(io.BytesIO(b'{"a": 1}')) == {"a": 1}
    with pytest.raises(RequestTooLarge):
        parser.parse(io.BytesIO(b'{"a": "' + b"x" * 100 + b'"}'))
