"""Containment fixtures: a case T2 is investigating (built through the workflow services),
and settings that make the feed and the connectors testable."""

import pytest

from cases.models import Case


def walk_to_investigating(case: Case, *, l1, t2) -> Case:
    """new -> triage (L1 claims) -> escalated (every question answered) -> investigating."""
    from cases.services.steps import case_step_update
    from cases.services.workflow import case_claim, case_escalate

    case_claim(case=case, by=l1)
    for step in case.steps.filter(section="question"):
        case_step_update(step=step, value="yes", by=l1)
    case_escalate(
        case=case, by=l1, note="Scraping from 203.0.113.77 with m.keller confirmed.", reason="confirmed"
    )
    case_claim(case=case, by=t2)
    case.refresh_from_db()
    return case


@pytest.fixture
def investigating_case(seed_playbook, make_case, l1, t2):
    """The T1591.002 story's case (203.0.113.77, m.keller), claimed by T2."""
    return walk_to_investigating(make_case(), l1=l1, t2=t2)


@pytest.fixture
def containment_settings(settings):
    settings.CONTAINMENT_FEED_USERNAME = "paloalto"
    settings.CONTAINMENT_FEED_PASSWORD = "feed-secret"
    settings.CONTAINMENT_CONNECTORS = {"block_ip": "edl", "disable_account": "ldap", "manual": "manual"}
    settings.CONTAINMENT_QUEUE = ""
    return settings
