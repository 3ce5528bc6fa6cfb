"""The reference playbook imports into exactly the items the seed table holds."""

import pytest

from playbooks.models import PlaybookItem, PlaybookVersion
from playbooks.services import current_version_for_technique

pytestmark = pytest.mark.django_db

S = PlaybookItem.Section


def items(version, section):
    return list(version.items.filter(section=section).order_by("order"))


def test_seed_is_published_as_version_1_of_t1591_002(seed_playbook):
    assert seed_playbook.number == 1
    assert seed_playbook.status == PlaybookVersion.Status.PUBLISHED
    assert seed_playbook.technique_id == "T1591.002"
    assert seed_playbook.name == "Gather Victim Org Information: Business Relationships"
    assert seed_playbook.tactic == "Reconnaissance"
    assert seed_playbook.tactic_id == "TA0043"
    assert seed_playbook.published_at is not None


def test_seed_questions_are_exactly_the_four_with_their_assist_keys(seed_playbook):
    questions = items(seed_playbook, S.QUESTION)
    assert [(q.order, q.text, q.assist) for q in questions] == [
        (1, "Does the activity come from legitimate or known IPs?", "ip_reputation"),
        (2, "Is there evidence of reconnaissance or probing?", "related_activity"),
        (3, "Are there any impersonated accounts or unusual communication patterns?", "lookalike_domain"),
        (
            4,
            "Does the activity correspond to any recent business operation, such as a new contract "
            "with a third party?",
            "partner_match",
        ),
    ]


def test_current_version_for_technique_returns_the_seed(seed_playbook):
    assert current_version_for_technique("T1591.002") == seed_playbook
    assert current_version_for_technique("T1591002") == seed_playbook
    assert current_version_for_technique("T1592") is None
