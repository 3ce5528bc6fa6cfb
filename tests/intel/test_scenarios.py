"""The assistant against the labelled scenario set (tests/intel/scenarios/).

Fails below 90% accuracy over all decisions (4 suggested answers + the escalation
recommendation per scenario). `manage.py evaluate_assistant` prints the same table.
"""

from pathlib import Path

import pytest

from intel.evaluation import DECISIONS, evaluate, load_scenarios

pytestmark = pytest.mark.django_db

SCENARIOS = Path(__file__).parent / "scenarios"
MIN_ACCURACY = 0.90


def test_the_scenario_set_covers_what_the_issue_asks_for():
    _, scenarios = load_scenarios(SCENARIOS)
    assert len(scenarios) >= 30
    categories = {s.category for s in scenarios}
    assert categories >= {
        "benign_partner",
        "expired_partner",
        "malicious_scraping",
        "probing",
        "lookalike",
        "credential_stuffing",
        "mixed",
    }
    for scenario in scenarios:
        assert set(scenario.expected) == set(DECISIONS), scenario.name
        assert scenario.alerts, scenario.name
    # Both outcomes are represented, so a constant answer cannot pass.
    assert {s.expected["recommendation"] for s in scenarios} == {"escalate", "close"}


def test_assistant_accuracy_on_labelled_scenarios(seed_playbook, ingest_source):
    report = evaluate(SCENARIOS, source=ingest_source[0])
    print(report.table())

    assert not [o.scenario.name for o in report.outcomes if o.error], report.table()
    assert report.accuracy >= MIN_ACCURACY, report.table()
    assert report.answer_accuracy >= MIN_ACCURACY, report.table()
