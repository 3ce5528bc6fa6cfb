"""Export a playbook version as seed-format markdown, as JSON, or as a CACAO v2.0 playbook.

Markdown is the seed's own format, so an exported file re-imports to an identical
version (tests/playbooks/test_roundtrip.py proves it over generated playbooks). Keys an
editor changed away from what the importer's text rules choose are carried in an HTML
comment (invisible when rendered), each pinned to its item's text fingerprint.
"""

import json
import uuid

from . import matching
from .importers import FIELD_ROWS, SECTION_ROWS
from .markdown import escape_cell, text_fingerprint
from .models import PlaybookItem, PlaybookVersion
from .registry import ActionKey, Section

FORMATS = ("markdown", "json", "cacao")
CONTENT_TYPES = {
    "markdown": "text/markdown; charset=utf-8",
    "json": "application/json",
    "cacao": "application/json",
}
EXTENSIONS = {"markdown": "md", "json": "json", "cacao": "cacao.json"}


def export_filename(version: PlaybookVersion, fmt: str) -> str:
    return f"{version.technique_id}-v{version.number}.{EXTENSIONS[fmt]}"


def _items_by_section(version: PlaybookVersion) -> dict[str, list[PlaybookItem]]:
    grouped: dict[str, list[PlaybookItem]] = {section: [] for section, _ in SECTION_ROWS}
    items = getattr(version, "_prefetched_objects_cache", {}).get("items")
    if items is None:
        items = version.items.all()
    for item in sorted(items, key=lambda i: (i.section, i.order)):
        grouped.setdefault(item.section, []).append(item)
    return grouped


def _row(name: str, value: str) -> str:
    return f"| {escape_cell(name)} | {escape_cell(' '.join(value.split()))} |"


def export_markdown(version: PlaybookVersion) -> str:
    grouped = _items_by_section(version)
    is_sub = "." in version.technique_id
    values = {
        "tactic": version.tactic,
        "ttp": version.technique_id,
        "sub_ttp": version.technique_id if is_sub else "N/A",
        "name": version.name,
    }
    title_name = "_".join(version.name.split())
    lines = [
        f"# {title_name} - {version.technique_id.replace('.', '')}",
        "",
        "| Column Name | Value |",
        "|-------------|-------|",
    ]
    lines += [_row(title, values[key]) for key, title in FIELD_ROWS]
    lines += [_row(title, " ".join(i.text for i in grouped[key])) for key, title in SECTION_ROWS]
    lines += [_row(row["name"], row["value"]) for row in (version.extra or {}).get("unknown_rows", [])]

    overrides = [
        {
            "section": item.section,
            "order": item.order,
            "text": text_fingerprint(item.text),
            "assist": item.assist,
            "action": item.action,
        }
        for key, _title in SECTION_ROWS
        for item in grouped[key]
        if (item.assist, item.action)
        != (matching.assist_for(item.section, item.text), matching.action_for(item.section, item.text))
    ]
    if overrides:
        payload = json.dumps({"items": overrides}, ensure_ascii=True, separators=(",", ":"))
        lines += ["", f"<!-- vigil-keys {payload} -->"]
    return "\n".join(lines) + "\n"


def version_as_dict(version: PlaybookVersion) -> dict:
    """The JSON shape shared by the JSON export and the API: items grouped by section."""
    grouped = _items_by_section(version)
    return {
        "technique_id": version.technique_id,
        "name": version.name,
        "tactic": version.tactic,
        "tactic_id": version.tactic_id,
        "version": version.number,
        "status": version.status,
        "published_at": version.published_at.isoformat() if version.published_at else None,
        "content_hash": version.content_hash,
        "extra": version.extra or {},
        "sections": {
            key: [
                {"order": i.order, "text": i.text, "assist": i.assist, "action": i.action}
                for i in grouped[key]
            ]
            for key, _title in SECTION_ROWS
        },
    }


def export_json(version: PlaybookVersion) -> str:
    document = {"format": "vigil-playbook", "format_version": 1, **version_as_dict(version)}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# CACAO ids are UUIDs; derive them from the version so an export is reproducible.
_CACAO_NS = uuid.UUID("7a5bd0a4-3c55-4b59-9d2c-4f1f1c2f7e1a")


def _cacao_id(kind: str, version: PlaybookVersion, *parts) -> str:
    name = "/".join(str(p) for p in (version.technique_id, version.number, *parts))
    return f"{kind}--{uuid.uuid5(_CACAO_NS, name)}"


def export_cacao(version: PlaybookVersion) -> str:
    """The containment steps as an OASIS CACAO v2.0 workflow (start -> steps -> end).

    Each containment item becomes an action step with a manual command whose
    description is the item text; automatable items carry Vigil's action key in the
    step's extension-free ``description`` and a label, since the concrete connector
    (firewall feed, directory) is chosen by Vigil at run time, not by the playbook.
    """
    grouped = _items_by_section(version)
    steps = grouped[Section.CONTAINMENT_STEP]
    start_id = _cacao_id("start", version)
    end_id = _cacao_id("end", version)
    step_ids = [_cacao_id("action", version, Section.CONTAINMENT_STEP, item.order) for item in steps]
    workflow: dict[str, dict] = {
        start_id: {"type": "start", "name": "Start", "on_completion": step_ids[0] if steps else end_id}
    }
    for index, item in enumerate(steps):
        action = item.action or ActionKey.MANUAL.value
        workflow[step_ids[index]] = {
            "type": "action",
            "name": item.text[:120],
            "description": f"{item.text} (Vigil action: {action})",
            "commands": [{"type": "manual", "command": item.text}],
            "on_completion": step_ids[index + 1] if index + 1 < len(steps) else end_id,
        }
    workflow[end_id] = {"type": "end", "name": "End"}
    timestamp = (version.published_at or version.created_at).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    playbook = {
        "type": "playbook",
        "spec_version": "cacao-2.0",
        "id": _cacao_id("playbook", version),
        "name": f"{version.technique_id} {version.name} (v{version.number})",
        "description": " ".join(i.text for i in grouped[Section.ESCALATION_CRITERION])
        or f"Containment for {version.technique_id}.",
        "playbook_types": ["mitigation"],
        "playbook_activities": ["restrict-access"],
        "created_by": _cacao_id("identity", version, "vigil"),
        "created": timestamp,
        "modified": timestamp,
        "labels": [f"attack.{version.technique_id.lower()}", "containment"],
        "workflow_start": start_id,
        "workflow": workflow,
    }
    return json.dumps(playbook, indent=2, ensure_ascii=False) + "\n"


def export_version(version: PlaybookVersion, fmt: str) -> str:
    if fmt == "markdown":
        return export_markdown(version)
    if fmt == "json":
        return export_json(version)
    if fmt == "cacao":
        return export_cacao(version)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
