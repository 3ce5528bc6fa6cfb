"""The assistant against the labelled scenario set (tests/enrichment/scenarios/), written from
the SOC's decision rules (shared/playbooks/T1591.002-decision-rules.md).

Fails below 95% on any question (q1-q4), any escalation criterion (e1-e4) or the
recommendation. `manage.py evaluate_assistant` prints the same tables.
"""

from pathlib import Path

import pytest

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
