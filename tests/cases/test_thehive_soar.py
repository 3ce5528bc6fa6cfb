"""TheHive clients' request sequences, byte for byte as they send them: Kibana's TheHive
connector (createAlert, and the case calls of its case connector), a SOAR deduplicating
by sourceRef with thehive4py 2.x's query DSL before it adds observables, promotes and
merges, Shuffle's TheHive app (thehive4py 1.x: markAsRead, merge), and the calls Vigil
refuses by design, which answer TheHive's {"type", "message"} rather than a bare 404."""

import json

import pytest

from cases.ingest.tokens import ingest_source_create
from cases.models import Alert, Case

pytestmark = pytest.mark.django_db

KIBANA_REQUIRED = {
    # Kibana's TheHiveCreateAlertResponseSchema: the fields it requires, and their types.
    "_id": str,
    "_type": str,
    "_createdBy": str,
    "_createdAt": int,
    "type": str,
    "source": str,
    "sourceRef": str,
    "title": str,
    "description": str,
    "severity": int,
    "severityLabel": str,
    "date": int,
    "tlp": int,
    "tlpLabel": str,
    "pap": int,
    "papLabel": str,
    "observableCount": int,
    "status": str,
    "stage": str,
    "extraData": dict,
    "newDate": int,
    "timeToDetect": int,
}


@pytest.fixture
def hive(client, ingest_source):
    """A client sending what thehive4py 2.x and Kibana send: a Bearer key, an
    organisation, JSON bodies (and query parameters such as ?name=alerts)."""
    client.raise_request_exception = False
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ingest_source[1]}", "HTTP_X_ORGANISATION": "SOC"}

    def call(method: str, path: str, body=None, **extra):
        kwargs = {**headers, **extra}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(path, **kwargs)

    return call


def alert_body(ref: str, **fields) -> dict:
    return {
        "type": "siem",
        "source": "wazuh",
        "sourceRef": ref,
        "title": "SSH brute force",
        "description": "40 failures",
        "severity": 2,
        **fields,
    }


def listing(name: str, *steps) -> dict:
    return {"query": [{"_name": name}, *steps]}


def by_source_ref(ref: str) -> dict:
    # thehive4py: Eq("sourceRef", ref) & Eq("source", "wazuh"), Paginate(0, 1)
    return listing(
        "listAlert",
        {
            "_name": "filter",
            "_and": [
                {"_eq": {"_field": "sourceRef", "_value": ref}},
                {"_eq": {"_field": "source", "_value": "wazuh"}},
            ],
        },
        {"_name": "page", "from": 0, "to": 1},
    )


def test_kibana_create_alert_answers_every_field_its_schema_requires(hive):
    # Kibana merges its form (tags may be null) with the JSON `body` field of the action.
    body = {
        **alert_body("kibana-1", tlp=2, tags=None),
        "observables": [{"dataType": "ip", "data": "198.51.100.23"}],
    }
    response = hive("post", "/api/v1/alert", body)
    assert response.status_code == 201, response.json()
    data = response.json()
    for key, kind in KIBANA_REQUIRED.items():
        assert isinstance(data[key], kind) and not isinstance(data[key], bool), key
    assert data["tags"] == [] and data["observableCount"] == 1
    assert Alert.objects.get(pk=int(data["_id"])).source_ref == "siem:wazuh:kibana-1"


def test_kibana_case_connector_gets_thehive_errors_it_can_show(hive, client):
    # Its getResponseErrorMessage shows `${data.type} - ${data.message}`.
    for method, path, body in [
        ("post", "/api/v1/case", {"title": "From Kibana", "description": "d", "severity": 2, "tlp": 2}),
        ("post", "/api/v1/case/1/comment", {"message": "a comment"}),
    ]:
        response = hive(method, path, body)
        assert response.status_code == 403, path
        assert response.json()["type"] == "AuthorizationError" and "cases" in response.json()["message"]
    assert not Case.objects.exists()
    anonymous = client.post("/api/v1/case", "{}", content_type="application/json")
    assert anonymous.status_code == 401 and anonymous.json()["type"] == "AuthenticationError"


def test_soar_deduplicates_by_source_ref_then_adds_and_reads_back(hive):
    assert hive("post", "/api/v1/query?name=alerts", by_source_ref("evt-9")).json() == []
    created = hive("post", "/api/v1/alert", alert_body("evt-9")).json()
    [found] = hive("post", "/api/v1/query?name=alerts", by_source_ref("evt-9")).json()
    assert found["_id"] == created["_id"] and found["sourceRef"] == "evt-9"

    added = hive(
        "post", f"/api/v1/alert/{found['_id']}/observable", {"dataType": "ip", "data": "203.0.113.9"}
    )
    assert added.status_code == 201 and added.json()[0]["data"] == "203.0.113.9"
    # thehive4py's alert.update with what it read back (status, stage, tags present) is accepted...
    same = {"status": found["status"], "stage": found["stage"], "addTags": [], "follow": True}
    assert hive("patch", f"/api/v1/alert/{found['_id']}", same).status_code == 200
    # ...a change is refused, naming the field.
    ignored = hive("patch", f"/api/v1/alert/{found['_id']}", {"status": "Ignored"})
    assert ignored.status_code == 400 and ignored.json()["errors"] == {"status": ["Not updatable."]}
    assert hive("post", f"/api/v1/alert/{found['_id']}/follow").json()["_id"] == found["_id"]
    assert hive("post", f"/api/v1/alert/{found['_id']}/unfollow").status_code == 400

    back = hive("get", f"/api/v1/alert/{found['_id']}").json()
    assert back["observableCount"] == 1 and back["observables"][0]["data"] == "203.0.113.9"
    by_case = listing("listAlert", {"_name": "filter", "_eq": {"_field": "caseId", "_value": back["caseId"]}})
    assert [a["_id"] for a in hive("post", "/api/v1/query?name=alerts", by_case).json()] == [found["_id"]]
    by_status = listing("listAlert", {"_name": "filter", "_eq": {"_field": "status", "_value": "New"}})
    assert hive("post", "/api/v1/query?name=alerts", by_status).json() == []  # every alert is Imported


def test_promote_merge_and_read_the_case(hive, ingest_source):
    first = hive("post", "/api/v1/alert", alert_body("m-1")).json()
    other = hive("post", "/api/v1/alert", alert_body("m-2", title="Other", tags=["attack.T1059"])).json()
    case = hive("post", f"/api/v1/alert/{first['_id']}/case", {}).json()
    assert hive("get", f"/api/v1/case/{case['_id']}").json() == case

    # thehive4py's alert.merge_into_case: into its own case, the case; into another, a 403.
    merged = hive("post", f"/api/v1/alert/{first['_id']}/merge/{first['caseId']}")
    assert merged.status_code == 200 and merged.json()["_id"] == first["caseId"]
    assert other["caseId"] != first["caseId"], "a test premise: two cases"
    moved = hive("post", f"/api/v1/alert/{first['_id']}/merge/{other['caseId']}")
    assert moved.status_code == 403 and moved.json()["type"] == "AuthorizationError"
    assert Alert.objects.get(pk=int(first["_id"])).case_id == int(first["caseId"])
    bulk = {"caseId": first["caseId"], "alertIds": [first["_id"]]}
    assert hive("post", "/api/v1/alert/merge/_bulk", bulk).json()["_id"] == first["caseId"]

    # case.find / case.count: the cases holding this source's alerts, filtered as rendered.
    cases = hive("post", "/api/v1/query?name=cases", listing("listCase")).json()
    assert {c["_id"] for c in cases} == {first["caseId"], other["caseId"]}
    new = listing(
        "listCase", {"_name": "filter", "_eq": {"_field": "stage", "_value": "New"}}, {"_name": "count"}
    )
    assert hive("post", "/api/v1/query?name=cases.count", new).json() == len(cases)
    closed = listing("listCase", {"_name": "filter", "_eq": {"_field": "stage", "_value": "Closed"}})
    assert hive("post", "/api/v1/query?name=cases", closed).json() == []

    _stranger, token = ingest_source_create(name="another-siem")
    theirs = hive("get", f"/api/v1/case/{case['_id']}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert theirs.status_code == 404 and theirs.json()["type"] == "NotFoundError"
    none = hive("post", "/api/v1/query", listing("listCase"), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert none.json() == []
    assert hive("post", f"/api/v1/alert/{first['_id']}/merge/999999").status_code == 404


def test_shuffle_thehive_app_calls(hive):
    # Shuffle's TheHive app runs thehive4py 1.x against /api/.
    created = hive("post", "/api/alert", alert_body("shuffle-1")).json()
    alert_id = created["id"]
    assert hive("get", f"/api/alert/{alert_id}?similarity=1").json()["id"] == alert_id  # get_item
    closed = hive("post", f"/api/alert/{alert_id}/markAsRead")  # close_alert
    assert closed.status_code == 400 and "status" in closed.json()["errors"]
    assert hive("post", f"/api/alert/{alert_id}/markAsUnread").status_code == 400  # reopen_alert
    merged = hive("post", f"/api/alert/{alert_id}/merge/{created['case']}")  # merge_alert_into_case
    assert merged.status_code == 200 and merged.json()["_id"] == created["case"]
    promoted = hive("post", f"/api/alert/{alert_id}/createCase", {"caseTemplate": None})
    assert promoted.status_code == 201 and promoted.json()["_id"] == created["case"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "type_"),
    [
        ("delete", "/api/v1/alert/{id}", None, 403, "AuthorizationError"),
        ("post", "/api/v1/alert/delete/_bulk", {"ids": ["{id}"]}, 403, "AuthorizationError"),
        ("patch", "/api/v1/alert/_bulk", {"ids": ["{id}"], "status": "Ignored"}, 400, "BadRequest"),
        ("patch", "/api/v1/case/{case}", {"status": "Resolved"}, 403, "AuthorizationError"),
        ("post", "/api/v1/alert/{id}/import/{case}", None, 404, "NotFoundError"),
        ("get", "/api/v1/observable/o1", None, 404, "NotFoundError"),
        ("post", "/api/case/_search", {"query": {}}, 404, "NotFoundError"),
    ],
)
def test_calls_vigil_does_not_answer_are_thehive_errors(hive, method, path, body, status, type_):
    created = hive("post", "/api/v1/alert", alert_body("refused")).json()
    path = path.format(id=created["_id"], case=created["caseId"])
    if body is not None:
        body = json.loads(json.dumps(body).replace("{id}", created["_id"]))
    response = hive(method, path, body)
    assert response.status_code == status, response.content
    assert response.json()["type"] == type_ and response.json()["message"]
    assert Alert.objects.filter(pk=int(created["_id"])).exists()


def test_vigils_own_api_paths_keep_vigils_404(hive):
    response = hive("get", "/api/v1/nothing-here/")
    assert response.status_code == 404 and "type" not in response.json()
