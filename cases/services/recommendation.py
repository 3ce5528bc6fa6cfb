"""Vigil's escalate-or-close recommendation for a case (DESIGN 4 and 7).

The analyst decides; Vigil recommends, and a decision against the recommendation needs a
reason. The rule set is deliberately small and explainable, because the reason is shown
to the analyst and stored with the decision.

Each analysis question has a *polarity*:

- "benign" questions are those where **yes** means the activity is legitimate
  ("Does the activity come from legitimate or known IPs?", "Does it correspond to a
  business operation?"): assist keys ``ip_reputation``, ``partner_match`` and
  ``business_context``, or, without an assist key, wording such as "legitimate", "known",
  "expected", "authorized", "correspond";
- "suspicious" questions are those where **yes** is a red flag ("Is there evidence of
  reconnaissance or probing?", "Are there impersonated accounts?"): every other question.

The rules, first match wins:

1. any escalation criterion is met -> **escalate**;
2. a suspicious question is answered yes and the activity is not confirmed legitimate
   (some benign question is not yes) -> **escalate**;
3. every benign question is answered yes -> **close** (known sources, business operation);
4. every suspicious question is answered no, no key indicator is observed, and at least
   one question has a yes/no answer -> **close** (nothing points to malicious activity);
5. otherwise -> **escalate** (malicious activity could not be ruled out).

An unanswered question (or indicator) uses the assistant's suggestion (CaseStep.suggestion
["answer"]) when there is one, and the reason says so; otherwise it counts as unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from cases.models import Case, CaseStep
from cases.services.steps import suggestion_as_value
from playbooks.models import PlaybookItem
from playbooks.registry import AssistKey

ESCALATE = "escalate"
CLOSE = "close"

BENIGN_ASSISTS = {AssistKey.IP_REPUTATION, AssistKey.PARTNER_MATCH, AssistKey.BUSINESS_CONTEXT}
BENIGN_WORDING = re.compile(r"\b(legitimate|known|expected|authori[sz]ed|correspond\w*|approved)\b", re.I)

Section = PlaybookItem.Section


def question_polarity(item: PlaybookItem) -> str:
    """'benign' when a yes answer means the activity is legitimate, else 'suspicious'."""
    if item.assist:
        return "benign" if item.assist in BENIGN_ASSISTS else "suspicious"
    return "benign" if BENIGN_WORDING.search(item.text) else "suspicious"


@dataclass
class _Value:
    step: CaseStep
    value: str  # "" when neither the analyst nor the assistant said anything
    from_suggestion: bool


def _effective(step: CaseStep) -> _Value:
    if step.value:
        return _Value(step, step.value, False)
    suggested = suggestion_as_value(step)
    if suggested:
        return _Value(step, suggested, True)
    return _Value(step, "", False)


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def recommend(case: Case, steps: Iterable[CaseStep] | None = None) -> dict:
    """Recommend escalate or close for `case` from its criteria, answers and indicators.

    Returns ``{"decision": "escalate"|"close", "reason": str, "used_suggestions": bool,
    "criteria_met": [text, ...]}``. Pass `steps` (with `item` loaded) when the caller
    already holds them, to save the query.
    """
    if steps is None:
        steps = case.steps.select_related("item")
    steps = list(steps)

    criteria_met = [
        s.item.text for s in steps if s.section == Section.ESCALATION_CRITERION and s.value == "checked"
    ]
    benign: list[_Value] = []
    suspicious: list[_Value] = []
    indicators: list[_Value] = []
    for step in steps:
        if step.section == Section.QUESTION:
            bucket = benign if question_polarity(step.item) == "benign" else suspicious
            bucket.append(_effective(step))
        elif step.section == Section.KEY_INDICATOR:
            indicators.append(_effective(step))

    def result(decision: str, reason: str, used: Iterable[_Value]) -> dict:
        suggested = [v for v in used if v.from_suggestion]
        if suggested:
            names = "; ".join(_short(v.step.item.text, 60) for v in suggested)
            reason += f" (using the assistant's suggestion for unanswered items: {names})"
        return {
            "decision": decision,
            "reason": reason,
            "used_suggestions": bool(suggested),
            "criteria_met": criteria_met,
        }

    # 1. An escalation criterion is the playbook's own instruction to escalate.
    if criteria_met:
        return result(ESCALATE, "Escalation criterion met: " + "; ".join(map(_short, criteria_met)), [])

    red = [v for v in suspicious if v.value == "yes"]
    benign_confirmed = bool(benign) and all(v.value == "yes" for v in benign)

    # 2. Signs of probing/impersonation without a legitimate explanation.
    if red and not benign_confirmed:
        unconfirmed = [v for v in benign if v.value != "yes"]
        reason = "Answered yes: " + "; ".join(_short(v.step.item.text) for v in red)
        if unconfirmed:
            reason += " — not confirmed: " + "; ".join(_short(v.step.item.text) for v in unconfirmed)
        return result(ESCALATE, reason, red + unconfirmed)

    # 3. Known sources and a matching business operation, no criterion met.
    if benign_confirmed:
        reason = (
            "The activity is confirmed legitimate ("
            + "; ".join(_short(v.step.item.text) for v in benign)
            + ": yes) and no escalation criterion is met"
        )
        return result(CLOSE, reason, benign)

    # 4. Nothing points to malicious activity.
    observed = [v for v in indicators if v.value == "observed"]
    answered = [v for v in benign + suspicious if v.value in ("yes", "no")]
    if answered and not observed and all(v.value == "no" for v in suspicious):
        return result(
            CLOSE,
            "No sign of malicious activity: no suspicious answer, no key indicator observed "
            "and no escalation criterion met",
            suspicious + indicators,
        )

    # 5. Could not rule it out.
    open_items = [v for v in benign + suspicious if v.value in ("", "unknown")]
    parts = []
    if observed:
        parts.append("key indicator observed: " + "; ".join(_short(v.step.item.text) for v in observed))
    if open_items:
        parts.append("unanswered or unknown: " + "; ".join(_short(v.step.item.text, 60) for v in open_items))
    reason = "Malicious activity could not be ruled out" + (" (" + "; ".join(parts) + ")" if parts else "")
    return result(ESCALATE, reason, observed + benign + suspicious)
