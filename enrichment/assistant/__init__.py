"""The L1 assistant: for every case step whose playbook item carries an assist key, a
suggested value in the step's own choices, a reason and the evidence, by the SOC's
decision rules (shared/playbooks/T1591.002-decision-rules.md).

`refresh_case` reads the case's own alerts (facts.gather: observables, IPs judged at each
alert's observed_at, facts from vendor fields and text), computes the rules' signals once
(analysis.Analysis) and writes `CaseStep.suggestion`:
    {"answer": "<a value of the step>", "reason": "...", "evidence": [{"observable", "source", "detail"}]}
Questions get yes / no / unknown, escalation criteria checked (met) / unchecked (not met),
L1 steps done / not_applicable. It never touches the analyst's value (`CaseStep.value`).
It also stores the case-scoped evidence of each observable (related activity and login
patterns within this case) on `CaseObservable.enrichment`. One `suggestions_updated`
CaseEvent is written per refresh that changed at least one suggestion.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cases.models import Case, CaseObservable, CaseStep
from cases.services import events

from .analysis import Analysis
from .answers import ANSWERS, suggest
from .case_evidence import case_observable_evidence
from .facts import NO, UNKNOWN, YES, CaseFacts, gather

__all__ = ["ANSWERS", "NO", "UNKNOWN", "YES", "Analysis", "CaseFacts", "gather", "refresh_case", "suggest"]


@transaction.atomic
def refresh_case(*, case_id: int, alert_id: int | None = None) -> list[CaseStep]:
    """Recompute the suggestions of every assisted step of the case and its observables'
    case-scoped evidence; return the steps whose suggestion changed. Writes one
    `suggestions_updated` event when any did."""
    # Lock order is case, then steps: the same order as the workflow services
    # (cases.services.steps), so an enrichment task and an analyst's answer never deadlock.
    # The case lock also serialises two enrichment tasks for the same case: the second sees
    # the first one's suggestions and writes no duplicate event.
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        return []
    steps = list(
        CaseStep.objects.select_for_update(of=("self",))
        .filter(case=case)
        .exclude(item__assist="")
        .select_related("item")
        .order_by("pk")
    )
    analysis = Analysis(gather(case))
    _store_case_evidence(case, analysis)
    computed: dict[tuple[str, str], dict | None] = {}
    changed: list[CaseStep] = []
    changes: list[events.SuggestionChange] = []
    now = timezone.now()
    for step in steps:
        key = (step.section, step.item.assist)
        if key not in computed:
            computed[key] = suggest(analysis, *key)
        fresh = computed[key] or {}
        if step.suggestion == fresh:
            continue
        previous = step.suggestion.get("answer") if isinstance(step.suggestion, dict) else None
        changes.append(
            events.SuggestionChange(step.pk, step.item.assist, previous or "", fresh.get("answer", ""))
        )
        step.suggestion = fresh
        step.suggestion_updated_at = now
        changed.append(step)
    if changed:
        CaseStep.objects.bulk_update(changed, ["suggestion", "suggestion_updated_at"])
        events.record(events.suggestions_updated(case, changes=changes, alert_id=alert_id))
    return changed


def _store_case_evidence(case: Case, analysis: Analysis) -> None:
    links = list(CaseObservable.objects.filter(case=case).select_related("observable"))
    evidence = case_observable_evidence(analysis, [link.observable for link in links])
    changed = []
    for link in links:
        fresh = evidence.get(link.observable_id, {})
        if link.enrichment != fresh:
            link.enrichment = fresh
            changed.append(link)
    if changed:
        CaseObservable.objects.bulk_update(changed, ["enrichment"], batch_size=500)
