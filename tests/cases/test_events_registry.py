"""The timeline's verbs (cases.services.events): every verb has builders and a renderer,
each builder's row renders its line, old and hostile payloads render escaped and never
fail, and no writer outside the events package builds an event's data itself."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils.html import escape

from cases.models import Case, CaseEvent
from cases.services import events
from tests.conftest import REPO_ROOT

Verb = CaseEvent.Verb
PAYLOAD = '<script>alert("x")</script>'
ESCAPED = escape(PAYLOAD)
DUE = datetime(2026, 5, 4, 10, 30, tzinfo=UTC)


def _case(reference: str = "CASE-2026-000007", pk: int = 7) -> Case:
    return Case(pk=pk, reference=reference)


def _samples(s: str) -> dict:
    """builder -> (its keyword arguments, built from the string `s`; the line it renders
    when `s` is "x"). Rows are built on an unsaved case: builders never query."""
    alert = SimpleNamespace(pk=11, source_ref=s, title=s)
    step = SimpleNamespace(pk=21, section="question", item=SimpleNamespace(text=s))
    version = SimpleNamespace(pk=31, technique_id=s, number=2)
    attachment = SimpleNamespace(name=s, size=10, sha256="ab" * 32)
    other = _case(s, pk=8)
    user = SimpleNamespace(is_authenticated=False)  # recorded as Vigil: no row to fetch
    return {
        events.created: ({"alert": alert, "technique_id": s}, "Case opened by alert “x” (x) · x"),
        events.alert_joined: ({"alert": alert}, "Alert joined: “x” (x)"),
        events.severity_raised: (
            {"alert": alert, "from_severity": 2, "to_severity": 4},
            "Severity raised from Medium to Critical by alert “x” (x)",
        ),
        events.observables_added: (
            {"alert": alert, "observables": [f"ip:{s}"]},
            "Observables added to alert (x): ip:x",
        ),
        events.evidence_added: ({"alert": alert, "files": [attachment]}, "Evidence added to alert: x"),
        events.claimed: ({"by": user, "from_status": "new", "to_status": "triage"}, "Claimed (New → Triage)"),
        events.assigned: (
            {"by": user, "from_status": "new", "to_status": "triage", "assignee": s, "previous": "bob"},
            "Assigned to x (was bob) (New → Triage)",
        ),
        events.unassigned: (
            {"by": user, "from_status": "triage", "to_status": "new", "previous": s},
            "Unassigned (was x) (Triage → New)",
        ),
        events.escalated: (
            {"by": user, "note": s, "criteria_met": [s], "recommendation": "escalate", "override_reason": ""},
            "Escalated to T2. Hand-off note: x Criteria met: x. Vigil recommended: escalate.",
        ),
        events.returned: (
            {"by": user, "from_status": "investigating", "note": s, "assignee": None},
            "Returned to L1 (triage queue): x",
        ),
        events.status_changed: (
            {"by": user, "from_status": "resolved", "to_status": "investigating", "note": s},
            "Status changed (Resolved → Investigating): x",
        ),
        events.resolved: (
            {"by": user, "from_status": "investigating", "resolution": "true_positive", "summary": s},
            "Resolved (True positive (handled)): x",
        ),
        events.closed: (
            {
                "by": user,
                "from_status": "triage",
                "resolution": "false_positive",
                "note": s,
                "recommendation": "escalate",
                "override_reason": s,
            },
            "Closed (False positive): x — against the recommendation because: x",
        ),
        events.step_updated: (
            {
                "by": user,
                "step": step,
                "old": "",
                "new": "yes",
                "note": s,
                "suggestion": "no",
                "agreed_with_suggestion": False,
                "answer_source": events.ANALYST,
            },
            "x: Not set → Yes — note: x (assistant suggested No)",
        ),
        events.suggestions_updated: (
            {"changes": [events.SuggestionChange(21, s, "", "yes")], "alert_id": 11},
            "Assistant suggestions updated — alert: 11",
        ),
        events.playbook_attached: ({"version": version, "by": None}, None),
        events.commented: ({"by": user, "comment": SimpleNamespace(pk=41, body=s)}, "Commented: x"),
        events.observable_added: (
            {"by": user, "observable_id": 51, "type": "ip", "value": s},
            "Observable added: ip:x",
        ),
        events.observable_flagged: (
            {"by": user, "observable_id": 51, "value": s, "changes": {"is_ioc": True, "tlp": s}},
            "Observable flagged: x — is ioc: True, tlp: x",
        ),
        events.merged: (
            {"by": user, "role": "target", "other": other, "alerts": 3, "observables": 2, "answers": 1},
            "Merged: x merged into CASE-2026-000007",
        ),
        events.containment_action: (
            {
                "action_id": 61,
                "kind": "block_ip",
                "kind_label": "Block IP",
                "target": s,
                "status": "failed",
                "event": "failed",
                "error": s,
                "attempt": 3,
                "permanent": True,
            },
            "Containment: Block IP x: failed — error: x",
        ),
        events.case_contained: ({"by": user}, "Case contained"),
        events.sla_warning: (
            {"stage": s, "target_minutes": 15, "due_at": DUE, "elapsed_minutes": 12.34},
            "SLA breach imminent — stage: x; target: 15; due: 2026-05-04T10:30:00+00:00; elapsed: 12.3",
        ),
        events.sla_breached: (
            {"stage": s, "target_minutes": 15, "due_at": DUE, "elapsed_minutes": 16},
            "SLA breached — stage: x; target: 15; due: 2026-05-04T10:30:00+00:00; elapsed: 16",
        ),
    }


BUILDERS = [builder for event_type in events.REGISTRY.values() for builder in event_type.builders]
VERB_OF = {
    builder: event_type.verb for event_type in events.REGISTRY.values() for builder in event_type.builders
}


def _built(builder, s: str = "x") -> CaseEvent:
    kwargs, _ = _samples(s)[builder]
    return builder(_case(), **kwargs)


def test_every_verb_has_builders_and_a_renderer():
    assert set(events.REGISTRY) == set(Verb.values)
    for verb, event_type in events.REGISTRY.items():
        assert event_type.verb == verb and event_type.builders and callable(event_type.render)
    assert set(_samples("x")) == set(BUILDERS)  # a new builder needs its sample below


def test_a_verb_has_one_renderer_and_renders_only_what_is_built():
    with pytest.raises(ValueError, match="two renderers"):
        events.renders(Verb.CLAIMED)(events.REGISTRY[Verb.CLAIMED].render)
    with pytest.raises(ValueError, match="no builder"):
        events.renders("no_such_verb")(lambda event, data: "")
    assert "no_such_verb" not in events.REGISTRY


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda b: b.__name__)
def test_each_builder_returns_an_unsaved_row_of_its_verb_that_renders(builder):
    event = _built(builder)
    assert event.pk is None and event.case_id == 7 and event.verb == VERB_OF[builder]
    html = events.render_event(event)
    _, expected = _samples("x")[builder]
    assert html == expected if expected else html.startswith(event.verb_label)


def test_the_lines_of_intake_events_read_as_sentences_and_keep_their_data():
    created = _built(events.created)
    assert created.data == {
        "reference": "CASE-2026-000007",
        "technique_id": "x",
        "alert_id": 11,
        "source_ref": "x",
        "title": "x",
    }
    assert events.render_event(created) == "Case opened by alert “x” (x) · x"


@pytest.mark.django_db
def test_record_saves_one_row_that_renders_the_same_from_the_database(seed_playbook, make_case, l1):
    case = make_case()
    built = events.claimed(case, by=l1, from_status="new", to_status="triage")
    assert events.record(built).pk is not None
    stored = CaseEvent.objects.get(pk=built.pk)
    assert (stored.case_id, stored.actor_id, stored.actor_label) == (case.pk, l1.pk, l1.get_username())
    assert events.render_event(stored) == events.render_event(built) == "Claimed (New → Triage)"


@pytest.mark.parametrize("verb", Verb.values)
@pytest.mark.parametrize("data", [{}, None, [], "text"], ids=["empty", "null", "list", "string"])
def test_an_old_row_with_any_payload_renders_without_failing(verb, data):
    """Rows written before a key existed (or by hand) lack it: the line degrades, never 500s."""
    html = events.render_event(CaseEvent(case=_case(), verb=verb, data=data))
    assert str(html)


@pytest.mark.parametrize("verb", Verb.values)
def test_an_old_row_with_values_of_the_wrong_type_renders(verb):
    sample = next(b for b in BUILDERS if VERB_OF[b] == verb)
    keys = _built(sample).data
    for odd in (7, ["a", 1], {"k": "v"}, True):
        assert str(events.render_event(CaseEvent(case=_case(), verb=verb, data=dict.fromkeys(keys, odd))))


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda b: b.__name__)
def test_hostile_builder_arguments_are_escaped(builder):
    html = events.render_event(_built(builder, PAYLOAD))
    assert "<script" not in html


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda b: b.__name__)
def test_a_hostile_value_under_any_key_is_escaped(builder):
    """Alert content is attacker-controlled, and an old row may hold it under any key."""
    keys = _built(builder).data
    event = CaseEvent(case=_case(), verb=VERB_OF[builder], data=dict.fromkeys(keys, PAYLOAD))
    html = events.render_event(event)
    assert "<script" not in html
    assert ESCAPED in html


def test_an_unregistered_verb_renders_generically_and_escaped():
    event = CaseEvent(case=_case(), verb="imported_from_elsewhere", data={"summary": PAYLOAD, "note": "n"})
    assert events.render_event(event) == f"Imported from elsewhere: {ESCAPED} — note: n"


# --- no ad hoc payloads ---------------------------------------------------------------

EVENTS_PACKAGE = REPO_ROOT / "cases" / "services" / "events"
SKIPPED = {"tests", "migrations", ".venv", "var", "node_modules"}


def _literal(call: ast.Call, keyword: str) -> bool:
    """Whether `keyword=` is given a dict built on the spot ({...}, a comprehension, dict())."""
    value = next(k.value for k in call.keywords if k.arg == keyword)
    return isinstance(value, ast.Dict | ast.DictComp) or (
        isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict"
    )


def ad_hoc_events(source: str) -> list[str]:
    """Calls in `source` that build a timeline event without its builder: CaseEvent(...),
    CaseEvent.objects.create / a case's events.create, a call passing verb= with a dict
    built on the spot as data=, or data= to anything named like an event writer."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        keywords = {k.arg for k in node.keywords}
        owner = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
        if name == "CaseEvent":
            found.append(f"line {node.lineno}: CaseEvent(...)")
        elif name in ("create", "get_or_create", "update_or_create") and (
            owner.endswith("CaseEvent.objects") or owner.endswith(".events")
        ):
            found.append(f"line {node.lineno}: {owner}.{name}(...)")
        elif "data" in keywords and (
            "event" in name.lower() or ("verb" in keywords and _literal(node, "data"))
        ):
            found.append(f"line {node.lineno}: {ast.unparse(func)}(..., data=...)")
        elif name == "new_row" and node.args and ast.unparse(node.args[0]).endswith("CaseEvent"):
            found.append(f"line {node.lineno}: new_row(CaseEvent, ...)")
    return found


def _app_modules() -> list[Path]:
    return [
        path
        for path in REPO_ROOT.rglob("*.py")
        if not SKIPPED & set(path.relative_to(REPO_ROOT).parts) and EVENTS_PACKAGE not in path.parents
    ]


def test_the_check_finds_each_way_of_writing_an_event_by_hand():
    source = """
CaseEvent(case=case, verb="x", data={})
CaseEvent.objects.create(case=case, verb="x")
case.events.create(verb="x")
Thing.objects.filter(verb="x", data={"a": 1})
case_event_record(case, "x", data={"a": 1})
new_row(models.CaseEvent, case_id=1)
Input(data=request.data)
plan(verb=event.verb, data=event.data)
events.record(events.claimed(case, by=user, from_status="new", to_status="triage"))
"""
    assert len(ad_hoc_events(source)) == 6


def test_every_writer_uses_the_builders():
    modules = _app_modules()
    assert REPO_ROOT / "sla" / "services.py" in modules and EVENTS_PACKAGE / "base.py" not in modules
    problems = [
        f"{path.relative_to(REPO_ROOT)} {problem}"
        for path in modules
        for problem in ad_hoc_events(path.read_text(encoding="utf-8"))
    ]
    assert problems == [], "build timeline events with cases.services.events: " + "; ".join(problems)


CLOSE = {"by": None, "from_status": "triage", "resolution": "duplicate"}
CHANGE = {
    "action_id": 1,
    "kind": "block_ip",
    "kind_label": "Block IP",
    "target": "198.51.100.7",
    "status": "queued",
    "event": "requested",
}


@pytest.mark.parametrize(
    "builder, required, detail",
    [(events.closed, CLOSE, "duplicate_of"), (events.containment_action, CHANGE, "reason")],
)
def test_a_builder_records_the_details_it_declares_and_refuses_others(builder, required, detail):
    given = builder(_case(), **required, **{detail: "CASE-2026-000001"})
    left_out = builder(_case(), **required, **{detail: None})

    assert given.data[detail] == "CASE-2026-000001"
    assert detail not in left_out.data
    with pytest.raises(TypeError, match="resolutionn"):
        builder(_case(), **required, resolutionn="a typo")
