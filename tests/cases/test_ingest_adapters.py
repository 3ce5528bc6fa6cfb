"""Vendor adapters: field mapping on realistic variations, and property tests that no
input makes an adapter (or its endpoint) fail with anything but a validation error."""

import copy
import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.ingest import ADAPTERS
from cases.ingest.base import MAX_OBSERVABLES, InvalidAlert, NativeAlert
from cases.ingest.common import Adapter, R, T
from tests.conftest import SAMPLES_DIR

SAMPLE_FILES = {
    "elastic": "elastic_alert.json",
    "splunk": "splunk_webhook.json",
    "wazuh": "wazuh_alert.json",
    "ocsf": "ocsf_detection_finding.json",
    "thehive": "thehive_alert.json",
}
SAMPLES = {
    name: json.loads((SAMPLES_DIR / f).read_text(encoding="utf-8")) for name, f in SAMPLE_FILES.items()
}
SAMPLES["native"] = {
    "source_ref": "n-1",
    "title": "Burst from 203.0.113.77",
    "severity": "high",
    "technique": "T1591.002",
    "observed_at": "2026-03-04T13:41:07Z",
    "observables": [{"type": "ip", "value": "203.0.113.77", "role": "source"}],
    "tags": ["a"],
}


def parse(name: str, doc) -> NativeAlert:
    return ADAPTERS[name].parse(doc)


def errors_of(name: str, doc) -> dict:
    with pytest.raises(InvalidAlert) as exc:
        parse(name, doc)
    return exc.value.errors


# --- Elastic ----------------------------------------------------------------------------------


def test_elastic_reads_the_sample():
    alert = parse("elastic", SAMPLES["elastic"])
    assert alert.source_ref == SAMPLES["elastic"]["kibana.alert.uuid"]
    assert alert.title == "Partner/Vendor Directory Burst from Unusual Source IP"
    assert alert.observed_at == datetime(2026, 3, 4, 13, 41, 7, 118000, tzinfo=UTC)  # original_time
    assert alert.severity == 2 and alert.technique_ids == ["T1591.002"]
    assert ("ip", "203.0.113.77", "source") in alert.observables
    assert ("user", "m.keller", "user") in alert.observables
    assert ("ip", "10.20.4.15", "destination") in alert.observables
    assert "Tactic: Reconnaissance" in alert.tags


def test_elastic_fully_dotted_and_fully_nested_documents_read_the_same():
    doc = SAMPLES["elastic"]
    dotted = {
        "kibana.alert.uuid": "u1",
        "kibana.alert.rule.name": "R",
        "source.ip": "203.0.113.77",
        "user.name": "m",
    }
    nested = {
        "kibana": {"alert": {"uuid": "u1", "rule": {"name": "R"}}},
        "source": {"ip": "203.0.113.77"},
        "user": {"name": "m"},
    }
    a, b = parse("elastic", dotted), parse("elastic", nested)
    assert (a.source_ref, a.title, a.observables) == (b.source_ref, b.title, b.observables)
    assert parse("elastic", doc).technique_ids == ["T1591.002"]


def test_elastic_several_techniques_and_fields_api_arrays():
    doc = {
        "kibana.alert.uuid": "u",
        "kibana.alert.rule.name": "R",
        "kibana.alert.rule.threat": [
            {
                "framework": "MITRE ATT&CK",
                "technique": [{"id": "T1110", "subtechnique": [{"id": "T1110.003"}]}],
            },
            {"framework": "MITRE ATT&CK", "technique": [{"id": "T1078"}]},
        ],
    }
    assert parse("elastic", doc).technique_ids == ["T1110.003", "T1078"]
    fields_api = {
        "kibana.alert.uuid": "u",
        "kibana.alert.rule.name": "R",
        "kibana.alert.rule.threat.technique.id": ["T1591"],
    }
    assert parse("elastic", fields_api).technique_ids == ["T1591"]


def test_elastic_severity_falls_back_to_risk_score_and_time_to_timestamp():
    doc = {
        "kibana.alert.uuid": "u",
        "kibana.alert.rule.name": "R",
        "kibana.alert.risk_score": 80,
        "@timestamp": "2026-01-02T03:04:05Z",
    }
    alert = parse("elastic", doc)
    assert alert.severity == 4
    assert alert.observed_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_elastic_names_the_missing_rule_name_and_digests_a_document_without_an_id():
    assert set(errors_of("elastic", {"source": {"ip": "203.0.113.77"}})) == {"kibana.alert.rule.name"}
    doc = {"signal": {"rule": {"name": "r"}}, "source": {"ip": "203.0.113.77"}}
    ref = parse("elastic", doc).source_ref
    assert ref.startswith("sha256:") and len(ref) == 7 + 32
    assert parse("elastic", json.loads(json.dumps(doc))).source_ref == ref  # stable
    assert parse("elastic", {**doc, "x": 1}).source_ref != ref


def test_elastic_batch_shapes():
    adapter = ADAPTERS["elastic"]
    doc = SAMPLES["elastic"]
    assert adapter.split(doc) == ([doc], False)
    assert adapter.split([doc, doc]) == ([doc, doc], True)
    assert adapter.split({"alerts": [doc]}) == ([doc], True)


# --- Splunk -------------------------------------------------------------------------------------


def test_splunk_reads_the_sample():
    alert = parse("splunk", SAMPLES["splunk"])
    assert alert.source_ref.startswith(SAMPLES["splunk"]["sid"] + "#")
    assert alert.title == "SOC - Partner Directory Burst from Single Source IP"
    assert alert.observed_at == datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
    assert alert.technique_ids == ["T1591.002"] and alert.severity == 2
    assert ("ip", "203.0.113.77", "source") in alert.observables
    assert ("hostname", "extranet-web-01", "destination") in alert.observables


def test_splunk_rows_of_one_search_are_distinct_and_a_retry_is_the_same():
    doc = SAMPLES["splunk"]
    other_row = {**doc, "result": {**doc["result"], "src_ip": "198.51.100.1"}}
    assert parse("splunk", doc).source_ref == parse("splunk", copy.deepcopy(doc)).source_ref
    assert parse("splunk", doc).source_ref != parse("splunk", other_row).source_ref


def test_splunk_null_search_name_multivalue_techniques_and_urgency():
    doc = {
        "sid": "s1",
        "search_name": None,
        "app": "search",
        "result": {
            "urgency": "informational",
            "annotations.mitre_attack": "T1110.003\nT1078",
            "dest": "db-01",
        },
    }
    alert = parse("splunk", doc)
    assert alert.title == "Splunk alert (search)"
    assert alert.severity == 1
    assert alert.technique_ids == ["T1110.003", "T1078"]
    assert ("hostname", "db-01", "destination") in alert.observables
    assert "sid" in errors_of("splunk", {"search_name": "x"})


# --- Wazuh --------------------------------------------------------------------------------------


def test_wazuh_reads_the_sample():
    alert = parse("wazuh", SAMPLES["wazuh"])
    assert alert.source_ref == "1772632721.4829113"
    assert alert.severity == 3  # level 10
    assert alert.technique_ids == ["T1591.002"]
    assert alert.observed_at == datetime(2026, 3, 4, 13, 58, 41, 203000, tzinfo=UTC)
    assert ("ip", "203.0.113.77", "source") in alert.observables
    assert ("user", "m.keller", "user") in alert.observables
    assert alert.tags == ["local", "extranet", "web", "recon"]


@pytest.mark.parametrize(
    ("level", "severity"), [(0, 1), (4, 1), (5, 2), (7, 2), (8, 3), (11, 3), (12, 4), (15, 4)]
)
def test_wazuh_level_bands(level, severity):
    doc = {"id": "1", "rule": {"description": "d", "level": level}}
    assert parse("wazuh", doc).severity == severity


def test_wazuh_refuses_a_level_out_of_range_and_a_missing_title():
    assert "rule.level" in errors_of("wazuh", {"id": "1", "rule": {"description": "d", "level": 16}})
    assert set(errors_of("wazuh", {"rule": {}})) == {"rule.description"}  # no id: its digest


# --- OCSF -----------------------------------------------------------------------------------------


def test_ocsf_reads_the_sample():
    alert = parse("ocsf", SAMPLES["ocsf"])
    assert alert.source_ref == SAMPLES["ocsf"]["finding_info"]["uid"]
    assert alert.technique_ids == ["T1591.002"]
    assert alert.severity == 2
    assert alert.observed_at == datetime(2026, 3, 4, 13, 41, 7, 118000, tzinfo=UTC)
    assert ("ip", "203.0.113.77", "source") in alert.observables
    assert ("user", "m.keller", "user") in alert.observables


def test_ocsf_other_classes_are_refused():
    doc = {**SAMPLES["ocsf"], "class_uid": 2005}  # Incident Finding: no uid or title of its own
    assert "class_uid" in errors_of("ocsf", doc)
    assert "class_uid" in errors_of("ocsf", {**SAMPLES["ocsf"], "class_uid": [2004]})
    assert set(errors_of("ocsf", {"class_uid": 2004})) == {"finding_info"}


@pytest.mark.parametrize(
    ("severity_id", "severity"), [(1, 1), (2, 1), (3, 2), (4, 3), (5, 4), (6, 4), (0, 2), (99, 2)]
)
def test_ocsf_severity_ids(severity_id, severity):
    doc = {**SAMPLES["ocsf"], "severity_id": severity_id, "severity": "Other"}
    assert parse("ocsf", doc).severity == severity


# --- TheHive --------------------------------------------------------------------------------------


def test_thehive_reads_the_sample():
    alert = parse("thehive", SAMPLES["thehive"])
    assert alert.source_ref == "elastic-security:siem-prod:" + SAMPLES["thehive"]["sourceRef"]
    assert alert.severity == 2 and alert.technique_ids == ["T1591.002"]
    assert alert.observed_at == datetime(2026, 3, 4, 13, 41, 7, 118000, tzinfo=UTC)
    assert ("ip", "203.0.113.77", "source") in alert.observables
    assert ("user", "m.keller", "user") in alert.observables  # dataType other, tagged account


def test_thehive_names_its_required_fields_and_reads_artifacts():
    assert set(errors_of("thehive", {"description": "x"})) == {"type", "source", "sourceRef", "title"}
    doc = {
        "type": "t",
        "source": "s",
        "sourceRef": "r",
        "title": "x",
        "artifacts": [{"dataType": "mail", "data": "A@B.example"}],
    }
    assert ("email", "a@b.example", "declared") in parse("thehive", doc).observables


# --- properties -----------------------------------------------------------------------------------

INTERESTING = st.sampled_from(
    [
        "",
        " ",
        "T1591.002",
        "t1591",
        "T99999",
        "203.0.113.77",
        "::ffff:10.0.0.1",
        "10.0.0.0/8",
        "1772632800",
        "1772632800123",
        "-5",
        "1e400",
        "2026-03-04T13:41:07Z",
        "9999-12-31T23:59:59",
        "0001-01-01T00:00:00+14:00",
        "hxxp://a[.]example/x",
        "x@y.example",
        "xn--80ak6aa92e.com",
        "\x00",
        "²",
        "a" * 3000,
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | INTERESTING
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12) | INTERESTING, children, max_size=5)
    ),
    max_leaves=25,
)


def paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from paths(value, (*prefix, i))


@st.composite
def mutated(draw, sample):
    doc = copy.deepcopy(sample)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        candidates = [p for p in paths(doc) if p]
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON)
    return doc


def only_validation_errors(name: str, doc) -> None:
    adapter = ADAPTERS[name]
    try:
        items, _ = adapter.split(doc)
    except InvalidAlert:
        return
    for item in items[:5]:
        try:
            alert = adapter.parse(item)
        except InvalidAlert as exc:
            assert exc.errors and all(isinstance(v, list) and v for v in exc.errors.values())
        else:
            assert isinstance(alert, NativeAlert)


@pytest.mark.parametrize("name", list(ADAPTERS))
@settings(max_examples=150, deadline=None)
@given(doc=JSON)
def test_no_arbitrary_json_makes_an_adapter_fail_otherwise(name, doc):
    only_validation_errors(name, doc)


@pytest.mark.parametrize("name", list(ADAPTERS))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_no_mutation_of_a_sample_makes_an_adapter_fail_otherwise(name, data):
    only_validation_errors(name, data.draw(mutated(SAMPLES[name])))


ENDPOINTS = {
    "native": "/api/v1/alerts/",
    "elastic": "/api/v1/alerts/elastic/",
    "splunk": "/api/v1/alerts/splunk/",
    "wazuh": "/api/v1/alerts/wazuh/",
    "ocsf": "/api/v1/alerts/ocsf/",
    "thehive": "/api/v1/alerts/thehive/",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(ENDPOINTS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_endpoints_never_answer_500(client, ingest_source, name, data):
    doc = data.draw(st.one_of(mutated(SAMPLES[name]), JSON, st.lists(mutated(SAMPLES[name]), max_size=3)))
    body = json.dumps(doc, allow_nan=False) if _finite(doc) else json.dumps({"x": 1})
    response = client.post(
        ENDPOINTS[name], body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {ingest_source[1]}"
    )
    assert response.status_code in (200, 201, 400), response.content[:300]


def _finite(doc) -> bool:
    try:
        json.dumps(doc, allow_nan=False)
    except ValueError:
        return False
    return True


# --- an unreadable vendor time: flagged, never refused -----------------------------------------

UNREADABLE_TIMES = {
    "native": ("observed_at", "yesterday"),
    "elastic": ("kibana.alert.original_time", "Oct 15 21:07:56"),
    "wazuh": ("timestamp", "Oct 15 21:07:56"),
    "thehive": ("date", "not a date"),
}


@pytest.mark.parametrize("name", list(UNREADABLE_TIMES))
def test_an_unreadable_vendor_time_takes_the_receive_time_and_is_flagged(name):
    field, value = UNREADABLE_TIMES[name]
    doc = {**SAMPLES[name], field: value}
    before = datetime.now(UTC)
    alert = parse(name, doc)
    assert before <= alert.observed_at <= datetime.now(UTC)
    [flag] = [f for f in alert.flags if f["code"] == "observed_at_unparsed"]
    assert flag["field"] == field and value in flag["detail"]


def test_an_unreadable_splunk_or_ocsf_time_is_flagged_too():
    splunk = json.loads(json.dumps(SAMPLES["splunk"]))
    splunk["result"]["_time"] = "yesterday"
    assert [f["field"] for f in parse("splunk", splunk).flags] == ["result._time"]
    ocsf = json.loads(json.dumps(SAMPLES["ocsf"]))
    ocsf["finding_info"]["first_seen_time"] = -5
    assert [f["code"] for f in parse("ocsf", ocsf).flags] == ["observed_at_unparsed"]


@pytest.mark.parametrize(
    "value",
    [
        1717585270,  # seconds
        1717585270842,  # milliseconds
        1717585270842000,  # microseconds (Tenable's OCSF output)
        1717585270842000000,  # nanoseconds (OpenTelemetry, Go's UnixNano)
        "1717585270842000",
        "1717585270.842",
    ],
)
def test_epoch_numbers_are_read_in_their_unit(value):
    wazuh = {**SAMPLES["wazuh"], "timestamp": value}
    when = parse("wazuh", wazuh).observed_at
    assert when.replace(microsecond=0) == datetime(2024, 6, 5, 11, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize("placeholder", [0, 123, "1970-01-01T00:00:00Z", "1999-12-31T23:59:59Z"])
def test_a_placeholder_time_is_flagged_not_believed(placeholder):
    thehive = {**SAMPLES["thehive"], "date": placeholder}
    alert = parse("thehive", thehive)
    assert alert.observed_at.year >= 2026  # the receive time
    [flag] = alert.flags
    assert flag["code"] == "observed_at_unparsed" and "2000-2200" in flag["detail"]


def test_a_readable_time_carries_no_flag():
    assert parse("wazuh", SAMPLES["wazuh"]).flags == []


class ManyAddresses(Adapter):
    """An adapter reading `count` distinct addresses, each twice."""

    name = "many"

    def read(self, alert, item):
        alert.source_ref, alert.title = "r-1", "Many addresses"
        ips = [f"10.0.{i // 250}.{i % 250 + 1}" for i in range(item["count"])]
        alert.observables = [(T.IP, ip, R.SOURCE) for ip in ips + ips]


def test_a_vendor_document_with_more_observables_than_an_alert_holds_is_kept_and_flagged():
    alert = ManyAddresses().parse({"count": MAX_OBSERVABLES + 20})
    assert len(alert.observables) == MAX_OBSERVABLES
    assert alert.observables[0] == ("ip", "10.0.0.1", "source")
    assert [(f["code"], f["field"]) for f in alert.flags] == [("observables_truncated", "observables")]
    assert f"{MAX_OBSERVABLES + 20} distinct observables read" in alert.flags[0]["detail"]


def test_duplicates_never_push_a_document_over_the_limit():
    alert = ManyAddresses().parse({"count": MAX_OBSERVABLES})  # 2 x MAX read, MAX distinct
    assert len(alert.observables) == MAX_OBSERVABLES and alert.flags == []
