"""The reference playbook imports into exactly the items the seed table holds."""

import pytest

from playbooks.models import PlaybookItem, PlaybookVersion
from playbooks.services import current_version_for_technique

pytestmark = pytest.mark.django_db

S = PlaybookItem.Section


def items(version, section):
    return [
        (i.order, i.text, i.assist, i.action) for i in version.items.filter(section=section).order_by("order")
    ]


def test_seed_is_published_as_version_1_of_t1591_002(seed_playbook):
    assert seed_playbook.number == 1
    assert seed_playbook.status == PlaybookVersion.Status.PUBLISHED
    assert seed_playbook.technique_id == "T1591.002"
    assert seed_playbook.playbook.technique_id == "T1591.002"
    assert seed_playbook.name == "Gather Victim Org Information: Business Relationships"
    assert seed_playbook.tactic == "Reconnaissance"
    assert seed_playbook.tactic_id == "TA0043"
    assert seed_playbook.published_at is not None
    assert seed_playbook.extra == {}
    assert "| Questions for Analysis |" in seed_playbook.source_text
    assert seed_playbook.items.count() == 4 + 3 + 4 + 4 + 3 + 3 + 4


def test_seed_questions_are_exactly_the_four_with_their_assist_keys(seed_playbook):
    assert items(seed_playbook, S.QUESTION) == [
        (1, "Does the activity come from legitimate or known IPs?", "ip_reputation", ""),
        (2, "Is there evidence of reconnaissance or probing?", "related_activity", ""),
        (3, "Are there any impersonated accounts or unusual communication patterns?", "lookalike_domain", ""),
        (
            4,
            "Does the activity correspond to any recent business operation, such as a new contract "
            "with a third party?",
            "partner_match",
            "",
        ),
    ]


def test_seed_log_sources_and_key_indicators(seed_playbook):
    assert [t for _, t, _, _ in items(seed_playbook, S.LOG_SOURCE)] == [
        "Monitor logs from web servers, social media platforms, and email services.",
        "Watch for unusual patterns in access logs, especially from IP addresses or regions that are "
        "not typical for your business.",
        "Review traffic involving third-party domains, especially those related to contractors or "
        "service providers.",
        "Utilize data from security information and event management (SIEM) systems to correlate "
        "multiple log sources and generate alerts for suspicious activities linking to business partner "
        "interactions.",
    ]
    assert [t for _, t, _, _ in items(seed_playbook, S.KEY_INDICATOR)] == [
        "Unusual or unauthorized access to pages on victim-owned websites, increased data scraping "
        "activity, or repeated queries involving business relationships.",
        "New user profiles or email accounts being created that impersonate known business associates.",
        "Sudden spikes in communication or data movement with third-party contractors not corresponding "
        "to known projects.",
    ]


def test_seed_escalation_criteria_are_one_item_per_criterion_with_its_assist_key(seed_playbook):
    # The seed's first sentence lists three criteria: each becomes its own item, so each is
    # evaluated and ticked on its own (the version keeps the original wording).
    assert [(t, a) for _, t, a, _ in items(seed_playbook, S.ESCALATION_CRITERION)] == [
        ("Escalate if there are signs of data exfiltration.", "exfiltration"),
        ("Escalate on confirmed use of compromised accounts.", "compromised_account"),
        (
            "Escalate if there's evidence of access-related anomalies that could indicate a supply chain compromise.",
            "supply_chain_anomaly",
        ),
        (
            "Escalate to Tier 2 if suspicious activities involve sensitive or critical domains.",
            "sensitive_partner",
        ),
    ]
    assert "confirmed use of compromised accounts, or if there's evidence" in seed_playbook.source_text


def test_seed_l1_steps_carry_assist_keys(seed_playbook):
    assert items(seed_playbook, S.L1_STEP) == [
        (1, "Verify IP addresses against known lists of benign and malicious sources.", "ip_reputation", ""),
        (
            2,
            "Check for patterns in login attempts that may indicate brute force attempts or credential "
            "stuffing.",
            "login_pattern",
            "",
        ),
        (
            3,
            "Ensure the activities correlate with legitimate business transactions or communications.",
            "partner_match",
            "",
        ),
    ]


def test_seed_t2_actions(seed_playbook):
    assert items(seed_playbook, S.T2_ACTION) == [
        (
            1,
            "Conduct deep-dive analysis into network traffic for signs of Advanced Persistent Threats (APTs).",
            "",
            "",
        ),
        (
            2,
            "Analyze any malware signatures if detected and investigate further by cross-referencing with "
            "known threat intelligence feeds.",
            "",
            "",
        ),
        (3, "Validate any anomalies found in system or application logs against historical data.", "", ""),
    ]


def test_seed_containment_splits_disable_and_block_into_two_actions(seed_playbook):
    assert items(seed_playbook, S.CONTAINMENT_STEP) == [
        (1, "Disable any affected user accounts.", "", "disable_account"),
        (2, "Block IP addresses if necessary.", "", "block_ip"),
        (
            3,
            "Perform a comprehensive risk assessment of affected third-party relationships and initiate "
            "incident response protocols.",
            "",
            "manual",
        ),
        (
            4,
            "Work with business continuity teams to mitigate any impacts on supply chain operations.",
            "",
            "manual",
        ),
    ]


def test_current_version_for_technique_returns_the_seed(seed_playbook):
    assert current_version_for_technique("T1591.002") == seed_playbook
    assert current_version_for_technique("T1591002") == seed_playbook
    assert current_version_for_technique("t1591.002") == seed_playbook
    assert current_version_for_technique("T1592") is None
    assert current_version_for_technique("T1591") is None  # a parent does not borrow its child's
    assert current_version_for_technique("not-an-id") is None
    assert current_version_for_technique("") is None
