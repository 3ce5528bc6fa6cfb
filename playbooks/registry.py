"""The closed vocabularies a playbook item may carry.

An assist key names the enrichment Vigil computes beside an item (enrichment app); an
action key names the containment a step maps to (containment app). Unknown keys are
refused by the model's validation and by the importer.
"""

from django.db import models


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


class ActionKey(models.TextChoices):
    BLOCK_IP = "block_ip", "Block IP address"
    DISABLE_ACCOUNT = "disable_account", "Disable user account"
    MANUAL = "manual", "Manual step"
