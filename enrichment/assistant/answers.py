"""The suggestion for each playbook item carrying an assist key, by the decision rules
(shared/playbooks/T1591.002-decision-rules.md):

- questions answer yes / no / unknown (Q1 ip_reputation, Q2 related_activity,
  Q3 lookalike_domain, Q4 partner_match or business_context, login_pattern);
- escalation criteria are met / not met (E1 exfiltration, E2 compromised_account,
  E3 supply_chain_anomaly, E4 sensitive_partner);
- L1 steps are done (the check was made, with its result) or not applicable (nothing to
  check in this case's data).
"""

from __future__ import annotations

from collections.abc import Callable

from playbooks.registry import AssistKey, Section

from . import alert_reading as r
from .analysis import Analysis
from .criteria import Signal
from .facts import DONE, MET, NO, NOT_APPLICABLE, NOT_MET, UNKNOWN, YES, ip_evidence, obs_evidence, suggestion
from .reference import INTERNAL, LEGITIMATE_CLASSES, contract_active, contract_text


def _details(signals: list[Signal], limit: int = 2) -> str:
    unique = list(dict.fromkeys(s.detail.rstrip(".") for s in signals))
    text = "; ".join(unique[:limit])
    more = len(unique) - limit
    return text + (f" (and {more} more)" if more > 0 else "")


# --- Questions ---------------------------------------------------------------------------


def q1_known_ips(a: Analysis) -> dict:
    ips = a.facts.ips()
    if not ips:
        return suggestion(UNKNOWN, "The case's alerts record no IP address.", [])
    bad = [(alert, ip) for alert, ip in ips if ip.kind not in LEGITIMATE_CLASSES]
    good = [(alert, ip) for alert, ip in ips if ip.kind in LEGITIMATE_CLASSES]
    if bad:
        alert, ip = bad[0]
        return suggestion(
            NO,
            f"Not every address is legitimate ({ip.kind.replace('-', ' ')}): {ip.detail} (alert {alert.id}).",
            [ip_evidence(x, y) for x, y in bad + good],
        )
    kinds = sorted({ip.kind.replace("-", " ") for _, ip in good})
    return suggestion(
        YES,
        f"Every address of the case is {', '.join(kinds)} at its alert's time.",
        [ip_evidence(x, y) for x, y in good],
    )


def q2_probing(a: Analysis) -> dict:
    if a.probing:
        return suggestion(YES, f"Probing: {_details(a.probing)}.", [s.evidence for s in a.probing])
    if a.volume_without_detail:
        return suggestion(
            UNKNOWN,
            "An alert reports volume or exposed data but records no request, login or source detail.",
            a.volume_without_detail,
        )
    if not a.facts.alerts:
        return suggestion(UNKNOWN, "The case has no alerts.", [])
    return suggestion(
        NO,
        f"Individual transactions only: no scanning or enumeration wording, no burst, no failed-login "
        f"pattern and no solicitation in {len(a.facts.alerts)} alert(s).",
        [],
    )


def q3_impersonation(a: Analysis) -> dict:
    groups = (
        ("Lookalike domain", a.lookalikes),
        ("Forged identity", a.forged_identity),
        ("Account used by someone else", a.account_use),
        ("Unusual communication", a.communication_anomaly),
    )
    hits = [(name, signals) for name, signals in groups if signals]
    if hits:
        reason = "; ".join(f"{name}: {_details(signals, 1)}" for name, signals in hits)
        return suggestion(YES, reason + ".", [s.evidence for _, signals in hits for s in signals])
    if a.q3_unknown:
        return suggestion(UNKNOWN, f"Identity not recorded: {a.q3_unknown[0]['detail']}.", a.q3_unknown)
    checked = len(a.facts.external_domains())
    return suggestion(
        NO,
        f"No lookalike among {checked} external domain(s), no forged sender, no account used by "
        "someone else and no unusual communication.",
        [],
    )


def q4_business(a: Analysis) -> dict:
    facts = a.facts
    entities: list[tuple[bool, dict]] = []
    internal = False
    for alert, ip in facts.ips():
        if ip.kind == INTERNAL:
            internal = True
            continue
        entities.append((ip.partner is not None and ip.partner_active, ip_evidence(alert, ip)))
    for alert, obs, domain in facts.external_domains(with_urls=False):
        partner = facts.ref.partner_of_domain(domain)
        if partner is None:
            entities.append(
                (False, obs_evidence(alert, obs, "partner register", f"{domain} belongs to no partner"))
            )
        else:
            active = contract_active(partner, alert.observed_at)
            entities.append(
                (
                    active,
                    obs_evidence(alert, obs, "partner register", contract_text(partner, alert.observed_at)),
                )
            )
    if not entities:
        if internal:
            return suggestion(
                NO, "Only internal sources: internal activity is not a third-party business operation.", []
            )
        return suggestion(UNKNOWN, "No source address and no external email or domain to attribute.", [])
    outside = [e for ok, e in entities if not ok]
    if outside:
        return suggestion(
            NO,
            f"Not a partner under an active contract: {outside[0]['detail']}.",
            outside + [e for ok, e in entities if ok],
        )
    return suggestion(
        YES,
        f"Every source belongs to a partner under an active contract: {entities[0][1]['detail']}.",
        [e for _, e in entities],
    )


def login_patterns(a: Analysis) -> dict:
    attacks = a.patterns.login_attacks
    if attacks:
        return suggestion(
            YES,
            _details([Signal(p.evidence("ip"), None) for p in attacks]) + ".",
            [p.evidence("ip") for p in attacks],
        )
    return suggestion(NO, "No brute force or credential stuffing in the case's alerts.", [])


# --- Escalation criteria -----------------------------------------------------------------


# Each criterion: the Analysis signals that meet it, the reason's lead when met, the reason
# when not.
CRITERIA_SIGNALS: dict[str, tuple[str, str, str]] = {
    AssistKey.EXFILTRATION: (
        "exfiltration",
        "Data leaves the organisation",
        "No bulk transfer, no data sent to a personal or attacker address and nothing published.",
    ),
    AssistKey.COMPROMISED_ACCOUNT: (
        "account_use",
        "An account was used by someone other than its owner",
        "No successful login by anyone but the account's owner.",
    ),
    AssistKey.SUPPLY_CHAIN_ANOMALY: (
        "supply_chain",
        "A partner's access is anomalous",
        "No partner network, account or mailbox acts outside its contract or scope.",
    ),
    AssistKey.SENSITIVE_PARTNER: (
        "tier2_partners",
        "Tier 2",
        "No suspicious activity involves a high-criticality partner.",
    ),
}


def criterion(assist: str) -> Callable[[Analysis], dict]:
    """The suggestion function of an escalation criterion (E1-E4): met with its signals'
    evidence, or not met with what was looked for."""
    attribute, met, not_met = CRITERIA_SIGNALS[assist]

    def evaluate(a: Analysis) -> dict:
        signals: list[Signal] = getattr(a, attribute)
        if signals:
            return suggestion(MET, f"{met}: {_details(signals)}.", [s.evidence for s in signals])
        return suggestion(NOT_MET, not_met, [])

    evaluate.__name__ = f"criterion_{assist}"
    return evaluate


# --- L1 steps ----------------------------------------------------------------------------


def _step(applicable: bool, result: dict, empty: str) -> dict:
    if not applicable:
        return suggestion(NOT_APPLICABLE, empty, [])
    return suggestion(DONE, result["reason"], result["evidence"])


def step_ip_lists(a: Analysis) -> dict:
    return _step(bool(a.facts.ips()), q1_known_ips(a), "The case's alerts record no IP address to check.")


def step_login_patterns(a: Analysis) -> dict:
    logins = any(alert.has(r.LOGIN_FAILURE, r.LOGIN_SUCCESS, r.FAILURES) for alert in a.facts.alerts)
    return _step(logins, login_patterns(a), "The case's alerts report no login attempt.")


def step_business(a: Analysis) -> dict:
    result = q4_business(a)
    return _step(
        result["answer"] != UNKNOWN, result, "Nothing in the case to attribute to a business partner."
    )


def step_lookalikes(a: Analysis) -> dict:
    return _step(
        bool(a.facts.external_domains()), q3_impersonation(a), "The case's alerts carry no external domain."
    )


def step_related(a: Analysis) -> dict:
    return _step(bool(a.facts.alerts), q2_probing(a), "The case has no alerts.")


ANSWERS: dict[str, dict[str, Callable[[Analysis], dict]]] = {
    Section.QUESTION: {
        AssistKey.IP_REPUTATION: q1_known_ips,
        AssistKey.RELATED_ACTIVITY: q2_probing,
        AssistKey.LOOKALIKE_DOMAIN: q3_impersonation,
        AssistKey.PARTNER_MATCH: q4_business,
        AssistKey.BUSINESS_CONTEXT: q4_business,
        AssistKey.LOGIN_PATTERN: login_patterns,
    },
    Section.ESCALATION_CRITERION: {assist: criterion(assist) for assist in CRITERIA_SIGNALS},
    Section.L1_STEP: {
        AssistKey.IP_REPUTATION: step_ip_lists,
        AssistKey.LOGIN_PATTERN: step_login_patterns,
        AssistKey.PARTNER_MATCH: step_business,
        AssistKey.BUSINESS_CONTEXT: step_business,
        AssistKey.LOOKALIKE_DOMAIN: step_lookalikes,
        AssistKey.RELATED_ACTIVITY: step_related,
    },
}


def suggest(analysis: Analysis, section: str, assist: str) -> dict | None:
    """The suggestion for an item of `section` with `assist`, or None when the assistant
    has nothing to say for that pair (the step keeps no suggestion)."""
    # An indicator is worked from the answer to the question with the same assist key.
    fallback = ANSWERS[Section.QUESTION] if section == Section.KEY_INDICATOR else {}
    answer = ANSWERS.get(section, fallback).get(assist)
    return answer(analysis) if answer else None
