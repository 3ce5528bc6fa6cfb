"""GET /api/v1/attack/layer.json: a Navigator layer valid against MITRE's layer format 4.5
document (tests/insights/navigator_spec.py builds the schema from it), scored by cases,
linking each technique to its playbook."""

from __future__ import annotations

import copy

import jsonschema
import pytest

from playbooks.services import set_playbook_coverage

from .navigator_spec import SPEC, layer_schema, spec_example, spec_tables, validate_layer

pytestmark = pytest.mark.django_db


def test_layer_validates_and_scores_covered_techniques(client, seed_playbook, make_case, l1):
    set_playbook_coverage(seed_playbook.playbook, ["T1656", "T1110"], by=None)
    make_case()
    make_case(technique_ids=["T1110.003"])
    client.force_login(l1)
    response = client.get("/api/v1/attack/layer.json")
    assert response.status_code == 200
    layer = response.json()
    validate_layer(layer)
    by_id = {entry["techniqueID"]: entry for entry in layer["techniques"]}
    assert set(by_id) == {"T1591.002", "T1656", "T1110"}
    assert by_id["T1591.002"]["score"] == 1
    assert by_id["T1110"]["score"] == 1  # its sub-technique's case counts
    assert by_id["T1656"]["score"] == 0
    link = by_id["T1656"]["links"][0]
    assert link["url"] == "http://testserver/playbooks/T1591.002/"
    assert "listed" in by_id["T1656"]["metadata"][0]["value"]
    assert layer["gradient"]["maxValue"] == 1


def test_the_schema_is_the_documents_tables_and_accepts_its_example():
    tables = spec_tables(SPEC.read_text(encoding="utf-8"))
    assert set(tables) == {
        "Layer",
        "Filter",
        "Version",
        "Technique",
        "Gradient",
        "LegendItem",
        "Metadata",
        "Link",
        "Divider",
        "Layout",
    }
    layer = layer_schema()["$defs"]["Layer"]
    assert layer["required"] == ["name", "domain"]
    assert len(layer["properties"]) == 19
    assert layer_schema()["$defs"]["Technique"]["required"] == ["techniqueID"]
    validate_layer(spec_example())


@pytest.mark.parametrize(
    "change",
    [
        lambda layer: layer["versions"].update(layer="4.4"),
        lambda layer: layer["versions"].update(navigator="4.8.2"),
        lambda layer: layer.update(domain="enterprise"),
        lambda layer: layer.update(colour="#fff"),  # a property the document does not define
        lambda layer: layer["techniques"][0].update(techniqueID="1110"),
        lambda layer: layer["techniques"][1]["links"][0].update(url="/relative"),
        lambda layer: layer["techniques"][0].update(score="high"),
        lambda layer: layer["gradient"].update(maxValue=0),
        lambda layer: layer["gradient"].update(colors=["#ffffff"]),
        lambda layer: layer["layout"].update(layout="wide"),
        lambda layer: layer["metadata"].append({"name": "no value"}),
        lambda layer: layer.pop("name"),
    ],
)
def test_the_schema_refuses_what_the_document_does_not_allow(change):
    layer = copy.deepcopy(spec_example())
    change(layer)
    with pytest.raises(jsonschema.ValidationError):
        validate_layer(layer)


def test_date_range_limits_the_scores(client, seed_playbook, make_case, l1):
    make_case()
    client.force_login(l1)
    layer = client.get("/api/v1/attack/layer.json?start=2020-01-01&end=2020-01-31").json()
    validate_layer(layer)
    assert layer["techniques"][0]["score"] == 0
    bad = client.get("/api/v1/attack/layer.json?start=2020-02-01&end=2020-01-01")
    assert bad.status_code == 400


def test_layer_needs_a_role(client, outsider, db):
    client.force_login(outsider)
    assert client.get("/api/v1/attack/layer.json").status_code == 403
