"""Helpers for the workflow tests: build case states through the real services (STYLE 7)."""

from __future__ import annotations

from html.parser import HTMLParser

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


def criterion(case: Case, assist: str) -> CaseStep:
    return case.steps.select_related("item").get(section="escalation_criterion", item__assist=assist)


def judge_criteria(case: Case, by, **values: str) -> None:
    """judge_criteria(case, l1, compromised_account="checked", exfiltration="unchecked", ...)."""
    for assist, value in values.items():
        case_step_update(step=criterion(case, assist), value=value, by=by)


CRITERIA = ("exfiltration", "compromised_account", "supply_chain_anomaly", "sensitive_partner")


def answer_suspicious(case: Case, by) -> None:
    """Unknown IPs probing, with impersonation, outside any business operation; an account
    was used by someone else (the compromised-account criterion is met)."""
    answer(case, by, ip_reputation="no", related_activity="yes", lookalike_domain="yes", partner_match="no")
    judge_criteria(case, by, compromised_account="checked")


def answer_benign(case: Case, by) -> None:
    """Known partner IPs doing what the contract says; no escalation criterion met."""
    answer(case, by, ip_reputation="yes", related_activity="no", lookalike_domain="no", partner_match="yes")
    judge_criteria(case, by, **dict.fromkeys(CRITERIA, "unchecked"))


def claimed(case: Case, by) -> Case:
    return case_claim(case=case, by=by)


def escalated(case: Case, l1, note: str = "Probing from an unknown IP; see answers.") -> Case:
    case = case_claim(case=case, by=l1)
    answer_suspicious(case, l1)
    return case_escalate(case=case, by=l1, note=note)


def investigating(case: Case, l1, t2) -> Case:
    case = escalated(case, l1)
    return case_claim(case=case, by=t2)


# --- accessibility checks on rendered HTML ----------------------------------------------


class _A11yParser(HTMLParser):
    """Collects form controls, labels and buttons (with their text) from a page."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.label_depth = 0
        self.buttons: list[dict] = []
        self._button: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.label_depth += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea"):
            if tag == "input" and attrs.get("type") in ("hidden", "submit", "button"):
                if attrs.get("type") in ("submit", "button"):
                    self.buttons.append({"text": attrs.get("value", ""), "aria": attrs.get("aria-label", "")})
                return
            self.controls.append({**attrs, "_tag": tag, "_wrapped": self.label_depth > 0})
        elif tag == "button":
            self._button = {"text": "", "aria": attrs.get("aria-label", "")}

    def handle_endtag(self, tag):
        if tag == "label":
            self.label_depth = max(0, self.label_depth - 1)
        elif tag == "button" and self._button is not None:
            self.buttons.append(self._button)
            self._button = None

    def handle_data(self, data):
        if self._button is not None:
            self._button["text"] += data


def accessibility_problems(html: str) -> list[str]:
    """Form controls without a label and buttons without an accessible name."""
    parser = _A11yParser()
    parser.feed(html)
    problems = []
    for control in parser.controls:
        labelled = (
            control["_wrapped"]
            or control.get("aria-label")
            or control.get("aria-labelledby")
            or (control.get("id") and control["id"] in parser.label_for)
        )
        if not labelled:
            problems.append(
                f"unlabelled {control['_tag']} name={control.get('name')!r} id={control.get('id')!r}"
            )
    for button in parser.buttons:
        if not (button["text"].strip() or button["aria"].strip()):
            problems.append("button without a name")
    return problems
