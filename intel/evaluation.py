"""Measuring the assistant against a labelled scenario set (tests/intel/scenarios/).

A scenario is a JSON file: reference data to load on top of `_reference.json`, native
alerts (the POST /api/v1/alerts/ format), and the expected answer to the four questions
of T1591.002 plus the expected escalation recommendation:

    {"name": ..., "category": ..., "description": ...,
     "reference": {"networks": [...], "partners": [...]},
     "alerts": [{native alert}, ...],
     "expected": {"q1": "yes", "q2": "no", "q3": "no", "q4": "yes", "recommendation": "close"}}

q1..q4 are the questions carrying the assist keys ip_reputation, related_activity,
lookalike_domain and partner_match. Each scenario runs inside a transaction that is
rolled back: reference data loaded through the services, alerts ingested through
`cases.services.intake.ingest_alert`, enrichment and suggestions computed synchronously
after each alert (as the task would), and the case of the last alert judged. Used by
tests/intel/test_scenarios.py and `manage.py evaluate_assistant`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dateutil import parser as dateparser
from django.db import transaction
from django.test import override_settings

from . import assistant, lookup, services
from .enrichment import service as enrichment
from .models import BusinessPartner, KnownNetwork

QUESTIONS = {
    "q1": "ip_reputation",
    "q2": "related_activity",
    "q3": "lookalike_domain",
    "q4": "partner_match",
}
QUESTION_TEXT = {
    "q1": "legitimate or known IPs?",
    "q2": "reconnaissance or probing?",
    "q3": "impersonation / unusual communication?",
    "q4": "business operation / contract?",
}
DECISIONS = ("q1", "q2", "q3", "q4", "recommendation")
ANSWERS = ("yes", "no", "unknown")


@dataclass
class Scenario:
    name: str
    category: str
    description: str
    alerts: list[dict]
    expected: dict[str, str]
    reference: dict = field(default_factory=dict)


@dataclass
class Outcome:
    scenario: Scenario
    got: dict[str, str]
    reasons: dict[str, str] = field(default_factory=dict)
    error: str = ""

    @property
    def misses(self) -> list[str]:
        return [key for key in DECISIONS if self.got.get(key) != self.scenario.expected.get(key)]


@dataclass
class Report:
    outcomes: list[Outcome]

    def matrix(self, key: str) -> Counter:
        """(expected, got) -> count for one decision."""
        return Counter((o.scenario.expected.get(key), o.got.get(key, "-")) for o in self.outcomes)

    def accuracy_of(self, key: str) -> float:
        if not self.outcomes:
            return 0.0
        return sum(o.got.get(key) == o.scenario.expected.get(key) for o in self.outcomes) / len(self.outcomes)

    @property
    def accuracy(self) -> float:
        """Share of correct decisions over every scenario x (4 answers + recommendation)."""
        total = len(self.outcomes) * len(DECISIONS)
        if not total:
            return 0.0
        right = sum(o.got.get(k) == o.scenario.expected.get(k) for o in self.outcomes for k in DECISIONS)
        return right / total

    @property
    def answer_accuracy(self) -> float:
        total = len(self.outcomes) * len(QUESTIONS)
        right = sum(o.got.get(k) == o.scenario.expected.get(k) for o in self.outcomes for k in QUESTIONS)
        return right / total if total else 0.0

    def table(self) -> str:
        lines = [
            f"{len(self.outcomes)} scenarios; accuracy {self.accuracy:.1%} over all decisions "
            f"(answers {self.answer_accuracy:.1%}, recommendation {self.accuracy_of('recommendation'):.1%})",
            "",
        ]
        for key in DECISIONS:
            values = ("escalate", "close") if key == "recommendation" else ANSWERS
            title = "recommendation" if key == "recommendation" else f"{key} {QUESTION_TEXT[key]}"
            counts = self.matrix(key)
            got_values = list(values) + sorted({g for (_, g) in counts if g not in values})
            lines.append(f"{title}  accuracy {self.accuracy_of(key):.1%}")
            lines.append("  expected \\ got " + "".join(f"{v:>10}" for v in got_values))
            for expected in values:
                row = "".join(f"{counts.get((expected, g), 0):>10}" for g in got_values)
                lines.append(f"  {expected:<15}" + row)
            lines.append("")
        misses = [o for o in self.outcomes if o.misses or o.error]
        if misses:
            lines.append("Misses:")
            for o in misses:
                if o.error:
                    lines.append(f"  {o.scenario.name}: ERROR {o.error}")
                for key in o.misses:
                    lines.append(
                        f"  {o.scenario.name} {key}: expected {o.scenario.expected.get(key)}, got "
                        f"{o.got.get(key)} ({o.reasons.get(key, '')})"
                    )
        return "\n".join(lines)


def load_scenarios(directory: Path) -> tuple[dict, list[Scenario]]:
    """(common reference data, scenarios sorted by file name)."""
    common_path = directory / "_reference.json"
    common = json.loads(common_path.read_text(encoding="utf-8")) if common_path.exists() else {}
    scenarios = []
    for path in sorted(directory.glob("*.json")):
        if path.name.startswith("_"):
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        scenarios.append(
            Scenario(
                name=data.get("name", path.stem),
                category=data.get("category", ""),
                description=data.get("description", ""),
                alerts=data["alerts"],
                expected=data["expected"],
                reference=data.get("reference") or {},
            )
        )
    return common, scenarios


def _load_reference(reference: dict) -> None:
    for entry in reference.get("networks", []):
        expires = entry.get("expires_at")
        services.network_create(
            by=None,
            cidr=entry["cidr"],
            list=entry["list"],
            label=entry.get("label", ""),
            source=entry.get("source", ""),
            expires_at=dateparser.isoparse(expires) if expires else None,
        )
    for entry in reference.get("partners", []):
        services.partner_create(
            by=None,
            name=entry["name"],
            domains=entry.get("domains", []),
            networks=entry.get("networks", []),
            contract_start=date.fromisoformat(entry["contract_start"])
            if entry.get("contract_start")
            else None,
            contract_end=date.fromisoformat(entry["contract_end"]) if entry.get("contract_end") else None,
            criticality=entry.get("criticality", "medium"),
            contacts=entry.get("contacts", ""),
        )


def ingest_and_assist(source, alerts: list[dict]):
    """Ingest native alerts one by one, enriching and refreshing suggestions after each as
    the Celery task would; returns the case of the last alert."""
    from cases.ingest.native import NativeAdapter
    from cases.services.intake import ingest_alert

    adapter = NativeAdapter()
    case = None
    for item in alerts:
        result = ingest_alert(source=source, alert=adapter.parse(item))
        enrichment.enrich_alert(alert_id=result.alert.pk)
        assistant.refresh_case(case_id=result.case.pk, alert_id=result.alert.pk)
        case = result.case
    return case


def judge(case) -> tuple[dict[str, str], dict[str, str]]:
    """The suggested answer per question and the recommendation, with their reasons."""
    from cases.models import CaseStep
    from cases.services.recommendation import recommend

    steps = list(CaseStep.objects.filter(case=case).select_related("item").order_by("section", "order"))
    got: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for key, assist in QUESTIONS.items():
        step = next((s for s in steps if s.section == "question" and s.item.assist == assist), None)
        suggestion = (step.suggestion or {}) if step else {}
        got[key] = suggestion.get("answer", "-")
        reasons[key] = suggestion.get("reason", "no step with this assist key")
    recommendation = recommend(case, steps)
    got["recommendation"] = recommendation["decision"]
    reasons["recommendation"] = recommendation["reason"]
    return got, reasons


def run_scenario(scenario: Scenario, *, source, common: dict) -> Outcome:
    """Run one scenario in a rolled-back transaction (savepoint inside a test)."""
    org_domains = common.get("org_domains")
    overrides = {"VIGIL_ORG_DOMAINS": org_domains} if org_domains else {}
    try:
        with override_settings(**overrides), transaction.atomic():
            try:
                # The scenario's reference data only (rolled back with everything else).
                KnownNetwork.objects.all().delete()
                BusinessPartner.objects.all().delete()
                _load_reference(common)
                _load_reference(scenario.reference)
                case = ingest_and_assist(source, scenario.alerts)
                got, reasons = judge(case)
            finally:
                transaction.set_rollback(True)
    except Exception as exc:  # a broken scenario is reported, not fatal to the run
        return Outcome(scenario, {}, {}, error=f"{type(exc).__name__}: {exc}")
    finally:
        lookup.invalidate()
    return Outcome(scenario, got, reasons)


def evaluate(directory: Path, *, source) -> Report:
    common, scenarios = load_scenarios(directory)
    return Report([run_scenario(s, source=source, common=common) for s in scenarios])
