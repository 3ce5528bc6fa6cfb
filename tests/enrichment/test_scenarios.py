"""The assistant against the labelled scenario sets (tests/enrichment/scenarios/, the held-out
tests/enrichment/scenarios_heldout/ and the blind tests/enrichment/scenarios_blind/), written
from the SOC's decision rules (shared/playbooks/T1591.002-decision-rules.md).

Fails below 95% on any question (q1-q4), any escalation criterion (e1-e4) or the
recommendation. `manage.py evaluate_assistant` prints the same tables.
"""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from enrichment.evaluation import CRITERIA, DECISIONS, QUESTIONS, evaluate, load_scenarios
from enrichment.management.commands.evaluate_assistant import DEFAULT_COVERS, prepare_playbook
from tests.conftest import SEED_PLAYBOOK as SEED

pytestmark = pytest.mark.django_db

SCENARIOS = Path(__file__).parent / "scenarios"
MIN_ACCURACY = 0.95


def test_the_scenario_set_covers_what_the_rules_ask_for():
    _, scenarios = load_scenarios(SCENARIOS)
    assert len(scenarios) >= 60
    categories = {s.category for s in scenarios}
    assert categories >= {
        "benign_partner",
        "expired_partner",
        "contract_boundary",
        "lookalike",
        "not_lookalike",
        "impersonation",
        "solicitation",
        "credential_stuffing",
        "brute_force",
        "account_compromise",
        "exfiltration",
        "supply_chain",
        "multi_technique",
        "shared_infrastructure",
        "no_ip",
    }
    for scenario in scenarios:
        assert set(scenario.expected) == set(DECISIONS), scenario.name
        assert scenario.alerts, scenario.name
    # Every answer of every question and criterion is represented, so no constant passes.
    for key in QUESTIONS:
        assert {s.expected[key] for s in scenarios} == {"yes", "no", "unknown"}, key
    for key in CRITERIA:
        assert {s.expected[key] for s in scenarios} == {"met", "not_met"}, key
    assert {s.expected["recommendation"] for s in scenarios} == {"escalate", "close"}
    techniques = {a.get("technique", "")[:5] for s in scenarios for a in s.alerts}
    assert techniques >= {"T1591", "T1110", "T1566", "T1656"}
    assert any(
        ":" in o["value"] for s in scenarios for a in s.alerts for o in a["observables"] if o["type"] == "ip"
    )


def test_assistant_accuracy_on_labelled_scenarios(ingest_source):
    prepare_playbook(SEED, DEFAULT_COVERS.split(","))
    report = evaluate(SCENARIOS, source=ingest_source[0])
    print(report.table())

    assert not [o.scenario.name for o in report.outcomes if o.error], report.table()
    assert not report.below(MIN_ACCURACY), report.table()


# --- The held-out set ----------------------------------------------------------------------
# Incidents the assistant was not developed on (tests/enrichment/scenarios_heldout/: 28 written in
# vendor wording after the wording was broadened by concept, and the auditor's 11 "u" ones),
# labelled from the rules file only. The floor is lower than the own set's: it measures
# generalisation, and a regression in the wording fails here first.

HELD_OUT = Path(__file__).parent / "scenarios_heldout"
HELD_OUT_MIN_ACCURACY = 0.90


def test_the_held_out_set_is_separate_and_labelled_both_ways():
    _, held_out = load_scenarios(HELD_OUT)
    _, own = load_scenarios(SCENARIOS)
    assert len(held_out) >= 35
    assert len([s for s in held_out if not s.name.startswith("u")]) >= 25
    assert not {s.name for s in held_out} & {s.name for s in own}
    own_alerts = {a["source_ref"] for s in own for a in s.alerts}
    assert not {a["source_ref"] for s in held_out for a in s.alerts} & own_alerts
    for scenario in held_out:
        assert set(scenario.expected) == set(DECISIONS), scenario.name
    assert {s.expected["recommendation"] for s in held_out} == {"escalate", "close"}
    for key in CRITERIA:
        assert {s.expected[key] for s in held_out} == {"met", "not_met"}, key


def test_assistant_agreement_on_the_held_out_set(seed_playbook):
    """Through `manage.py evaluate_assistant PATH --min-accuracy`, as a SOC would run it:
    the command exits with an error below the floor on any question, criterion or the
    recommendation."""
    out = StringIO()
    call_command(
        "evaluate_assistant", str(HELD_OUT), "--min-accuracy", str(HELD_OUT_MIN_ACCURACY), stdout=out
    )
    table = out.getvalue()
    print(table)
    assert table.startswith(f"{len(load_scenarios(HELD_OUT)[1])} scenarios")
    assert "ERROR" not in table


# --- The blind set -------------------------------------------------------------------------
# 60 incidents written from the rules file only, before the assistant's code was read or run
# on them (tests/enrichment/scenarios_blind/, own partners and networks in its
# _reference.json, which also lists the playbook's related techniques). Held to the same
# 95% floor as the own set, through the command a SOC runs.

BLIND = Path(__file__).parent / "scenarios_blind"


def test_the_blind_set_is_separate_and_labelled_every_way():
    common, blind = load_scenarios(BLIND)
    own_alerts = {
        a["source_ref"]
        for folder in (SCENARIOS, HELD_OUT)
        for s in load_scenarios(folder)[1]
        for a in s.alerts
    }
    assert len(blind) >= 40
    assert not {a["source_ref"] for s in blind for a in s.alerts} & own_alerts
    assert common["covers"] and common["partners"] and common["networks"]
    for scenario in blind:
        assert set(scenario.expected) == set(DECISIONS), scenario.name
    for key in QUESTIONS:
        assert {s.expected[key] for s in blind} == {"yes", "no", "unknown"}, key
    for key in CRITERIA:
        assert {s.expected[key] for s in blind} == {"met", "not_met"}, key
    assert {s.expected["recommendation"] for s in blind} == {"escalate", "close"}
    assert any(len(s.alerts) > 1 and len({a["technique"][:5] for a in s.alerts}) > 1 for s in blind)


def test_assistant_agreement_on_the_blind_set(seed_playbook):
    out = StringIO()
    call_command("evaluate_assistant", str(BLIND), "--min-accuracy", str(MIN_ACCURACY), stdout=out)
    table = out.getvalue()
    print(table)
    assert table.startswith(f"{len(load_scenarios(BLIND)[1])} scenarios")
    assert "ERROR" not in table


# --- Other authors' sets ----------------------------------------------------------------------
# Each written from the rules file alone by an author who read neither the assistant's code nor
# the other sets; the readings were fixed by general cause after each first run (README):
# - scenarios_fresh: 45 incidents; first run 13 misses in 8 incidents ("Second author's set");
# - scenarios_third: 45 incidents, 65 alerts; first run recommendation 82.2%, every miss an
#   escalated close ("Third author's set");
# - scenarios_fourth: 40 incidents, 56 alerts, written after the third set's fixes; first run
#   recommendation 90.0% ("Fourth author's set");
# - scenarios_fifth: 40 incidents, 57 alerts, written after the fourth set's fixes; first run
#   recommendation 90.0% ("Fifth author's set");
# - scenarios_sixth: 40 incidents, 55 alerts, written after the fifth set's fixes; first run
#   recommendation 82.5% ("Sixth author's set");
# - scenarios_seventh .. scenarios_twelfth: 40 incidents each, 58-59 alerts, each written after
#   the previous set's fixes; first runs 90.0, 82.5, 72.5, 90.0, 95.0 and 85.0% (README).

AUTHORS_SETS = [
    "scenarios_fresh",
    "scenarios_third",
    "scenarios_fourth",
    "scenarios_fifth",
    "scenarios_sixth",
    "scenarios_seventh",
    "scenarios_eighth",
    "scenarios_ninth",
    "scenarios_tenth",
    "scenarios_eleventh",
    "scenarios_twelfth",
]


@pytest.mark.parametrize("name", AUTHORS_SETS)
def test_another_authors_set_is_separate_and_agreed_with(seed_playbook, name):
    folder = Path(__file__).parent / name
    _, scenarios = load_scenarios(folder)
    earlier = [SCENARIOS, HELD_OUT, BLIND] + [Path(__file__).parent / n for n in AUTHORS_SETS if n != name]
    others = {a["source_ref"] for f in earlier for s in load_scenarios(f)[1] for a in s.alerts}
    assert len(scenarios) >= 40 and not {a["source_ref"] for s in scenarios for a in s.alerts} & others
    out = StringIO()
    call_command("evaluate_assistant", str(folder), "--min-accuracy", str(MIN_ACCURACY), stdout=out)
    assert out.getvalue().startswith(f"{len(scenarios)} scenarios") and "ERROR" not in out.getvalue()


# --- Grouping -------------------------------------------------------------------------------
# A scenario is one incident: its alerts must form one case, or as many as its "cases" says.


def _two_unrelated_alerts(tmp_path, **extra) -> Path:
    alert = {"technique": "T1591.002", "severity": "low", "observed_at": "2026-11-20T10:00:00Z"}
    scenario = {
        "name": "two-unrelated-alerts",
        "alerts": [
            {
                **alert,
                "source_ref": "g-1",
                "title": "Directory viewed",
                "observables": [{"type": "user", "value": "a.one", "role": "user"}],
            },
            {
                **alert,
                "source_ref": "g-2",
                "title": "Directory viewed",
                "observables": [{"type": "user", "value": "b.two", "role": "user"}],
            },
        ],
        "expected": {"recommendation": "close"},
        **extra,
    }
    path = tmp_path / "split.json"
    path.write_text(json.dumps(scenario))
    return path


def test_an_incident_split_over_cases_is_a_grouping_miss_that_fails_the_command(seed_playbook, tmp_path):
    out = StringIO()
    with pytest.raises(CommandError, match="grouping"):
        call_command("evaluate_assistant", str(_two_unrelated_alerts(tmp_path)), stdout=out)
    assert "grouping: 0 of 1 multi-alert scenarios formed the cases expected" in out.getvalue()
    assert "two-unrelated-alerts grouping: expected 1 case(s), got 2 alerts in 2" in out.getvalue()


def test_alerts_that_must_not_join_say_how_many_cases_they_form(seed_playbook, tmp_path):
    out = StringIO()
    call_command("evaluate_assistant", str(_two_unrelated_alerts(tmp_path, cases=2)), stdout=out)
    assert "grouping: 1 of 1 multi-alert scenarios formed the cases expected" in out.getvalue()
