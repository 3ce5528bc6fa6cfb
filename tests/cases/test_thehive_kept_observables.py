"""Observables Vigil keeps no entity for, through TheHive's endpoints: TheHive accepts any
dataType its admin configured (registry, user-agent, filename, a custom type) and does
not check an observable's data, so Vigil keeps them on the alert as sent
(cases.models.KeptObservable), answers them back as TheHive does, and refuses only what
TheHive refuses: no dataType, no data, a malformed body. The bodies are thehive4py's
InputObservable and InputAlert."""

import base64
import json

import pytest

from cases.models import Alert, AlertAttachment, CaseEvent, CaseObservable, KeptObservable, Observable

pytestmark = pytest.mark.django_db

ALERT = {
    "type": "external",
    "source": "siem-1",
    "sourceRef": "kept-1",
    "title": "Suspicious download",
    "description": "d",
    "severity": 2,
    "date": 1772631667000,
}


@pytest.fixture
def api(client, ingest_source):
    token = ingest_source[1]

    def call(method: str, path: str, body=None):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(path, **kwargs)

    return call


def created(api, **overrides) -> dict:
    response = api("post", "/api/v1/alert", {**ALERT, **overrides})
    assert response.status_code == 201, response.json()
    return response.json()


def test_an_observable_of_a_type_vigil_has_no_entity_for_is_kept_and_answered(api):
    alert_id = created(api)["_id"]
    observable = {
        "dataType": "user-agent",
        "data": "curl/7.68.0",
        "message": "the downloader's agent",
        "tags": ["proxy"],
        "tlp": 2,
        "ioc": False,
    }
    response = api("post", f"/api/v1/alert/{alert_id}/observable", observable)
    assert response.status_code == 201, response.json()
    [answered] = response.json()
    assert answered["_type"] == "Observable" and answered["_id"].startswith("k")
    assert (answered["dataType"], answered["data"], answered["message"]) == (
        "user-agent",
        "curl/7.68.0",
        "the downloader's agent",
    )
    assert answered["tags"] == ["proxy"] and answered["startDate"] == ALERT["date"]

    alert = Alert.objects.get(pk=int(alert_id))
    [kept] = KeptObservable.objects.filter(alert=alert)
    assert (kept.data_type, kept.data, kept.tags) == ("user-agent", "curl/7.68.0", ["proxy"])
    assert not Observable.objects.exists() and not CaseObservable.objects.exists()  # no entity, no case link
    [event] = CaseEvent.objects.filter(case=alert.case, verb="observables_added")
    assert event.data["observables"] == ["user-agent:curl/7.68.0"]
    got = api("get", f"/api/v1/alert/{alert_id}").json()
    assert got["observableCount"] == 1 and got["observables"] == [answered]


def test_each_default_and_custom_type_is_kept_the_same_value_once(api):
    alert_id = created(api)["_id"]
    sent = [
        ("filename", "invoice.pdf.exe"),
        ("registry", "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\updater"),
        ("regexp", r"^inv[0-9]+\.exe$"),
        ("uri_path", "/wp-login.php"),
        ("other", "Jane Doe"),
        ("autonomous-system", "13335"),
        ("mail-subject", "Your invoice"),
        ("process-name", "rundll32.exe"),  # a type an admin configured
    ]
    for data_type, data in sent:
        response = api("post", f"/api/v1/alert/{alert_id}/artifact", {"dataType": data_type, "data": data})
        assert response.status_code == 201, (data_type, response.json())
        assert [(o["dataType"], o["data"]) for o in response.json()] == [(data_type, data)]
    again = api(
        "post", f"/api/v1/alert/{alert_id}/observable", {"dataType": "filename", "data": "invoice.pdf.exe"}
    )
    assert again.status_code == 201 and again.json()[0]["_id"] == f"k{KeptObservable.objects.first().pk}"
    assert list(KeptObservable.objects.values_list("data_type", "data")) == sent
    got = api("get", f"/api/v1/alert/{alert_id}").json()
    assert [(o["dataType"], o["data"]) for o in got["observables"]] == sent


def test_a_value_that_is_no_entity_of_its_type_is_kept_beside_the_entities(api):
    alert_id = created(api)["_id"]
    response = api(
        "post",
        f"/api/v1/alert/{alert_id}/observable",
        {"dataType": "ip", "data": ["198.51.100.7", "999.1.1.1"]},  # TheHive checks neither
    )
    assert response.status_code == 201, response.json()
    assert [(o["dataType"], o["data"], o["_id"][0]) for o in response.json()] == [
        ("ip", "198.51.100.7", "o"),
        ("ip", "999.1.1.1", "k"),
    ]
    assert list(Observable.objects.values_list("value", flat=True)) == ["198.51.100.7"]
    assert KeptObservable.objects.get().data == "999.1.1.1"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"data": "x"}, "observables[0].dataType"),
        ({"dataType": "", "data": "x"}, "observables[0].dataType"),
        ({"dataType": "x" * 33, "data": "x"}, "observables[0].dataType"),
        ({"dataType": "registry"}, "observables[0].data"),
        ({"dataType": "registry", "data": []}, "observables[0].data"),
        ({"dataType": "registry", "data": {"key": "HKLM"}}, "observables[0].data"),
        ({"dataType": "registry", "data": "x" * 4097}, "observables[0].data"),
    ],
)
def test_what_thehive_refuses_is_its_attribute_error(api, body, field):
    alert_id = created(api)["_id"]
    response = api("post", f"/api/v1/alert/{alert_id}/observable", body)
    assert response.status_code == 400, response.json()
    assert response.json()["type"] == "AttributeCheckingError" and field in response.json()["errors"]
    assert not KeptObservable.objects.exists() and not Observable.objects.exists()


def test_a_malformed_body_is_a_bad_request(api):
    alert_id = created(api)["_id"]
    for body in ("registry", [], 7):
        response = api("post", f"/api/v1/alert/{alert_id}/observable", body)
        assert response.status_code == 400 and response.json()["type"] == "BadRequest"


def test_a_bad_observable_in_a_batch_does_not_lose_the_good_ones(api, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    alert_id = created(api)["_id"]
    batch = [
        {"dataType": "ip", "data": "203.0.113.9"},
        {"data": "no type"},
        {"dataType": "registry", "data": "HKCU\\Run\\x"},
        {
            "dataType": "file",
            "data": ["a.txt;text/plain;" + base64.b64encode(b"kept").decode(), "not-a-file"],
        },
        {"dataType": "hostname"},
    ]
    response = api("post", f"/api/v1/alert/{alert_id}/observable", batch)
    assert response.status_code == 207, response.json()
    body = response.json()
    assert [(o["dataType"], o.get("data")) for o in body["success"]] == [
        ("ip", "203.0.113.9"),
        ("registry", "HKCU\\Run\\x"),
        ("file", None),
    ]
    assert [(f["type"], f["object"]) for f in body["failure"]] == [
        ("AttributeCheckingError", {"data": "no type"}),
        ("AttributeCheckingError", {"data": "file:no name", "attachment": {"name": "no name"}}),
        ("AttributeCheckingError", {"dataType": "hostname"}),
    ]
    assert "observables[1].dataType" in body["failure"][0]["message"]
    alert = Alert.objects.get(pk=int(alert_id))
    assert list(alert.observables.values_list("value", flat=True)) == ["203.0.113.9"]
    assert KeptObservable.objects.get(alert=alert).data == "HKCU\\Run\\x"
    assert AlertAttachment.objects.get(alert=alert).name == "a.txt"


def test_alert_creation_keeps_them_and_flags_what_thehive_would_refuse(api):
    body = created(
        api,
        observables=[
            {"dataType": "ip", "data": "198.51.100.20", "tags": ["src"]},
            {"dataType": "user-agent", "data": "Mozilla/5.0 (compatible; Nmap Scripting Engine)"},
            {"dataType": "autonomous-system", "data": 13335},  # thehive4py passes an int through
            {"dataType": "ip"},  # no data: TheHive refuses it
            {"dataType": "fqdn", "data": "login.example-sso.net", "message": "Destination host"},
        ],
    )
    assert [(o["dataType"], o["data"]) for o in body["observables"]] == [
        ("ip", "198.51.100.20"),
        ("hostname", "login.example-sso.net"),
        ("user-agent", "Mozilla/5.0 (compatible; Nmap Scripting Engine)"),
        ("autonomous-system", "13335"),
    ]
    alert = Alert.objects.get(pk=int(body["_id"]))
    assert {
        "code": "observable_unreadable",
        "field": "observables[3].data",
        "detail": ("This field is required (a value, or a list of them)."),
    } in alert.flags
    assert alert.raw["observables"][3] == {"dataType": "ip"}  # kept in the raw payload
    assert KeptObservable.objects.filter(alert=alert).count() == 2


def test_v0_artifacts_and_an_update_keep_them_too(api):
    response = api(
        "post",
        "/api/alert",
        {
            **ALERT,
            "artifacts": [{"dataType": "filename", "data": "payload.hta", "message": "attachment name"}],
        },
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    [artifact] = data["artifacts"]
    assert artifact["_type"] == "case_artifact" and artifact["id"] == artifact["_id"]
    assert (artifact["dataType"], artifact["data"], artifact["message"]) == (
        "filename",
        "payload.hta",
        "attachment name",
    )

    patched = api(
        "patch", f"/api/alert/{data['id']}", {"artifacts": [{"dataType": "registry", "data": "HKLM\\x"}]}
    )
    assert patched.status_code == 200, patched.json()
    assert {a["dataType"] for a in patched.json()["artifacts"]} == {"filename", "registry"}
    refused = api(
        "patch", f"/api/alert/{data['id']}", {"artifacts": [{"dataType": "registry", "data": "HKLM\\y"}, {}]}
    )
    assert refused.status_code == 400 and refused.json()["type"] == "AttributeCheckingError"
    assert KeptObservable.objects.count() == 2  # the update was refused whole


def test_find_observables_and_the_alert_page_show_them(api, client, l1):
    alert_id = created(api, observables=[{"dataType": "registry", "data": "HKLM\\Run\\<script>"}])["_id"]
    query = {"query": [{"_name": "getAlert", "idOrName": alert_id}, {"_name": "observables"}]}
    found = api("post", "/api/v1/query", query).json()
    assert [(o["dataType"], o["data"]) for o in found] == [("registry", "HKLM\\Run\\<script>")]
    alert = Alert.objects.get(pk=int(alert_id))
    client.force_login(l1)
    page = client.get(f"/cases/{alert.case_id}/alerts/{alert.pk}/").content.decode()
    assert "Kept as sent" in page and "HKLM\\Run\\&lt;script&gt;" in page


def test_only_the_alerts_own_source_may_add_kept_observables(api, client, l1):
    from cases.ingest.tokens import ingest_source_create
    from cases.services.tokens import user_token_create

    alert_id = created(api)["_id"]
    path, body = f"/api/v1/alert/{alert_id}/observable", {"dataType": "registry", "data": "HKLM\\Run\\x"}
    _other, other_token = ingest_source_create(name="other-siem")
    _token, personal = user_token_create(user=l1, name="t", by=l1)
    calls = {
        "another source": ({"HTTP_AUTHORIZATION": f"Bearer {other_token}"}, 404),
        "a personal token": ({"HTTP_AUTHORIZATION": f"Bearer {personal}"}, 403),
        "no token": ({}, 401),
    }
    for who, (headers, status) in calls.items():
        response = client.post(path, json.dumps(body), content_type="application/json", **headers)
        assert response.status_code == status, (who, response.status_code)
    assert not KeptObservable.objects.filter(alert_id=alert_id).exists()
