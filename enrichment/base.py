"""What every enricher shares: the result shape and the context of one enrichment run.

A result is stored in `Observable.enrichment[assist_key]`:
    {"verdict": "...", "summary": "one line for the case page", ...details}
Everything in a summary that came from an alert is shown escaped by the templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.conf import settings

from intel.domains import normalize_domain
from intel.models import BusinessPartner


def result(verdict: str, summary: str, **details) -> dict:
    return {"verdict": verdict, "summary": summary[:300], **details}


def unknown(reason: str, **details) -> dict:
    """The verdict for a value that cannot be parsed or judged; never an exception."""
    return result("unknown", reason, reason=reason, **details)


@dataclass
class Context:
    """One enrichment run: the alert that triggered it and reference data loaded once."""

    observed_at: datetime
    alert_id: int | None = None
    case_id: int | None = None
    technique_id: str = ""
    # The observables enriched together (batch enrichers query for all of them at once).
    observables: list = field(default_factory=list)
    cache: dict = field(default_factory=dict)

    @cached_property
    def partners(self) -> list:
        return list(BusinessPartner.objects.order_by("name"))

    @cached_property
    def org_domains(self) -> list[str]:
        domains = []
        for value in getattr(settings, "VIGIL_ORG_DOMAINS", []):
            domain = normalize_domain(value)
            if domain:
                domains.append(domain)
        return domains
