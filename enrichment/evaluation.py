"""Measuring the assistant against labelled scenarios (tests/enrichment/scenarios/, or any file
or folder in the same format: `manage.py evaluate_assistant PATH`).

A scenario is a JSON file: reference data to load on top of the folder's
`_reference.json`, native alerts (the POST /api/v1/alerts/ format) in arrival order, and
the answers the decision rules give (shared/playbooks/T1591.002-decision-rules.md):

    {"name": ..., "category": ..., "description": ...,
     "reference": {"networks": [...], "partners": [...], "org_domains": [...]},
     "alerts": [{native alert}, ...], "cases": 1 (optional: how many cases they form),
     "expected": {"q1": "yes|no|unknown", ..., "q4": ...,
                  "e1": "met|not_met", ..., "e4": ..., "recommendation": "escalate|close"}}

A file may also hold a list of scenarios. q1..q4 are the questions carrying the assist
keys ip_reputation, related_activity, lookalike_domain and partner_match; e1..e4 the
escalation criteria carrying exfiltration, compromised_account, supply_chain_anomaly and
sensitive_partner. Each scenario runs inside a rolled-back transaction: reference data
loaded through the services, alerts ingested through `cases.services.intake.ingest_alert`,
enrichment and suggestions computed after each alert (as the task would), and the case of
the last alert judged. A scenario is one incident: its alerts must form one case (the rules
file's correlation), or as many as its optional `"cases"` says (alerts that must not join,
such as two users behind a shared NAT); any other count is a grouping miss, reported beside
the decisions. The labels are always those of the last alert's case: answers follow only
from the case's alerts, so a scenario of two cases labels the second.
"""

from __future__ import annotations

import inspect
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dateutil import parser as dateparser
from django.db import transaction
from django.test import override_settings

from cases.ingest.native import NativeAdapter
from cases.models import Alert, CaseStep
from cases.services.intake import ingest_alert
from cases.services.recommendation import recommend
from intel import lookup, services
from intel.models import BusinessPartner, KnownNetwork
from playbooks.registry import AssistKey, Section

from . import assistant
from . import services as enrichment

# A scenario's labels: the decision rules' questions and criteria, by the assist key of
# the seed playbook's item each one is, and the recommendation.
QUESTIONS = {
    "q1": AssistKey.IP_REPUTATION,
    "q2": AssistKey.RELATED_ACTIVITY,
    "q3": AssistKey.LOOKALIKE_DOMAIN,
    "q4": AssistKey.PARTNER_MATCH,
}
CRITERIA = {
    "e1": AssistKey.EXFILTRATION,
    "e2": AssistKey.COMPROMISED_ACCOUNT,
    "e3": AssistKey.SUPPLY_CHAIN_ANOMALY,
    "e4": AssistKey.SENSITIVE_PARTNER,
}
# The kinds of label, each with the values a scenario may expect.
QUESTION, CRITERION, RECOMMENDATION = "question", "criterion", "recommendation"
TITLES = {
    "q1": "q1 legitimate or known IPs?",
    "q2": "q2 reconnaissance or probing?",
    "q3": "q3 impersonation / unusual communication?",
    "q4": "q4 business operation / contract?",
    "e1": "e1 data exfiltration",
    "e2": "e2 compromised account",
    "e3": "e3 supply-chain access anomaly",
    "e4": "e4 sensitive or critical partner (Tier 2)",
    "recommendation": "recommendation",
}
DECISIONS = (*QUESTIONS, *CRITERIA, RECOMMENDATION)
GROUPING = "grouping"
VALUES = {
    QUESTION: ("yes", "no", "unknown"),
    CRITERION: ("met", "not_met"),
    RECOMMENDATION: ("escalate", "close"),
}
CRITERION_VALUE = {"checked": "met", "unchecked": "not_met"}


def kind_of(key: str) -> str:
    return QUESTION if key in QUESTIONS else CRITERION if key in CRITERIA else RECOMMENDATION


@dataclass
class Scenario:
    name: str
    category: str
    description: str
    alerts: list[dict]
    expected: dict[str, str]
    reference: dict = field(default_factory=dict)
    cases: int = 1  # how many cases its alerts should form


@dataclass
class Outcome:
    scenario: Scenario
    got: dict[str, str]
    reasons: dict[str, str] = field(default_factory=dict)
    error: str = ""
    cases: int = 1  # how many cases the scenario's alerts formed

    @property
    def grouped_as_expected(self) -> bool:
        return self.cases == self.scenario.cases

    @property
    def misses(self) -> list[str]:
        return [
            k
            for k in DECISIONS
            if k in self.scenario.expected and self.got.get(k) != self.scenario.expected[k]
        ]


@dataclass
class Report:
    outcomes: list[Outcome]

    def matrix(self, key: str) -> Counter:
        """(expected, got) -> count for one decision."""
        return Counter(
            (o.scenario.expected[key], o.got.get(key, "-"))
            for o in self.outcomes
            if key in o.scenario.expected
        )

    def accuracy_of(self, key: str) -> float:
        labelled = [o for o in self.outcomes if key in o.scenario.expected]
        if not labelled:
            return 1.0
        return sum(o.got.get(key) == o.scenario.expected[key] for o in labelled) / len(labelled)

    def grouped(self) -> tuple[int, int]:
        """(multi-alert scenarios whose alerts formed the cases expected, multi-alert scenarios)."""
        several = [o for o in self.outcomes if len(o.scenario.alerts) > 1 and not o.error]
        return sum(o.grouped_as_expected for o in several), len(several)

    def below(self, minimum: float) -> list[str]:
        one, several = self.grouped()
        split = [GROUPING] if several and one / several < minimum else []
        return [k for k in DECISIONS if self.accuracy_of(k) < minimum] + split

    def table(self) -> str:
        lines = [f"{len(self.outcomes)} scenarios", ""]
        for key in DECISIONS:
            values = VALUES[kind_of(key)]
            counts = self.matrix(key)
            got_values = list(values) + sorted({g for (_, g) in counts if g not in values})
            lines.append(f"{TITLES[key]}  accuracy {self.accuracy_of(key):.1%}")
            lines.append("  expected \\ got " + "".join(f"{v:>10}" for v in got_values))
            for expected in values:
                lines.append(
                    f"  {expected:<15}" + "".join(f"{counts.get((expected, g), 0):>10}" for g in got_values)
                )
            lines.append("")
        one, several = self.grouped()
        lines += [f"{GROUPING}: {one} of {several} multi-alert scenarios formed the cases expected", ""]
        misses = [o for o in self.outcomes if o.misses or o.error or not o.grouped_as_expected]
        if misses:
            lines.append("Misses:")
            for o in misses:
                if o.error:
                    lines.append(f"  {o.scenario.name}: ERROR {o.error}")
                if not o.error and not o.grouped_as_expected:
                    lines.append(
                        f"  {o.scenario.name} {GROUPING}: expected {o.scenario.cases} case(s), got "
                        f"{len(o.scenario.alerts)} alerts in {o.cases}"
                    )
                for key in o.misses:
                    lines.append(
                        f"  {o.scenario.name} {key}: expected {o.scenario.expected.get(key)}, got "
                        f"{o.got.get(key)} ({o.reasons.get(key, '')})"
                    )
        return "\n".join(lines)


def _scenario(data: dict, default_name: str) -> Scenario:
    return Scenario(
        name=data.get("name", default_name),
        category=data.get("category", ""),
        description=data.get("description", ""),
        alerts=data["alerts"],
        expected=data["expected"],
        reference=data.get("reference") or {},
        cases=int(data.get("cases", 1)),
    )


def load_scenarios(path: Path) -> tuple[dict, list[Scenario]]:
    """(common reference data, scenarios) from a folder (every *.json but `_*.json`, by
    name) or one file (a scenario or a list of them); the common reference data is the
    `_reference.json` of the folder or beside the file (which may also list the playbook's
    related techniques: "covers", see declared_covers)."""
    path = Path(path)
    common, folder = _common_reference(path)
    files = (
        sorted(p for p in folder.glob("*.json") if not p.name.startswith("_")) if path.is_dir() else [path]
    )
    scenarios = []
    for file in files:
        data = json.loads(file.read_text(encoding="utf-8"))
        items = data if isinstance(data, list) else [data]
        scenarios += [
            _scenario(item, f"{file.stem}-{i}" if len(items) > 1 else file.stem)
            for i, item in enumerate(items)
        ]
    return common, scenarios


def declared_covers(path: Path) -> list[str] | None:
    """The related techniques the folder's `_reference.json` lists for the playbook
    ("covers": ["T1656", ...]), or None when it lists none."""
    common, _ = _common_reference(Path(path))
    covers = common.get("covers")
    return [str(c).strip() for c in covers if str(c).strip()] if isinstance(covers, list) and covers else None


def _common_reference(path: Path) -> tuple[dict, Path]:
    folder = path if path.is_dir() else path.parent
    common_path = folder / "_reference.json"
    common = json.loads(common_path.read_text(encoding="utf-8")) if common_path.exists() else {}
    return common, folder


def _load_reference(reference: dict) -> None:
    # The shared-infrastructure flag exists once intake's correlation has it.
    takes_shared = "shared" in inspect.signature(services.network_create).parameters
    for entry in reference.get("networks", []):
        expires = entry.get("expires_at")
        extra = {"shared": bool(entry.get("shared"))} if takes_shared else {}
        services.network_create(
            by=None,
            cidr=entry["cidr"],
            list=entry["list"],
            label=entry.get("label", ""),
            source=entry.get("source", ""),
            expires_at=dateparser.isoparse(expires) if expires else None,
            **extra,
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
    the Celery task would; returns the case of the last alert and how many cases the
    alerts are in at the end."""
    adapter = NativeAdapter()
    case, ids = None, []
    for item in alerts:
        result = ingest_alert(source=source, alert=adapter.parse(item))
        enrichment.alert_enrich(alert_id=result.alert.pk)
        assistant.refresh_case(case_id=result.case.pk, alert_id=result.alert.pk)
        case = result.case
        ids.append(result.alert.pk)
    return case, Alert.objects.filter(pk__in=ids).values("case").distinct().count()


def judge(case) -> tuple[dict[str, str], dict[str, str]]:
    """The suggested answer per question and criterion and the recommendation, with reasons."""
    steps = list(CaseStep.objects.filter(case=case).select_related("item").order_by("section", "order"))
    got: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for keys, section in ((QUESTIONS, Section.QUESTION), (CRITERIA, Section.ESCALATION_CRITERION)):
        for key, assist in keys.items():
            step = next((s for s in steps if s.section == section and s.item.assist == assist), None)
            suggestion = (step.suggestion or {}) if step else {}
            answer = suggestion.get("answer", "-")
            got[key] = CRITERION_VALUE.get(answer, answer) if section != Section.QUESTION else answer
            reasons[key] = suggestion.get("reason", "no step with this assist key")
    recommendation = recommend(case, steps)
    got[RECOMMENDATION] = recommendation["decision"]
    reasons[RECOMMENDATION] = recommendation["reason"]
    return got, reasons


def run_scenario(scenario: Scenario, *, source, common: dict) -> Outcome:
    """Run one scenario in a rolled-back transaction (savepoint inside a test)."""
    org_domains = scenario.reference.get("org_domains") or common.get("org_domains")
    overrides = {"VIGIL_ORG_DOMAINS": org_domains} if org_domains else {}
    try:
        with override_settings(**overrides), transaction.atomic():
            try:
                # The scenario's reference data only (rolled back with everything else).
                KnownNetwork.objects.all().delete()
                BusinessPartner.objects.all().delete()
                _load_reference(common)
                _load_reference(scenario.reference)
                lookup.invalidate()
                case, cases = ingest_and_assist(source, scenario.alerts)
                got, reasons = judge(case)
            finally:
                transaction.set_rollback(True)
    except Exception as exc:  # a broken scenario is reported, not fatal to the run
        return Outcome(scenario, {}, {}, error=f"{type(exc).__name__}: {exc}")
    finally:
        lookup.invalidate()
    return Outcome(scenario, got, reasons, cases=cases)


def evaluate(path: Path, *, source) -> Report:
    common, scenarios = load_scenarios(path)
    return Report([run_scenario(s, source=source, common=common) for s in scenarios])
