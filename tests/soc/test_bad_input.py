"""No 500 from any input: lone surrogates, chunked bodies, body limits for every content
type, OPTIONS on every endpoint."""

import io
import json

import pytest

from cases.models import Alert
from soc.parsers import lone_surrogate_path

pytestmark = pytest.mark.django_db

LONE = '"\\ud800"'  # as a SIEM's JSON text would escape it
PAIR = '"\\ud83d\\ude00"'  # a valid pair: U+1F600


def _alert_text(ref: str, **fields: str) -> str:
    base = {"source_ref": ref, "title": "Partner directory burst", "technique": "T1591.002"}
    parts = [f'"{k}": {json.dumps(v)}' for k, v in base.items() if k not in fields]
    parts += [f'"{k}": {v}' for k, v in fields.items()]
    return "{" + ", ".join(parts) + "}"


def _ingest(client, token, text: str):
    return client.post(
        "/api/v1/alerts/", text.encode(), content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
    )


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"title": LONE}, "title"),
        ({"source_ref": LONE}, "source_ref"),
        ({"raw": '{"k": ' + LONE + "}"}, "raw.k"),
        ({"raw": '{"\\udc00key": 1}'}, "raw.?key"),
        (
            {"observables": '[{"type": "ip", "value": "1.2.3.4"}, {"type": "user", "value": ' + LONE + "}]"},
            "observables[1].value",
        ),
    ],
)
def test_a_lone_surrogate_anywhere_in_an_alert_is_a_400_naming_the_field(client, ingest_source, fields, path):
    _, token = ingest_source
    response = _ingest(client, token, _alert_text("s-1", **fields))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [path]
    assert not Alert.objects.exists()


def test_in_a_batch_only_the_alert_with_a_lone_surrogate_fails(client, ingest_source):
    _, token = ingest_source
    batch = "[" + ", ".join([_alert_text("ok-1"), _alert_text("bad", title=LONE), _alert_text("ok-2")]) + "]"

    response = _ingest(client, token, batch)

    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == [201, 400, 201]
    assert list(response.json()["results"][1]["errors"]) == ["title"]
    assert Alert.objects.count() == 2


def test_a_valid_surrogate_pair_is_a_character_and_kept(client, ingest_source):
    _, token = ingest_source
    assert _ingest(client, token, _alert_text("emoji", title=PAIR)).status_code == 201
    assert Alert.objects.get().title == "\U0001f600"


def test_a_lone_surrogate_in_an_analyst_api_body_is_a_400_naming_the_field(client, t2, make_case):
    case = make_case()
    client.force_login(t2)
    response = client.post(
        f"/api/v1/cases/{case.pk}/comments/",
        b'{"body": ' + LONE.encode() + b"}",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["body"]


def test_lone_surrogate_path_walks_keys_lists_and_values():
    assert lone_surrogate_path({"a": [{"b": "ok"}, {"c": "\ud800"}]}) == "a[1].c"
    assert lone_surrogate_path({"a": "\U0001f600"}) is None
    assert lone_surrogate_path("\udfff") == "non_field_errors"


def _chunked_post(client, path, body: bytes, **extra):
    """What gunicorn hands over for a chunked request: the de-chunked body, no Content-Length."""
    return client.request(
        REQUEST_METHOD="POST",
        PATH_INFO=path,
        CONTENT_TYPE="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(body)},
        **extra,
    )


def test_a_chunked_ingest_body_is_read(client, ingest_source):
    _, token = ingest_source
    response = _chunked_post(
        client, "/api/v1/alerts/", _alert_text("chunked-1").encode(), HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert response.status_code == 201, response.content
    assert Alert.objects.get().source_ref == "chunked-1"


def test_a_chunked_body_over_the_limit_is_a_413(client, ingest_source, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _, token = ingest_source
    body = _alert_text("big", title=json.dumps("x" * 2000)).encode()
    response = _chunked_post(client, "/api/v1/alerts/", body, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_multipart_playbook_upload_over_the_limit_is_a_413(client, manager, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.force_login(manager)
    upload = io.BytesIO(b"# T1591.002\n" + b"x" * 20_000)
    upload.name = "big.md"

    response = client.post("/api/v1/playbooks/import/", {"file": upload})

    assert response.status_code == 413
    assert response.json()["status"] == 413


def test_any_html_form_over_the_limit_is_a_413(client, l1, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(l1)
    upload = io.BytesIO(b"x" * 5000)
    upload.name = "x.bin"
    assert client.post("/profile/tokens/", {"name": "n", "f": upload}).status_code == 413


@pytest.mark.parametrize("persona", ["l1", "t2", "manager", "admin_user"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reference/networks/",
        "/api/v1/reference/networks/1/",
        "/api/v1/reference/partners/",
        "/api/v1/reference/partners/1/",
        "/api/v1/cases/",
        "/api/v1/cases/1/",
        "/api/v1/alerts/",
        "/api/v1/playbooks/",
    ],
)
def test_options_answers_on_every_endpoint(client, request, persona, path):
    client.force_login(request.getfixturevalue(persona))
    response = client.options(path)
    assert response.status_code < 500, (path, response.status_code)
