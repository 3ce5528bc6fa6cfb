"""The ingest endpoints are documented in the OpenAPI schema, with vendor examples."""

import pytest
from drf_spectacular.generators import SchemaGenerator

PATHS = [
    "/api/v1/alerts/",
    "/api/v1/alerts/elastic/",
    "/api/v1/alerts/splunk/",
    "/api/v1/alerts/wazuh/",
    "/api/v1/alerts/ocsf/",
    "/api/v1/alerts/thehive/",
]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize("path", PATHS)
def test_ingest_endpoint_is_documented_with_every_response(schema, path):
    operation = schema["paths"][path]["post"]
    assert set(operation["responses"]) >= {"200", "201", "400", "401", "403", "413", "415", "429"}
    assert {"ingestToken": []} in operation["security"]
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    assert examples and all(e["value"] for e in examples.values())


def test_vendor_examples_are_the_samples(schema):
    body = schema["paths"]["/api/v1/alerts/elastic/"]["post"]["requestBody"]["content"]["application/json"]
    (example,) = body["examples"].values()
    assert (
        example["value"]["kibana.alert.rule.name"] == "Partner/Vendor Directory Burst from Unusual Source IP"
    )
    splunk = schema["paths"]["/api/v1/alerts/splunk/"]["post"]
    assert {"ingestQueryToken": []} in splunk["security"]
    assert any(p["name"] == "token" and p["in"] == "query" for p in splunk["parameters"])


def test_thehive_compat_calls_are_documented(schema):
    operations = {
        (path, method)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if "thehive" in operation.get("tags", [])
    }
    assert {
        ("/api/v1/alert/", "post"),
        ("/api/v1/alert/{alert_id}/", "get"),
        ("/api/v1/alert/{alert_id}/observable/", "post"),
        ("/api/v1/query/", "post"),
        ("/api/alert/", "post"),
    } <= operations
    assert {"ingestToken": []} in schema["paths"]["/api/v1/alert/"]["post"]["security"]
