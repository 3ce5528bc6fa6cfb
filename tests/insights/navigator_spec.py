"""A JSON schema built from MITRE's own definition of the ATT&CK Navigator layer format 4.5
(fixtures/attack_navigator_layerformat_v4_5.md, the specification document kept verbatim;
MITRE publishes no JSON schema for it).

Each property table of the document becomes an object schema: its property names, their
types and which are required, and no property the table does not list. The constraints
the document states in words (valid domains, "Must be "4.5"", "at least 4.9.0", URLs with
a protocol, at least two gradient colours, maxValue > minValue, the layout choices) are
added beside the table they belong to, each quoting the document.
"""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema

SPEC = Path(__file__).parent / "fixtures" / "attack_navigator_layerformat_v4_5.md"

# The document's section headings, and the object each table defines.
SECTIONS = {
    "Property Table": "Layer",
    "Filter Object Properties": "Filter",
    "Version Object Properties": "Version",
    "Technique Object properties": "Technique",
    "Gradient Object properties": "Gradient",
    "LegendItem Object properties": "LegendItem",
    "Metadata Object properties": "Metadata",
    "Link Object properties": "Link",
    "Divider Object properties": "Divider",
    "Layout Object properties": "Layout",
}

# What the document says in its descriptions, as JSON schema keywords.
STATED = {
    ("Layer", "domain"): {"enum": ["enterprise-attack", "mobile-attack", "ics-attack"]},  # "Valid values are"
    ("Layer", "sorting"): {"enum": [0, 1, 2, 3]},  # "0: ... 3: sort descending by technique score"
    ("Version", "layer"): {"const": "4.5"},  # 'Must be "4.5"'
    ("Version", "navigator"): {"pattern": r"^\d+\.\d+\.\d+$"},  # 'Must be at least "4.9.0"' (see below)
    ("Technique", "techniqueID"): {"pattern": r"^T\d{4}(\.\d{3})?$"},  # '"T####" ... "T####.###"'
    ("Gradient", "colors"): {"minItems": 2},  # "must contain at least two (2) values"
    ("Link", "url"): {"pattern": r"^[A-Za-z][A-Za-z0-9+.-]*://"},  # "prefixed with a protocol identifier"
    ("Layout", "layout"): {"enum": ["side", "flat", "mini"]},
    ("Layout", "aggregateFunction"): {"enum": ["average", "min", "max", "sum"]},
    ("Layout", "expandedSubtechniques"): {"enum": ["none", "all", "annotated"]},
}
MINIMUM_NAVIGATOR = (4, 9, 0)


def spec_tables(text: str) -> dict[str, list[tuple[str, str, bool]]]:
    """{object: [(property, type, required)]} from the document's tables."""
    tables: dict[str, list[tuple[str, str, bool]]] = {}
    current = None
    for line in text.splitlines():
        heading = re.match(r"^## (.+?)\s*$", line)
        if heading:
            current = SECTIONS.get(heading.group(1))
            continue
        if current is None or not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] == "Name" or set(cells[0]) <= {":", "-", " "}:
            continue  # the header and the alignment row
        tables.setdefault(current, []).append((cells[0], cells[1], cells[2].lower() == "yes"))
    return tables


def _type(text: str) -> dict:
    plain = {"string": "string", "number": "number", "boolean": "boolean"}
    if text.lower() in plain:
        return {"type": plain[text.lower()]}
    one = re.fullmatch(r"(\w+) object", text)
    if one:
        return {"$ref": f"#/$defs/{one.group(1)}"}
    many = re.fullmatch(r"Array of (.+)", text)
    if many:
        if many.group(1) == "String":
            return {"type": "array", "items": {"type": "string"}}
        kinds = re.findall(r"(\w+) objects", many.group(1))
        return {"type": "array", "items": {"anyOf": [{"$ref": f"#/$defs/{kind}"} for kind in kinds]}}
    raise ValueError(f"a type the layer document does not use: {text!r}")


def layer_schema() -> dict:
    definitions = {}
    for name, rows in spec_tables(SPEC.read_text(encoding="utf-8")).items():
        definitions[name] = {
            "type": "object",
            "properties": {prop: {**_type(kind), **STATED.get((name, prop), {})} for prop, kind, _ in rows},
            "required": [prop for prop, _, required in rows if required],
            "additionalProperties": False,
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "#/$defs/Layer",
        "$defs": definitions,
    }


def validate_layer(layer: dict) -> None:
    """Raise jsonschema.ValidationError where the layer breaks the document."""
    jsonschema.validate(layer, layer_schema())
    navigator = layer.get("versions", {}).get("navigator")
    if navigator is not None and tuple(int(part) for part in navigator.split(".")) < MINIMUM_NAVIGATOR:
        raise jsonschema.ValidationError(f'versions.navigator {navigator}: "Must be at least "4.9.0""')
    gradient = layer.get("gradient")
    if gradient is not None and not gradient["maxValue"] > gradient["minValue"]:
        raise jsonschema.ValidationError('gradient: "maxValue must be > minValue"')


def spec_example() -> dict:
    """The document's own single-layer example."""
    import json

    text = SPEC.read_text(encoding="utf-8")
    return json.loads(text.split("```json", 1)[1].split("```", 1)[0])
