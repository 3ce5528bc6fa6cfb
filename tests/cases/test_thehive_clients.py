"""TheHive's own client libraries against a live Vigil: thehive4py 2.x (TheHive 5's API,
installed as a dev dependency) in this process, and thehive4py 1.x (TheHive 3/4's API) in
a virtualenv of its own under var/ (the two cannot share one environment), run as a
subprocess. The 1.x virtualenv is created from PyPI on first use; where that is impossible
the test skips locally and fails in CI (VIGIL_REQUIRE_SERVICES=1)."""

import json
import os
import subprocess
import uuid
import venv
from pathlib import Path

import pytest

from cases.models import Alert, AlertAttachment, CaseObservable
from tests.conftest import REPO_ROOT, require_service

pytestmark = pytest.mark.django_db(transaction=True)

THEHIVE4PY_1 = "thehive4py==1.8.*"
VENV_1 = REPO_ROOT / "var" / "thehive4py1-venv"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path


@pytest.fixture
def hive(live_server, ingest_source, media):
    from thehive4py import TheHiveApi

    return TheHiveApi(url=live_server.url, apikey=ingest_source[1])


def test_thehive4py_2_observable_after_alerting_example(hive):
    # thehive4py's examples/alert/observable_after_alerting.py, against Vigil.
    input_alert = {
        "type": "alert-without-observables",
        "source": "example",
        "sourceRef": uuid.uuid4().hex,
        "title": "alert without observables",
        "description": "alert without observables",
    }
    output_alert = hive.alert.create(alert=input_alert)
    input_observables = [
        {"dataType": "ip", "data": "1.2.3.4"},
        {"dataType": "domain", "data": "example.com"},
    ]
    for input_observable in input_observables:
        hive.alert.create_observable(alert_id=output_alert["_id"], observable=input_observable)

    alert = Alert.objects.get(pk=int(output_alert["_id"]))
    assert {(o.type, o.value) for o in alert.observables.all()} == {
        ("ip", "1.2.3.4"),
        ("domain", "example.com"),
    }
    assert CaseObservable.objects.filter(case=alert.case).count() == 2
    fetched = hive.alert.get(output_alert["_id"])
    assert fetched["observableCount"] == 2 and fetched["sourceRef"] == input_alert["sourceRef"]


def test_thehive4py_2_keeps_an_observable_of_a_type_vigil_has_no_entity_for(hive):
    output_alert = hive.alert.create(
        alert={
            "type": "t",
            "source": "s",
            "sourceRef": uuid.uuid4().hex,
            "title": "download",
            "description": "d",
            "observables": [{"dataType": "filename", "data": "invoice.pdf.exe"}],
        }
    )
    created = hive.alert.create_observable(
        alert_id=output_alert["_id"], observable={"dataType": "user-agent", "data": "curl/7.68.0"}
    )
    assert [(o["dataType"], o["data"]) for o in created] == [("user-agent", "curl/7.68.0")]
    found = hive.alert.find_observables(alert_id=output_alert["_id"])
    assert [(o["dataType"], o["data"]) for o in found] == [
        ("filename", "invoice.pdf.exe"),
        ("user-agent", "curl/7.68.0"),
    ]
    assert not Alert.objects.get(pk=int(output_alert["_id"])).observables.exists()  # no entity


def test_thehive4py_2_find_count_promote_update_and_user(hive, ingest_source):
    from thehive4py.errors import TheHiveError
    from thehive4py.query.filters import Eq, Gte
    from thehive4py.query.page import Paginate
    from thehive4py.query.sort import Desc

    refs = [uuid.uuid4().hex for _ in range(3)]
    for i, ref in enumerate(refs):
        hive.alert.create(
            alert={
                "type": "t",
                "source": "s",
                "sourceRef": ref,
                "title": f"alert {i}",
                "description": "d",
                "severity": i + 1,
                "observables": [{"dataType": "ip", "data": f"198.51.100.{i + 1}"}],
            }
        )
    found = hive.alert.find(filters=Gte("severity", 2), sortby=Desc("severity"), paginate=Paginate(0, 10))
    assert [a["severity"] for a in found] == [3, 2]
    assert hive.alert.count(filters=Eq("sourceRef", refs[0])) == 1
    assert hive.alert.count() == 3
    alert_id = found[0]["_id"]
    assert [o["data"] for o in hive.alert.find_observables(alert_id=alert_id)] == ["198.51.100.3"]

    case = hive.alert.promote_to_case(alert_id)
    assert case["_id"] == found[0]["caseId"] and case["_type"] == "Case"
    hive.alert.update(alert_id, fields={"title": "alert 2", "tags": []})  # unchanged: accepted
    with pytest.raises(TheHiveError, match="title"):
        hive.alert.update(alert_id, fields={"title": "renamed"})

    assert hive.user.get_current()["login"] == ingest_source[0].name
    with pytest.raises(TheHiveError, match="CreateError"):
        hive.alert.create(
            alert={"type": "t", "source": "s", "sourceRef": refs[0], "title": "x", "description": "d"}
        )


def test_thehive4py_2_file_observables_are_evidence(hive, media):
    path = media / "my-observable.txt"
    path.write_text("some observable content", encoding="utf-8")
    key = uuid.uuid4().hex
    # thehive4py's examples/alert/observable_from_file.py
    output_alert = hive.alert.create(
        alert={
            "type": "alert-with-file-observable",
            "source": "example",
            "sourceRef": uuid.uuid4().hex,
            "title": "alert with file observables",
            "description": "alert with file observables",
            "observables": [{"dataType": "file", "attachment": key}],
        },
        attachment_map={key: str(path)},
    )
    hive.alert.create_observable(
        alert_id=output_alert["_id"], observable={"dataType": "file"}, observable_path=str(path)
    )
    hive.alert.add_attachment(alert_id=output_alert["_id"], attachment_paths=[str(path)])
    stored = AlertAttachment.objects.filter(alert_id=int(output_alert["_id"]))
    assert stored.count() == 3
    assert {a.name for a in stored} == {"my-observable.txt"}
    assert all(a.file.read() == b"some observable content" for a in stored)


def test_thehive4py_2_soar_sequence_with_an_organisation(live_server, ingest_source, media):
    from thehive4py import TheHiveApi
    from thehive4py.errors import TheHiveError
    from thehive4py.query.filters import Eq
    from thehive4py.query.page import Paginate

    hive = TheHiveApi(url=live_server.url, apikey=ingest_source[1], organisation="SOC")
    ref = uuid.uuid4().hex
    dedup = Eq("sourceRef", ref) & Eq("source", "soar")
    assert hive.alert.find(filters=dedup, paginate=Paginate(0, 1)) == []
    alert = hive.alert.create(
        alert={
            "type": "t",
            "source": "soar",
            "sourceRef": ref,
            "title": "seen by the SOAR",
            "description": "d",
            "observables": [{"dataType": "ip", "data": "198.51.100.77"}],
        }
    )
    [found] = hive.alert.find(filters=dedup, paginate=Paginate(0, 1))
    assert found["_id"] == alert["_id"]
    hive.alert.follow(alert["_id"])
    hive.alert.update(alert["_id"], fields={"status": found["status"]})  # unchanged: accepted
    case = hive.alert.merge_into_case(alert["_id"], found["caseId"])
    assert case["_id"] == found["caseId"] == hive.case.get(case["_id"])["_id"]
    assert [c["_id"] for c in hive.case.find(filters=Eq("stage", "New"))] == [case["_id"]]
    assert hive.case.count() == 1
    with pytest.raises(TheHiveError, match="AuthorizationError"):
        hive.alert.delete(alert["_id"])
    with pytest.raises(TheHiveError, match="AuthorizationError"):
        hive.case.create(case={"title": "by hand", "description": "d"})
    assert Alert.objects.filter(pk=int(alert["_id"])).exists()


# --- thehive4py 1.x, in its own virtualenv --------------------------------------------------


def _venv_python() -> Path:
    return VENV_1 / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


@pytest.fixture(scope="session")
def thehive4py_1() -> Path | None:
    python = _venv_python()
    probe = [
        str(python),
        "-c",
        "import sys; from importlib.metadata import version; sys.exit(0 if version('thehive4py').startswith('1.') else 1)",
    ]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV_1)
        install = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", THEHIVE4PY_1],
            capture_output=True,
            text=True,
            timeout=300,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if install.returncode != 0 or subprocess.run(probe, capture_output=True).returncode != 0:
        return None
    return python


CLIENT_1 = r"""
import json, os, sys, uuid
from thehive4py.api import TheHiveApi
from thehive4py.models import Alert, AlertArtifact, Version

api = TheHiveApi(os.environ["HIVE_URL"], os.environ["HIVE_KEY"], version=Version.THEHIVE_4.value)
out = {"user": api.get_current_user().json()}
ref = uuid.uuid4().hex
alert = Alert(
    title="v0 alert", tlp=3, tags=["attack.T1591.002"], description="from thehive4py 1.x",
    type="external", source="th4py1", sourceRef=ref,
    artifacts=[AlertArtifact(dataType="ip", data="203.0.113.77", tags=["src"]),
               AlertArtifact(dataType="file", data=sys.argv[1])],
)
created = api.create_alert(alert)
out["create"] = [created.status_code, created.json()]
alert_id = created.json()["id"]
more = api.create_alert_artifact(alert_id, AlertArtifact(dataType="domain", data="partner.example"))
out["artifact"] = [more.status_code, more.json()]
registry = api.create_alert_artifact(alert_id, AlertArtifact(dataType="registry", data="HKLM\\Run\\updater"))
out["registry"] = [registry.status_code, registry.json()]
out["get"] = api.get_alert(alert_id).json()
again = api.create_alert(alert)
out["duplicate"] = [again.status_code, again.json()]
from thehive4py.query import And, Eq, Gte
found = api.find_alerts(query=And(Eq("sourceRef", ref), Gte("severity", 1)), range="0-10", sort=["-createdAt"])
out["find"] = [found.status_code, found.json()]
print(json.dumps(out))
"""


def test_thehive4py_1_creates_alerts_and_artifacts(live_server, ingest_source, media, thehive4py_1):
    require_service(thehive4py_1 is not None, f"a virtualenv with {THEHIVE4PY_1} from PyPI under {VENV_1}")
    evidence = media / "evidence.txt"
    evidence.write_text("phishing mail body", encoding="utf-8")
    run = subprocess.run(
        [str(thehive4py_1), "-c", CLIENT_1, str(evidence)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HIVE_URL": live_server.url, "HIVE_KEY": ingest_source[1], "PYTHONPATH": ""},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["user"]["id"] == ingest_source[0].name
    status, created = out["create"]
    assert status == 201, created
    alert = Alert.objects.get(pk=int(created["id"]))
    assert alert.technique_ids == ["T1591.002"]
    assert {a["dataType"] for a in created["artifacts"]} == {"ip", "file"}
    assert AlertAttachment.objects.get(alert=alert).file.read() == b"phishing mail body"
    assert out["artifact"][0] == 201
    assert out["registry"][0] == 201 and [(a["dataType"], a["data"]) for a in out["registry"][1]] == [
        ("registry", "HKLM\\Run\\updater")
    ]
    assert "partner.example" in {a.get("data") for a in out["get"]["artifacts"]}
    assert out["duplicate"][0] == 400 and out["duplicate"][1]["type"] == "CreateError"
    status, found = out["find"]
    assert status == 200 and [a["id"] for a in found] == [created["id"]]
