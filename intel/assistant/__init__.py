"""The L1 assistant: a suggested answer, a one-line reason and the evidence for each case
step whose playbook item carries an assist key.

It reads the enrichment stored on the case's observables (intel.enrichment) and a few
facts about the case's alerts, and writes `CaseStep.suggestion`:
    {"answer": "yes|no|unknown", "reason": "...", "evidence": [{"observable", "source", "detail"}]}
It never touches the analyst's answer (`CaseStep.value`). One `suggestions_updated`
CaseEvent is written per refresh that changed at least one suggestion.

What each assist key answers (the seed playbook's questions):
- ip_reputation, "Does the activity come from legitimate or known IPs?": yes when every
  external source address is benign-listed or in a partner network under an active
  contract; no when any is malicious-listed or unknown (on no list).
- related_activity, "Is there evidence of reconnaissance or probing?": yes on a burst (an
  alert summarising many events, or many alerts from one external source or account in
  the probing window), a brute-force or credential-stuffing pattern, or the same source
  in other cases with reconnaissance techniques, or a source on the malicious list.
- lookalike_domain, "Impersonated accounts or unusual communication?": yes when a sender,
  URL or domain imitates the organisation's or a partner's domain, when a partner shows
  up outside its contract period, or when a sender on our own or a partner's genuine
  domain comes from a malicious-listed source (spoofed or hijacked).
- partner_match / business_context, "Does it correspond to a business operation, such as
  a new contract?": yes when a partner matches with a contract active at the activity's
  time (unless the activity is a login attack or uses a lookalike domain); no when the
  contract expired or has not started, or no partner matches.
- login_pattern, "Check for patterns in login attempts": yes on brute force or stuffing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseStep
from cases.services.events import case_event_record

from .answers import ANSWERS, suggest
from .facts import NO, UNKNOWN, YES, CaseFacts, gather

__all__ = ["ANSWERS", "NO", "UNKNOWN", "YES", "CaseFacts", "gather", "refresh_case", "suggest"]


@transaction.atomic
def refresh_case(*, case_id: int, alert_id: int | None = None) -> list[CaseStep]:
    """Recompute the suggestions of every assisted step of the case; return the steps whose
    suggestion changed. Writes one `suggestions_updated` event when any did."""
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
    if not steps:
        return []
    facts = gather(case)
    computed: dict[str, dict] = {}
    changed: list[CaseStep] = []
    changes: list[dict] = []
    now = timezone.now()
    for step in steps:
        key = step.item.assist
        if key not in computed:
            computed[key] = suggest(facts, key)
        fresh = computed[key]
        if step.suggestion == fresh:
            continue
        previous = step.suggestion.get("answer") if isinstance(step.suggestion, dict) else None
        changes.append({"step": step.pk, "assist": key, "from": previous or "", "to": fresh["answer"]})
        step.suggestion = fresh
        step.suggestion_updated_at = now
        changed.append(step)
    if changed:
        CaseStep.objects.bulk_update(changed, ["suggestion", "suggestion_updated_at"])
        data = {"changes": changes}
        if alert_id is not None:
            data["alert"] = alert_id
        case_event_record(case, CaseEvent.Verb.SUGGESTIONS_UPDATED, data=data)
    return changed
