"""GET /api/v1/attack/layer.json: a Navigator layer (format 4.5) valid against the
layer format's structure, scored by cases, linking each technique to its playbook."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from playbooks.services import set_playbook_coverage

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "navigator_layer_4_5.schema.json").read_text())


def test_layer_validates_and_scores_covered_techniques(client, seed_playbook, make_case, l1):
    set_playbook_coverage(seed_playbook.playbook, ["T1656", "T1110"], by=None)
    make_case()
    make_case(technique_ids=["T1110.003"])
    client.force_login(l1)
    response = client.get("/api/v1/attack/layer.json")
    assert response.status_code == 200
    layer = response.json()
    jsonschema.validate(layer, SCHEMA)
    by_id = {entry["techniqueID"]: entry for entry in layer["techniques"]}
    assert set(by_id) == {"T1591.002", "T1656", "T1110"}
    assert by_id["T1591.002"]["score"] == 1
    assert by_id["T1110"]["score"] == 1  # its sub-technique's case counts
    assert by_id["T1656"]["score"] == 0
    link = by_id["T1656"]["links"][0]
    assert link["url"] == "http://testserver/playbooks/T1591.002/"
    assert "listed" in by_id["T1656"]["metadata"][0]["value"]
    assert layer["gradient"]["maxValue"] == 1


def test_schema_refuses_what_the_navigator_would_not_import():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"name": "x", "domain": "enterprise-attack", "versions": {"navigator": "5.1.0", "layer": "4.4"}},
            SCHEMA,
        )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {
                "name": "x",
                "domain": "enterprise-attack",
                "versions": {"navigator": "5.1.0", "layer": "4.5"},
                "techniques": [{"techniqueID": "T1110", "links": [{"label": "a", "url": "/relative"}]}],
            },
            SCHEMA,
        )


def test_date_range_limits_the_scores(client, seed_playbook, make_case, l1):
    make_case()
    client.force_login(l1)
    layer = client.get("/api/v1/attack/layer.json?start=2020-01-01&end=2020-01-31").json()
    jsonschema.validate(layer, SCHEMA)
    assert layer["techniques"][0]["score"] == 0
    bad = client.get("/api/v1/attack/layer.json?start=2020-02-01&end=2020-01-01")
    assert bad.status_code == 400


def test_layer_needs_a_role(client, outsider, db):
    client.force_login(outsider)
    assert client.get("/api/v1/attack/layer.json").status_code == 403
