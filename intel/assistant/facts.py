"""What the assistant knows about a case: its observables (with roles and stored
enrichment) and recent alerts, plus the suggestion and evidence shapes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from cases.models import Alert, AlertObservable, Case, CaseObservable, Observable
from intel.enrichment.partner_match import contract_status, describe_contract

YES, NO, UNKNOWN = "yes", "no", "unknown"
MAX_EVIDENCE = 12
MAX_ALERTS_READ = 500
# ATT&CK Reconnaissance (TA0043) techniques: the same source seen doing these elsewhere is
# evidence of probing.
RECON_TECHNIQUES = ("T1589", "T1590", "T1591", "T1592", "T1593", "T1594", "T1595", "T1596", "T1597", "T1598")
ACTOR_ROLES = {"source", "sender", "user", "declared", "extracted"}


@dataclass
class ObservableFacts:
    observable: Observable
    roles: set[str]
    last_seen: datetime | None

    @property
    def label(self) -> str:
        return f"{self.observable.type}:{self.observable.value}"

    def enrichment(self, key: str) -> dict | None:
        data = self.observable.enrichment or {}
        value = data.get(key) if isinstance(data, dict) else None
        return value if isinstance(value, dict) else None

    @property
    def is_actor(self) -> bool:
        """A source of the activity, not only its target (a destination host or URL)."""
        return bool(self.roles & ACTOR_ROLES) or not self.roles


@dataclass
class CaseFacts:
    case: Case
    observables: list[ObservableFacts]
    alerts: list[dict] = field(default_factory=list)

    def of_types(self, *types: str) -> list[ObservableFacts]:
        return [o for o in self.observables if o.observable.type in types]


def gather(case: Case) -> CaseFacts:
    """The case's observables (with their roles and stored enrichment) and recent alerts,
    in three queries."""
    links = CaseObservable.objects.filter(case=case).select_related("observable").order_by("observable_id")
    roles: dict[int, set[str]] = defaultdict(set)
    for observable_id, role in (
        AlertObservable.objects.filter(alert__case=case).values_list("observable_id", "role").distinct()
    ):
        roles[observable_id].add(role)
    observables = [
        ObservableFacts(link.observable, roles[link.observable_id], link.last_seen_at) for link in links
    ]
    alerts = list(
        Alert.objects.filter(case=case)
        .order_by("-observed_at")
        .values("id", "observed_at", "title", "description", "tags", "raw", "technique_id")[:MAX_ALERTS_READ]
    )
    return CaseFacts(case=case, observables=observables, alerts=alerts)


def suggestion(answer: str, reason: str, evidence: list[dict]) -> dict:
    return {"answer": answer, "reason": reason[:300], "evidence": evidence[:MAX_EVIDENCE]}


def evidence(facts: ObservableFacts | None, source: str, detail: str) -> dict:
    return {"observable": facts.label if facts else "", "source": source, "detail": detail[:300]}


def _at(facts: ObservableFacts, case: Case) -> datetime:
    return facts.last_seen or case.last_observed_at or timezone.now()


def partner_status(facts: ObservableFacts, case: Case) -> list[tuple[dict, str]]:
    """(partner entry, contract status at the observable's time) for every matched partner."""
    match = facts.enrichment("partner_match")
    if not match or match.get("verdict") != "partner":
        return []
    out = []
    for partner in match.get("partners", []):
        try:
            status = contract_status(partner, _at(facts, case))
        except (TypeError, ValueError):
            status = partner.get("contract_status", "no_contract")
        out.append((partner, status))
    return out


def partner_detail(partner: dict, status: str) -> str:
    return describe_contract(
        partner["name"], status, partner.get("contract_start"), partner.get("contract_end")
    )


# --- The answers -----------------------------------------------------------------------
