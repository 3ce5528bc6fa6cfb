"""Vigil's escalate-or-close recommendation for a case (DESIGN 4 and 7), by the SOC's
decision rules (shared/playbooks/T1591.002-decision-rules.md, "Escalation criteria").

The analyst decides; Vigil recommends, and a decision against the recommendation needs a
reason, so the reason names exactly what decided it.

- **Escalate** when any escalation criterion of the playbook is met: ticked by the analyst,
  or suggested met by the assistant and not overridden (an analyst's "not met" wins). The
  reason names those criteria and their evidence.
- **Escalate** too while some criterion is neither worked nor evaluated by the assistant:
  nothing rules the playbook's reasons to escalate out yet.
- **Close** otherwise. The reason says why: the activity is explained (every source is
  internal, benign or an active partner) or it had no effect (no criterion met: no data
  out, no account used, no partner anomaly, no high-criticality partner involved).

The questions do not decide by themselves; their answers (or suggestions) explain a close.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cases.models import Case, CaseStep
from cases.services.steps import suggestion_as_value
from playbooks.models import PlaybookItem
from playbooks.registry import AssistKey

ESCALATE = "escalate"
CLOSE = "close"
MET, NOT_MET = CaseStep.Value.CHECKED, CaseStep.Value.UNCHECKED

Section = PlaybookItem.Section


@dataclass
class _Value:
    step: CaseStep
    value: str  # "" when neither the analyst nor the assistant said anything
    from_suggestion: bool

    @property
    def reason(self) -> str:
        suggestion = self.step.suggestion if isinstance(self.step.suggestion, dict) else {}
        return str(suggestion.get("reason", "")).strip() if self.from_suggestion else ""


def _effective(step: CaseStep) -> _Value:
    if step.value:
        return _Value(step, step.value, False)
    suggested = suggestion_as_value(step)
    return _Value(step, suggested, bool(suggested))


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def _criterion_text(value: _Value) -> str:
    text = " ".join(value.step.item.text.split()).rstrip(".")
    if value.from_suggestion and value.reason:
        return f"{text} (assistant: {value.reason.rstrip('.')})"
    return f"{text} (ticked by the analyst)" if not value.from_suggestion else text


def recommend(case: Case, steps: Iterable[CaseStep] | None = None) -> dict:
    """Recommend escalate or close for `case` from its escalation criteria.

    Returns ``{"decision": "escalate"|"close", "reason": str, "used_suggestions": bool,
    "criteria_met": [item text, ...]}``. Pass `steps` (with `item` loaded) when the caller
    already holds them, to save the query.
    """
    if steps is None:
        steps = case.steps.select_related("item")
    steps = list(steps)
    criteria = [_effective(s) for s in steps if s.section == Section.ESCALATION_CRITERION]
    questions = {
        s.item.assist: _effective(s) for s in steps if s.section == Section.QUESTION and s.item.assist
    }

    met = [v for v in criteria if v.value == MET]
    if met:
        reason = "Escalation criteria met: " if len(met) > 1 else "Escalation criterion met: "
        return _result(ESCALATE, reason + "; ".join(_criterion_text(v) for v in met) + ".", met, met)

    pending = [v for v in criteria if v.value not in (MET, NOT_MET)]
    if pending or not criteria:
        names = "; ".join(" ".join(v.step.item.text.split()).rstrip(".") for v in pending)
        reason = (
            f"Malicious activity could not be ruled out: not evaluated yet: {names}."
            if pending
            else "Malicious activity could not be ruled out: the playbook lists no escalation criteria."
            if steps
            else "Malicious activity could not be ruled out: no playbook covers this case's techniques, "
            "so nothing was evaluated."
        )
        return _result(ESCALATE, reason, [], [])

    used = [v for v in criteria if v.from_suggestion]
    sources = questions.get(AssistKey.IP_REPUTATION)
    business = questions.get(AssistKey.PARTNER_MATCH) or questions.get(AssistKey.BUSINESS_CONTEXT)
    if sources is not None and sources.value == CaseStep.Value.YES:
        why = "The activity is explained: every source is internal, benign or an active partner"
        if business is not None and business.value == CaseStep.Value.YES:
            why += ", and it matches an active partner contract"
        used += [v for v in (sources, business) if v is not None and v.from_suggestion]
    else:
        why = (
            "The activity had no effect: no data left, no account was used by someone else, no partner "
            "acted outside its contract and no high-criticality partner is involved"
        )
    return _result(CLOSE, f"No escalation criterion is met. {why}.", used, [])


def _result(decision: str, reason: str, used: list[_Value], met: list[_Value]) -> dict:
    suggested = [v for v in used if v.from_suggestion]
    if suggested and decision == CLOSE:
        reason = reason.rstrip(".") + " (using the assistant's suggestions for the items not worked yet)"
    return {
        "decision": decision,
        "reason": _sentence(reason),
        "used_suggestions": bool(suggested),
        "criteria_met": [v.step.item.text for v in met],
    }
