"""TheHive's alert API (cases.api.thehive) over HTTP: the shapes TheHive clients read,
observables after alerting, evidence files, queries, and who may call."""

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Alert, AlertAttachment, CaseEvent, CaseObservable
from tests.conftest import SAMPLES_DIR

pytestmark = pytest.mark.django_db

ALERT = {
    "type": "external",
    "source": "siem-1",
    "sourceRef": "ref-1",
    "title": "Partner directory burst",
    "description": "186 requests",
    "severity": 3,
    "date": 1772631667000,
    "tags": ["attack.t1591.002"],
    "tlp": 3,
    "observables": [{"dataType": "ip", "data": "203.0.113.77", "tags": ["src"]}],
}


@pytest.fixture
def api(client, ingest_source):
    token = ingest_source[1]

    def call(method: str, path: str, body=None, *, multipart: bool = False):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if multipart:
            kwargs["data"] = body  # the test client encodes it as multipart/form-data
        elif body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(path, **kwargs)

    return call


def created(api, **overrides):
    response = api("post", "/api/v1/alert", {**ALERT, **overrides})
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_answers_thehive_alert_fields(api, seed_playbook):
    body = created(api)
    for key in ("_id", "_type", "_createdAt", "_createdBy", "title", "description", "severity", "status"):
        assert key in body
    assert body["_type"] == "Alert" and body["sourceRef"] == "ref-1" and body["source"] == "siem-1"
    assert body["type"] == "external" and body["tlp"] == 3 and body["pap"] == 2
    assert body["date"] == 1772631667000 and body["tags"] == ["attack.t1591.002"]
    alert = Alert.objects.get(pk=int(body["_id"]))
    assert body["caseId"] == str(alert.case_id)
    assert body["extraData"]["vigil"]["case_url"] == f"http://testserver/cases/{alert.case_id}/"
    [obs] = body["observables"]
    assert obs["dataType"] == "ip" and obs["data"] == "203.0.113.77"
    assert alert.case.playbook_version == seed_playbook


def test_the_sample_ingests_at_thehive_path(api, seed_playbook):
    body = json.loads((SAMPLES_DIR / "thehive_alert.json").read_text(encoding="utf-8"))
    response = api("post", "/api/v1/alert", body)
    assert response.status_code == 201
    assert Alert.objects.get(pk=int(response.json()["_id"])).case.playbook_version == seed_playbook


def test_a_repeated_source_ref_is_thehive_create_error(api):
    first = created(api)
    again = api("post", "/api/v1/alert", ALERT)
    assert again.status_code == 400
    assert again.json()["type"] == "CreateError" and first["_id"] in again.json()["message"]
    assert Alert.objects.count() == 1


def test_the_duplicate_can_answer_vigils_200(api, settings):
    settings.VIGIL_THEHIVE_DUPLICATE_IS_ERROR = False
    first = created(api)
    again = api("post", "/api/v1/alert", ALERT)
    assert again.status_code == 200 and again.json()["_id"] == first["_id"]


def test_an_invalid_alert_names_the_field(api):
    response = api("post", "/api/v1/alert", {**ALERT, "title": ""})
    assert response.status_code == 400
    assert response.json()["type"] == "AttributeCheckingError" and "title" in response.json()["errors"]


def test_observables_after_alerting_reach_the_alert_and_its_case(api, django_capture_on_commit_callbacks):
    alert_id = created(api, observables=[])["_id"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api(
            "post",
            f"/api/v1/alert/{alert_id}/observable",
            {"dataType": "domain", "data": ["Example.COM", "partner.example"]},
        )
    assert response.status_code == 201, response.json()
    assert [o["data"] for o in response.json()] == ["example.com", "partner.example"]
    assert callbacks, "enrichment is dispatched after commit"
    alert = Alert.objects.get(pk=int(alert_id))
    assert set(alert.observables.values_list("value", flat=True)) == {"example.com", "partner.example"}
    links = CaseObservable.objects.filter(case=alert.case)
    assert {link.observable.value for link in links} == {"example.com", "partner.example"}
    assert all(link.first_seen_at == alert.observed_at for link in links)
    assert CaseEvent.objects.filter(case=alert.case, verb="observables_added").count() == 1
    # The same observable again changes nothing; the artifact path is the same call.
    again = api("post", f"/api/v1/alert/{alert_id}/artifact", {"dataType": "domain", "data": "example.com"})
    assert again.status_code == 201 and len(again.json()) == 1
    assert CaseEvent.objects.filter(case=alert.case, verb="observables_added").count() == 1
    got = api("get", f"/api/v1/alert/{alert_id}").json()
    assert got["observableCount"] == 2


def test_multipart_alert_files_are_evidence(api, client, l1, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    payload = {**ALERT, "observables": [{"dataType": "file", "attachment": "k1"}]}
    html = b"<html><script>alert(1)</script></html>"
    response = api(
        "post",
        "/api/v1/alert",
        {"_json": json.dumps(payload), "k1": SimpleUploadedFile("mail.html", html, content_type="text/html")},
        multipart=True,
    )
    assert response.status_code == 201, response.json()
    [file_obs] = [o for o in response.json()["observables"] if o["dataType"] == "file"]
    assert file_obs["attachment"]["name"] == "mail.html" and file_obs["attachment"]["size"] == len(html)
    attachment = AlertAttachment.objects.get()
    assert attachment.sha256 == file_obs["attachment"]["hashes"][0]
    assert "mail.html" not in attachment.file.name  # the sender's name never becomes a path

    url = f"/cases/{attachment.alert.case_id}/evidence/{attachment.pk}/"
    assert client.get(url).status_code in (302, 403)  # anonymous
    client.force_login(l1)
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith('attachment; filename="mail.html"')
    assert b"".join(download.streaming_content) == html


def test_evidence_is_not_for_outsiders(api, client, outsider, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    alert_id = created(api)["_id"]
    files = [{"dataType": "file", "data": "a.txt;text/plain;" + base64.b64encode(b"hello").decode()}]
    assert api("post", f"/api/v1/alert/{alert_id}/artifact", files).status_code == 201
    attachment = AlertAttachment.objects.get()
    client.force_login(outsider)
    assert client.get(f"/cases/{attachment.alert.case_id}/evidence/{attachment.pk}/").status_code == 403


def test_a_file_over_the_limit_is_413_and_nothing_is_stored(api, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.VIGIL_ATTACHMENT_MAX_BYTES = 1000
    response = api(
        "post",
        "/api/v1/alert",
        {"_json": json.dumps(ALERT), "f": SimpleUploadedFile("big.bin", b"x" * 5000)},
        multipart=True,
    )
    assert response.status_code == 413 and response.json()["type"] == "RequestTooLarge"
    assert not Alert.objects.exists() and not AlertAttachment.objects.exists()


def test_v0_alert_with_artifacts_and_an_inline_file(api, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    body = {
        "title": "v0",
        "description": "d",
        "type": "external",
        "source": "th4",
        "sourceRef": "v0-1",
        "artifacts": [
            {"dataType": "ip", "data": "198.51.100.4", "message": "m"},
            {"dataType": "file", "data": "n.txt;text/plain;" + base64.b64encode(b"evidence").decode()},
        ],
    }
    response = api("post", "/api/alert", body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["id"] == data["_id"] and data["case"] == data["caseId"]
    assert {a["dataType"] for a in data["artifacts"]} == {"ip", "file"}
    assert api("get", f"/api/alert/{data['id']}").json()["artifacts"] == data["artifacts"]
    assert AlertAttachment.objects.get().size == len(b"evidence")


def test_get_alert_is_only_for_the_source_that_sent_it(api, client):
    alert_id = created(api)["_id"]
    from cases.ingest.tokens import ingest_source_create

    _other, other_token = ingest_source_create(name="other-siem")
    response = client.get(f"/api/v1/alert/{alert_id}", HTTP_AUTHORIZATION=f"Bearer {other_token}")
    assert response.status_code == 404 and response.json()["type"] == "NotFoundError"
    assert api("get", "/api/v1/alert/not-a-number").status_code == 404


def test_personal_tokens_and_anonymous_callers_are_refused(client, l1):
    from cases.services.tokens import user_token_create

    _token, plain = user_token_create(user=l1, name="t", by=l1)
    assert client.get("/api/v1/user/current", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 403
    anonymous = client.post("/api/v1/alert", json.dumps(ALERT), content_type="application/json")
    assert anonymous.status_code == 401 and anonymous.json()["type"] == "AuthenticationError"


def test_patch_adds_observables_and_refuses_changes(api):
    alert_id = created(api)["_id"]
    same = api(
        "patch",
        f"/api/v1/alert/{alert_id}",
        {"title": ALERT["title"], "artifacts": [{"dataType": "url", "data": "https://x.example/a"}]},
    )
    assert same.status_code == 200, same.json()
    assert "https://x.example/a" in {o["data"] for o in same.json()["observables"]}
    changed = api("patch", f"/api/v1/alert/{alert_id}", {"title": "another"})
    assert changed.status_code == 400 and "title" in changed.json()["errors"]


def test_promote_answers_the_vigil_case_as_a_thehive_case(api):
    body = created(api)
    response = api("post", f"/api/v1/alert/{body['_id']}/case", {})
    assert response.status_code == 201
    case = response.json()
    assert case["_id"] == body["caseId"] and case["_type"] == "Case" and case["status"] == "New"
    assert case["extraData"]["vigil"]["reference"].startswith("CASE-")


def test_query_lists_filters_pages_and_counts(api, django_assert_max_num_queries):
    for i in range(5):
        created(api, sourceRef=f"q-{i}", title=f"alert {i}", severity=1 + i % 4, observables=[])
    query = {
        "query": [
            {"_name": "listAlert"},
            {
                "_name": "filter",
                "_and": [
                    {"_gte": {"_field": "severity", "_value": 2}},
                    {"_like": {"_field": "title", "_value": "alert"}},
                ],
            },
            {"_name": "sort", "_fields": [{"severity": "desc"}]},
            {"_name": "page", "from": 0, "to": 2},
        ]
    }
    with django_assert_max_num_queries(8):
        page = api("post", "/api/v1/query?name=alerts", query)
    assert page.status_code == 200, page.json()
    assert [a["severity"] for a in page.json()] == [4, 3]
    count = api(
        "post",
        "/api/v1/query?name=alerts.count",
        {
            "query": [
                {"_name": "listAlert"},
                {"_name": "filter", "_eq": {"_field": "sourceRef", "_value": "q-1"}},
                {"_name": "count"},
            ]
        },
    )
    assert count.json() == 1
    unknown = api("post", "/api/v1/query", {"query": [{"_name": "listTask"}]})
    assert unknown.status_code == 400


def test_v0_search_answers_thehive4py_1_criteria_range_and_sort(api, client, ingest_source):
    for i in range(5):
        created(api, sourceRef=f"s-{i}", title=f"search {i}", severity=1 + i % 4, observables=[])
    token = ingest_source[1]

    def search(query: dict, params: str = ""):
        return client.post(
            f"/api/alert/_search{params}",
            json.dumps({"query": query}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    # And([Gte('severity', 2), Like('title', 'search')]): And of a list arrives nested.
    found = search(
        {"_and": [[{"_gte": {"severity": 2}}, {"_like": {"_field": "title", "_value": "search"}}]]},
        "?range=0-2&sort=-severity",
    )
    assert found.status_code == 200, found.json()
    assert [a["severity"] for a in found.json()] == [4, 3]
    assert "artifacts" in found.json()[0] and "id" in found.json()[0]  # TheHive 3/4's shape
    assert [a["sourceRef"] for a in search({"_field": "sourceRef", "_value": "s-1"}).json()] == ["s-1"]
    everything = search({}, "?range=all&sort=%2BcreatedAt").json()
    assert [a["sourceRef"] for a in everything] == [f"s-{i}" for i in range(5)]
    starts = search({"_not": {"_wildcard": {"_field": "title", "_value": "search 1*"}}}).json()
    assert len(starts) == 4
    refused = search({"_string": "title:search"})
    assert refused.status_code == 400 and "String" in refused.json()["message"]
    assert search({}, "?range=10-2").status_code == 400
    assert search({"_gte": {"owner": "x"}}).status_code == 400  # a field Vigil does not filter on


def test_v0_search_is_for_ingest_tokens_and_sees_only_its_own_alerts(api, client, l1):
    from cases.ingest.tokens import ingest_source_create
    from cases.services.tokens import user_token_create

    created(api, sourceRef="mine", observables=[])
    _other, other_token = ingest_source_create(name="other-siem")
    body = json.dumps({"query": {}})
    theirs = client.post(
        "/api/alert/_search",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {other_token}",
    )
    assert theirs.status_code == 200 and theirs.json() == []
    _token, personal = user_token_create(user=l1, name="t", by=l1)
    refused = client.post(
        "/api/alert/_search", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {personal}"
    )
    assert refused.status_code == 403
    assert client.post("/api/alert/_search", body, content_type="application/json").status_code == 401


def test_current_user_is_the_ingest_source(api, ingest_source):
    body = api("get", "/api/v1/user/current").json()
    assert body["login"] == ingest_source[0].name and body["_type"] == "User"
    assert api("get", "/api/user/current").json()["id"] == ingest_source[0].name


def test_the_case_page_links_the_evidence_escaped(api, client, l1, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    alert_id = created(api)["_id"]
    name = "<img src=x onerror=alert(1)>.txt"
    data = f"{name};text/plain;" + base64.b64encode(b"x").decode()
    assert (
        api("post", f"/api/v1/alert/{alert_id}/artifact", {"dataType": "file", "data": data}).status_code
        == 201
    )
    attachment = AlertAttachment.objects.get()
    client.force_login(l1)
    page = client.get(f"/cases/{attachment.alert.case_id}/").content.decode()
    assert f"/cases/{attachment.alert.case_id}/evidence/{attachment.pk}/" in page
    assert "<img src=x" not in page and "&lt;img src=x" in page


@pytest.mark.parametrize("path", ["/api/v1/alert", "/api/alert", "/api/v1/query"])
def test_a_lone_surrogate_is_a_400_naming_the_field(api, client, ingest_source, path):
    body = json.dumps({**ALERT, "title": "x"}).replace('"title": "x"', '"title": "Partner \\ud800 burst"')
    response = client.post(
        path, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {ingest_source[1]}"
    )
    assert response.status_code == 400, response.content
    assert response.json()["type"] == "BadRequest" and "title" in response.json()["errors"]
    assert not Alert.objects.exists()


def test_a_lone_surrogate_in_the_multipart_json_is_a_400(api):
    body = json.dumps({**ALERT, "title": "x"}).replace('"title": "x"', '"title": "Partner \\ud800 burst"')
    response = api("post", "/api/v1/alert", {"_json": body}, multipart=True)
    assert response.status_code == 400, response.content
    assert "title" in response.json()["errors"]
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        [{"_name": "getAlert", "idOrName": "1"}, 5],
        [
            {"_name": "listAlert"},
            {"_name": "filter", "_between": {"_field": ["title"], "_from": 1, "_to": 2}},
        ],
        [{"_name": "listAlert"}, {"_name": "filter", "_in": {"_field": {"x": 1}, "_values": ["a"]}}],
    ],
)
def test_a_malformed_query_is_a_400_not_a_500(api, query):
    response = api("post", "/api/v1/query", {"query": query})
    assert response.status_code == 400 and response.json()["type"] == "BadRequest"
