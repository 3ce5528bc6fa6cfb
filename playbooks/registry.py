"""The closed vocabularies of a playbook item: its section, and the keys it may carry.

An assist key names the enrichment Vigil computes beside an item (enrichment app); an
action key names the containment a step maps to (containment app). Unknown keys are
refused by the model's validation and by the importer.
"""

from django.db import models


class Section(models.TextChoices):
    """The section an item belongs to (PlaybookItem.Section). Declared in work order: the
    case page shows sections in this order."""

    LOG_SOURCE = "log_source", "Log sources to investigate"
    KEY_INDICATOR = "key_indicator", "Key indicators"
    QUESTION = "question", "Questions for analysis"
    L1_STEP = "l1_step", "Additional analysis steps for L1"
    ESCALATION_CRITERION = "escalation_criterion", "Decision for escalation"
    T2_ACTION = "t2_action", "T2 analyst actions"
    CONTAINMENT_STEP = "containment_step", "Containment and further analysis"


class AssistKey(models.TextChoices):
    IP_REPUTATION = "ip_reputation", "IP reputation (known networks)"
    PARTNER_MATCH = "partner_match", "Business partner match"
    LOOKALIKE_DOMAIN = "lookalike_domain", "Lookalike domains"
    RELATED_ACTIVITY = "related_activity", "Related activity"
    LOGIN_PATTERN = "login_pattern", "Login patterns (brute force, stuffing)"
    BUSINESS_CONTEXT = "business_context", "Business context (contracts)"
    # Escalation criteria (met / not met) of the decision rules.
    EXFILTRATION = "exfiltration", "Data exfiltration"
    COMPROMISED_ACCOUNT = "compromised_account", "Compromised account use"
    SUPPLY_CHAIN_ANOMALY = "supply_chain_anomaly", "Supply-chain access anomaly"
    SENSITIVE_PARTNER = "sensitive_partner", "Sensitive or critical partner (Tier 2)"


# Evidence computed over one case's alerts (stored per case, on CaseObservable), not over
# the observable everywhere: the case page never shows another case's version of it.
CASE_SCOPED_ASSISTS = frozenset({AssistKey.RELATED_ACTIVITY, AssistKey.LOGIN_PATTERN})


class ActionKey(models.TextChoices):
    """The kinds of containment: what a playbook step maps to, and what a
    containment.ContainmentAction does (its `kind`)."""

    BLOCK_IP = "block_ip", "Block IP"
    DISABLE_ACCOUNT = "disable_account", "Disable account"
    MANUAL = "manual", "Manual step"
