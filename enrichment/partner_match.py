"""partner_match: the business partner whose network or domain matches, with the status of
its contract at the alert's event time (active, expired, not_started, no_contract).

Verdicts: partner (at least one partner matches), none, unknown (value not parseable).
"""

from __future__ import annotations

from datetime import date, datetime

from intel import lookup
from intel.domains import domain_of, is_same_or_subdomain, normalize_domain

from .base import Context, result, unknown

NETWORK_TYPES = {"ip", "cidr"}
DOMAIN_TYPES = {"domain", "hostname", "email", "url"}


def contract_status(partner, at: datetime | date) -> str:
    """active / expired / not_started at `at`; no_contract when neither date is set."""
    day = at.date() if isinstance(at, datetime) else at
    start, end = partner_dates(partner)
    if start is None and end is None:
        return "no_contract"
    if start is not None and day < start:
        return "not_started"
    if end is not None and day > end:
        return "expired"
    return "active"


def partner_dates(partner) -> tuple[date | None, date | None]:
    if isinstance(partner, dict):
        start, end = partner.get("contract_start"), partner.get("contract_end")
        return (
            date.fromisoformat(start) if start else None,
            date.fromisoformat(end) if end else None,
        )
    return partner.contract_start, partner.contract_end


def describe_contract(name: str, status: str, start, end) -> str:
    if status == "active":
        return f"{name}: contract active" + (f" until {end}" if end else "")
    if status == "expired":
        return f"{name}: contract ended {end}"
    if status == "not_started":
        return f"{name}: contract starts {start}"
    return f"{name}: no contract dates on file"


def _entry(partner, matched_by: str, at: datetime) -> dict:
    status = contract_status(partner, at)
    return {
        "id": partner.pk,
        "name": partner.name,
        "matched_by": matched_by,
        "criticality": partner.criticality,
        "contract_start": partner.contract_start.isoformat() if partner.contract_start else None,
        "contract_end": partner.contract_end.isoformat() if partner.contract_end else None,
        "contract_status": status,
    }


def enrich(observable, ctx: Context) -> dict:
    kind, value = observable.type, observable.value
    by_id = {p.pk: p for p in ctx.partners}
    matches: list[dict] = []
    if kind in NETWORK_TYPES:
        network = lookup.parse_network(value)
        if network is None:
            return unknown(f"{value[:80]!r} is not an IP address or network")
        seen = set()
        for match in lookup.match_partner_ip(str(network)):
            partner = by_id.get(match.id)
            if partner is not None and partner.pk not in seen:
                seen.add(partner.pk)
                matches.append(_entry(partner, f"network {match.cidr}", ctx.observed_at))
    elif kind in DOMAIN_TYPES:
        domain = domain_of(kind, value)
        if domain is None:
            return unknown(f"no domain could be read from {value[:80]!r}")
        for partner in ctx.partners:
            for partner_domain in partner.domains or []:
                normalized = normalize_domain(partner_domain) if isinstance(partner_domain, str) else None
                if normalized and is_same_or_subdomain(domain, normalized):
                    matches.append(_entry(partner, f"domain {normalized}", ctx.observed_at))
                    break
    else:
        return unknown(f"partner matching does not apply to {kind} observables")

    if not matches:
        return result("none", f"{value[:80]} matches no business partner", partners=[])
    first = matches[0]
    summary = f"{value[:80]} belongs to partner " + describe_contract(
        first["name"], first["contract_status"], first["contract_start"], first["contract_end"]
    )
    return result(
        "partner",
        summary,
        partners=matches,
        evaluated_at=ctx.observed_at.isoformat() if ctx.observed_at else None,
    )
