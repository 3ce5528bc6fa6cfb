"""Helpers for the workflow tests: build case states through the real services (STYLE 7)."""

from __future__ import annotations

from cases.models import Case, CaseStep
from cases.services.steps import case_step_update
from cases.services.workflow import case_claim, case_escalate

# The seed playbook's four questions, by assist key.
LEGIT_IPS = "ip_reputation"
PROBING = "related_activity"
IMPERSONATION = "lookalike_domain"
BUSINESS = "partner_match"


def step(case: Case, section: str, order: int = 1) -> CaseStep:
    return case.steps.select_related("item").get(section=section, order=order)


def question(case: Case, assist: str) -> CaseStep:
    return case.steps.select_related("item").get(section="question", item__assist=assist)


def answer(case: Case, by, **answers: str) -> None:
    """answer(case, l1, ip_reputation="no", related_activity="yes", ...)."""
    for assist, value in answers.items():
        case_step_update(step=question(case, assist), value=value, by=by)


def answer_suspicious(case: Case, by) -> None:
    """Unknown IPs probing, with impersonation, outside any business operation."""
    answer(case, by, ip_reputation="no", related_activity="yes", lookalike_domain="yes", partner_match="no")


def answer_benign(case: Case, by) -> None:
    """Known partner IPs doing what the contract says."""
    answer(case, by, ip_reputation="yes", related_activity="no", lookalike_domain="no", partner_match="yes")


def claimed(case: Case, by) -> Case:
    return case_claim(case=case, by=by)


def escalated(case: Case, l1, note: str = "Probing from an unknown IP; see answers.") -> Case:
    case = case_claim(case=case, by=l1)
    answer_suspicious(case, l1)
    return case_escalate(case=case, by=l1, note=note)


def investigating(case: Case, l1, t2) -> Case:
    case = escalated(case, l1)
    return case_claim(case=case, by=t2)
