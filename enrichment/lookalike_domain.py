"""lookalike_domain: domains in emails, URLs and domain observables imitating a partner's
or the organisation's domain, by the decision rules' definition (enrichment.assistant.reference):
on the label before the TLD, edit distance 1..VIGIL_LOOKALIKE_MAX_DISTANCE, homoglyph
folding (Unicode confusables, 0->o, 1->l, rn->m, vv->w), the same label under another TLD,
or the same label with an added hyphen or word. A registered partner or organisation
domain is never a lookalike.

Verdicts: lookalike, legitimate (the domain is ours or a partner's), clean, unknown.
"""

from __future__ import annotations

from intel.domains import domain_of

from .base import Context, result, unknown

APPLIES_TO = {"domain", "hostname", "email", "url"}


def _reference(ctx: Context):
    from enrichment.assistant.reference import Reference

    if "reference" not in ctx.cache:
        ctx.cache["reference"] = Reference(ctx.partners)
    return ctx.cache["reference"]


def enrich(observable, ctx: Context) -> dict:
    kind, value = observable.type, observable.value
    if kind not in APPLIES_TO:
        return unknown(f"lookalike checks do not apply to {kind} observables")
    domain = domain_of(kind, value)
    if domain is None:
        return unknown(f"no domain could be read from {value[:80]!r}")
    ref = _reference(ctx)
    if ref.is_org_domain(domain):
        return result(
            "legitimate", f"{domain} is a domain of the organisation", domain=domain, owner="organisation"
        )
    partner = ref.partner_of_domain(domain)
    if partner is not None:
        return result(
            "legitimate", f"{domain} is a domain of {partner.name}", domain=domain, owner=partner.name
        )
    found = ref.lookalike(domain)
    if found is None:
        return result("clean", f"{domain} resembles no organisation or partner domain", domain=domain)
    return result(
        "lookalike",
        found.describe(),
        domain=domain,
        lookalikes=[{"imitates": found.imitates, "owner": found.owner, "techniques": list(found.kinds)}],
    )
