"""lookalike_domain: domains in emails and URLs imitating a partner's or our own domains.

Checks, against every protected domain (settings.VIGIL_ORG_DOMAINS and every partner's
domains), on the registrable part (`mail.acme-c0rp.com` -> label `acme-c0rp`, suffix
`com`):

- homoglyphs: confusable unicode characters (confusable-homoglyphs' Unicode data) and
  accents folded to their Latin skeleton; punycode (`xn--`) is decoded first;
- edit distance 1-2 (Damerau-Levenshtein from rapidfuzz; 1 only for short labels);
- TLD swap: the same label under another public suffix (bundled public-suffix list);
- added hyphens or words: the protected label inside a longer label (`acme-secure`);
- subdomain trick: the protected domain used as a subdomain (`acme.com.evil.net`).

Verdicts: lookalike, legitimate (the domain is ours or a partner's), clean, unknown.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables
from django.conf import settings
from rapidfuzz.distance import DamerauLevenshtein

from .base import Context, result, unknown
from .domains import domain_of, is_same_or_subdomain, normalize_domain, split_domain

APPLIES_TO = {"domain", "hostname", "email", "url"}
MIN_LABEL_FOR_CONTAINMENT = 4
# Below this many characters a label is too short to tell imitation from coincidence;
# up to LONG_LABEL only one edit counts (two edits turn "sample" into "example").
MIN_LABEL_FOR_DISTANCE = 4
LONG_LABEL = 8


@lru_cache(maxsize=4096)
def skeleton(text: str) -> str:
    """The ASCII look of a label: confusables mapped to their Latin homoglyph, accents dropped."""
    out = []
    for char in text:
        if char.isascii():
            out.append(char)
            continue
        replaced = None
        for homoglyph in confusables.confusables_data.get(char, []):
            candidate = homoglyph.get("c", "")
            if candidate.isascii() and candidate.isalnum():
                replaced = candidate.lower()
                break
        if replaced is None:
            folded = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            ).lower()
            replaced = folded if folded.isascii() and folded else char
        out.append(replaced)
    return "".join(out)


def protected_domains(ctx: Context) -> list[tuple[str, str]]:
    """(domain, owner) pairs: the organisation's domains, then each partner's."""
    pairs = [(d, "organisation") for d in ctx.org_domains]
    for partner in ctx.partners:
        for value in partner.domains or []:
            domain = normalize_domain(value) if isinstance(value, str) else None
            if domain:
                pairs.append((domain, partner.name))
    return pairs


def compare(domain: str, protected: str) -> dict | None:
    """How `domain` imitates `protected`, or None."""
    max_distance = getattr(settings, "VIGIL_LOOKALIKE_MAX_DISTANCE", 2)
    sub, label, suffix = split_domain(domain)
    _, p_label, p_suffix = split_domain(protected)
    if not label or not p_label:
        return None
    techniques = []
    look = skeleton(label)
    if look != label and look == p_label:
        techniques.append("homoglyph")
    if label == p_label and suffix != p_suffix:
        techniques.append("tld_swap")
    distance = DamerauLevenshtein.distance(look, p_label)
    if len(p_label) < MIN_LABEL_FOR_DISTANCE:
        allowed = 0
    elif len(p_label) < LONG_LABEL:
        allowed = min(1, max_distance)
    else:
        allowed = max_distance
    if 0 < distance <= allowed and "homoglyph" not in techniques:
        techniques.append("edit_distance")
    if (
        look != p_label
        and len(p_label) >= MIN_LABEL_FOR_CONTAINMENT
        and (p_label in look or look.replace("-", "") == p_label.replace("-", ""))
    ):
        techniques.append("added_word_or_hyphen")
    if sub and (protected in sub or f"{p_label}-{p_suffix}" in sub.replace(".", "-")):
        techniques.append("subdomain")
    if not techniques:
        return None
    return {"imitates": protected, "techniques": techniques, "distance": distance}


def enrich(observable, ctx: Context) -> dict:
    kind, value = observable.type, observable.value
    if kind not in APPLIES_TO:
        return unknown(f"lookalike checks do not apply to {kind} observables")
    domain = domain_of(kind, value)
    if domain is None:
        return unknown(f"no domain could be read from {value[:80]!r}")
    protected = protected_domains(ctx)
    for candidate, owner in protected:
        if is_same_or_subdomain(domain, candidate):
            return result("legitimate", f"{domain} is a domain of {owner}", domain=domain, owner=owner)
    idn = (
        any(part.startswith("xn--") for part in value.lower().replace("@", ".").split("."))
        or not domain.isascii()
    )
    findings = []
    for candidate, owner in protected:
        found = compare(domain, candidate)
        if found:
            findings.append({**found, "owner": owner})
    if not findings:
        return result(
            "clean", f"{domain} resembles no organisation or partner domain", domain=domain, idn=idn
        )
    findings.sort(key=lambda f: (f["distance"], f["imitates"]))
    best = findings[0]
    how = ", ".join(t.replace("_", " ") for t in best["techniques"])
    return result(
        "lookalike",
        f"{domain} imitates {best['imitates']} ({best['owner']}): {how}",
        domain=domain,
        idn=idn,
        lookalikes=findings,
    )
