"""Helpers of the assistant's end-to-end tests: an alert ingested, its case refreshed, and
what the assistant suggests for each playbook item."""

from cases.models import CaseStep
from enrichment import assistant

# Techniques the tests' alerts carry besides T1591.002; the seed playbook is set to cover them.
COVERED = ["T1078", "T1110", "T1566", "T1595", "T1598"]


def suggestions(ingest_alert_factory, **alert) -> dict[str, dict]:
    """The suggestion (answer, reason, evidence) per assist key on the new alert's case."""
    from playbooks import services as playbooks
    from playbooks.models import Playbook

    playbooks.set_playbook_coverage(Playbook.objects.get(technique_id="T1591.002"), COVERED, by=None)
    result = ingest_alert_factory(**alert)
    assistant.refresh_case(case_id=result.case.pk)
    steps = CaseStep.objects.filter(case=result.case, section__in=["question", "escalation_criterion"])
    return {s.item.assist: s.suggestion for s in steps.exclude(item__assist="").select_related("item")}


def answers(ingest_alert_factory, **alert) -> dict[str, str]:
    """The suggested answer per assist key on the new alert's case."""
    return {key: s.get("answer") for key, s in suggestions(ingest_alert_factory, **alert).items()}


def partner(**fields):
    """A business partner created through the reference-data service."""
    from intel import services

    return services.partner_create(by=None, **fields)


def known_network(**fields):
    """A known-network entry created through the reference-data service."""
    from intel import services

    return services.network_create(by=None, source=fields.pop("source", "test"), **fields)
