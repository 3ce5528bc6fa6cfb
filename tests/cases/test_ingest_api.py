"""POST /api/v1/alerts/: auth, single and batch semantics, bad input, rate limiting."""

import json

import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings

from cases.ingest.tokens import ingest_source_revoke
from cases.models import Alert, Case, CaseEvent, Observable
from cases.services.tokens import user_token_create
from enrichment.tasks import enrich_alert

pytestmark = pytest.mark.django_db

URL = "/api/v1/alerts/"


def alert(ref="r-1", **kw):
    return {"source_ref": ref, "title": "Partner directory burst", "technique": "T1591.002", **kw}


@pytest.fixture
def post(client, ingest_source):
    _, token = ingest_source

    def send(body, url=URL, content_type="application/json", auth=f"Token {token}", **extra):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
        return client.post(url, data, content_type=content_type, **headers, **extra)

    return send


def nothing_created() -> bool:
    return not Alert.objects.exists() and not Case.objects.exists() and not CaseEvent.objects.exists()


# --- authentication -------------------------------------------------------------------------


def test_without_token_is_401(post):
    response = post(alert(), auth=None)
    assert response.status_code == 401
    assert response.json()["status"] == 401 and nothing_created()


def test_unknown_token_is_401(post):
    assert post(alert(), auth="Token vgi_not-a-real-token").status_code == 401
    assert post(alert(), auth="Token something-else").status_code == 401
    assert nothing_created()


def test_revoked_token_is_401(post, ingest_source):
    ingest_source_revoke(source=ingest_source[0])
    response = post(alert())
    assert response.status_code == 401 and nothing_created()


def test_personal_token_may_not_ingest(post, l1):
    _, token = user_token_create(user=l1, name="cli", by=l1)
    response = post(alert(), auth=f"Token {token}")
    assert response.status_code == 403 and nothing_created()


def test_session_user_may_not_ingest(client, manager):
    client.force_login(manager)
    response = client.post(URL, json.dumps(alert()), content_type="application/json")
    assert response.status_code == 401 and nothing_created()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/",
        "/api/v1/cases/{case}/",
        "/api/v1/alerts/{alert}/",
        "/api/v1/playbooks/",
        "/api/v1/playbooks/T1591.002/",
    ],
)
def test_ingest_token_is_refused_everywhere_else(
    client, ingest_source, ingest_alert_factory, seed_playbook, path
):
    result = ingest_alert_factory()
    url = path.format(case=result.case.pk, alert=result.alert.pk)
    response = client.get(url, HTTP_AUTHORIZATION=f"Token {ingest_source[1]}")
    assert response.status_code == 403


def test_bearer_header_is_accepted(post, ingest_source, seed_playbook):
    response = post(alert(), auth=f"Bearer {ingest_source[1]}")
    assert response.status_code == 201


# --- single alerts ----------------------------------------------------------------------------


def test_single_alert_is_201_then_duplicate_200_with_same_ids(post, seed_playbook):
    first = post(
        alert(severity="high", observables=[{"type": "ip", "value": "203.0.113.77", "role": "source"}])
    )
    assert first.status_code == 201
    body = first.json()
    case = Case.objects.get()
    assert body == {
        "id": Alert.objects.get().pk,
        "case": case.pk,
        "case_reference": case.reference,
        "case_url": f"http://testserver/cases/{case.pk}/",
        "duplicate": False,
    }
    assert case.playbook_version == seed_playbook and case.severity == 3
    again = post(alert(severity="critical", title="other"))
    assert again.status_code == 200
    assert again.json() == {**body, "duplicate": True}
    assert Alert.objects.count() == 1
    assert Case.objects.get().severity == 3


def test_path_without_trailing_slash_works(post, seed_playbook):
    assert post(alert(), url="/api/v1/alerts").status_code == 201


@pytest.mark.parametrize(
    ("given", "stored"), [("low", 1), ("MEDIUM", 2), ("high", 3), ("critical", 4), (1, 1), (4, 4), ("3", 3)]
)
def test_severity_names_and_numbers(post, given, stored):
    assert post(alert(severity=given)).status_code == 201
    assert Alert.objects.get().severity == stored


@pytest.mark.parametrize(
    ("given", "iso"),
    [
        ("2026-03-04T13:41:07+01:00", "2026-03-04T12:41:07+00:00"),
        ("2026-03-04T13:41:07Z", "2026-03-04T13:41:07+00:00"),
        ("2026-03-04T13:41:07", "2026-03-04T13:41:07+00:00"),  # naive is UTC
        ("2026-03-04T13:41:07.118-05:00", "2026-03-04T18:41:07.118000+00:00"),
    ],
)
def test_observed_at_with_offset_and_naive_as_utc(post, given, iso):
    assert post(alert(observed_at=given)).status_code == 201
    assert Alert.objects.get().observed_at.isoformat() == iso


def test_unknown_fields_are_ignored_but_kept_in_raw(post):
    body = alert(vendor_specific={"a": [1, 2]}, raw={"k": "v"})
    assert post(body).status_code == 201
    assert Alert.objects.get().raw == body


def test_declared_and_extracted_observables_are_normalised(post):
    body = alert(
        description="Also seen: hxxps://Evil[.]com/login and 2001:DB8:0:0:0:0:0:9",
        observables=[
            {"type": "ip", "value": "2001:0DB8::0001", "role": "source"},
            {"type": "domain", "value": "Partner.Example.NET."},
            {"type": "email", "value": "Bob@Partner.Example.NET"},
            {"type": "user", "value": "  M.Keller "},
            {"type": "ip", "value": "10.1.2.3"},
        ],
    )
    response = post(body)
    assert response.status_code == 201
    # Indicators in the text are extracted by the enrichment task after commit.
    assert not Observable.objects.filter(type="url").exists()
    enrich_alert.apply(args=[response.json()["id"]]).get()
    stored = set(Observable.objects.values_list("type", "value", "is_internal"))
    assert stored >= {
        ("ip", "2001:db8::1", False),
        ("domain", "partner.example.net", False),
        ("email", "bob@partner.example.net", False),
        ("user", "m.keller", False),
        ("ip", "10.1.2.3", True),
        ("url", "https://evil.com/login", False),
        ("ip", "2001:db8::9", False),
    }


# --- batches ------------------------------------------------------------------------------------


def test_batch_answers_each_alert_in_order_and_bad_ones_do_not_reject_neighbours(post, seed_playbook):
    post(alert("seen"))
    response = post(
        [
            alert("b-1"),
            {"title": "no ref"},
            alert("seen"),
            alert("b-2", severity="extreme"),
            alert("b-1"),
            "not an object",
        ]
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 400, 200, 400, 200, 400]
    assert results[1]["errors"] == {"source_ref": ["This field is required."]}
    assert "severity" in results[3]["errors"]
    assert results[4]["id"] == results[0]["id"] and results[4]["duplicate"] is True
    assert results[2]["duplicate"] is True
    assert Alert.objects.count() == 2


def test_batch_over_the_maximum_is_413_and_creates_nothing(post, settings):
    settings.VIGIL_MAX_BATCH = 3
    response = post([alert(f"r{i}") for i in range(4)])
    assert response.status_code == 413
    assert "At most 3 alerts" in response.json()["detail"]
    assert nothing_created()


def test_empty_batch_is_400(post):
    assert post([]).status_code == 400


# --- bad input ------------------------------------------------------------------------------------


def test_invalid_json_is_400(post):
    response = post('{"source_ref": "x", ')
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    assert nothing_created()


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_wrong_or_missing_content_type_is_415(post, content_type):
    response = post(json.dumps(alert()), content_type=content_type)
    assert response.status_code == 415 and nothing_created()


def test_body_over_the_limit_is_413(post, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(alert(description="x" * 2000))
    assert response.status_code == 413 and nothing_created()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", 42),
        ("source_ref", True),
        ("description", ["a"]),
        ("severity", 7),
        ("tags", [1]),
        ("techniques", "T1591"),
        ("observables", {"type": "ip"}),
        ("raw", "text"),
    ],
)
def test_wrong_field_type_is_400_naming_the_field(post, field, value):
    response = post(alert(**{field: value}))
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert nothing_created()


def test_bad_observable_is_400_naming_its_position(post):
    response = post(
        alert(observables=[{"type": "ip", "value": "203.0.113.7"}, {"type": "ip", "value": "999.1.1.1"}])
    )
    assert response.status_code == 400
    assert "observables[1].value" in response.json()["errors"]
    response = post(alert(observables=[{"type": "planet", "value": "mars"}]))
    assert "observables[0].type" in response.json()["errors"]
    assert nothing_created()


@pytest.mark.parametrize("technique", ["T15", "1591.002", "T1591.2", "TA0043", "T1591.002; DROP"])
def test_bad_technique_id_format_is_400(post, technique):
    response = post(alert(technique=technique))
    assert response.status_code == 400 and "technique" in response.json()["errors"]
    assert nothing_created()


def test_lenient_technique_spellings_are_normalised(post):
    assert post(alert(technique="t1591.002", techniques=["T1110"])).status_code == 201
    assert Alert.objects.get().technique_ids == ["T1591.002", "T1110"]


def test_missing_required_field_is_named(post):
    response = post({"source_ref": "x"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"title": ["This field is required."]}


@pytest.mark.parametrize("body", ["42", '"text"', "null", "[[[[[[" * 20 + "]]]]]]" * 20])
def test_json_that_is_not_an_alert_is_400(post, body):
    assert post(body).status_code == 400
    assert nothing_created()


def test_absurdly_deep_json_is_400_not_500(post):
    assert post("[" * 50_000 + "]" * 50_000).status_code == 400
    assert post('{"a":' * 5000 + "1" + "}" * 5000).status_code == 400


def test_nul_characters_are_replaced_not_a_500(post):
    body = '{"source_ref": "n\\u0000ul", "title": "t\\u0000", "raw": {"k\\u0000": ["\\u0000"]}}'
    assert post(body).status_code == 201
    stored = Alert.objects.get()
    assert stored.source_ref == "n\ufffdul" and stored.title == "t\ufffd"
    assert stored.raw["raw"] == {"k\ufffd": ["\ufffd"]}


# --- rate limiting ------------------------------------------------------------------------------


def test_rate_limit_per_source_answers_429_with_retry_after(post, monkeypatch):
    cache.clear()
    monkeypatch.setitem(api_settings.DEFAULT_THROTTLE_RATES, "ingest", "2/min")
    assert post(alert("a")).status_code == 201
    assert post(alert("b")).status_code == 201
    limited = post(alert("c"))
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert Alert.objects.count() == 2
    cache.clear()
