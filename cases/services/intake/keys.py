"""Which alerts may form one case: routing groups and key entities (pure rules).

From the rules file's last section ("Which alerts form one case"):

- An alert belongs to the correlation group of the published playbook that covers its
  techniques (playbooks/coverage.py: own technique, sub-techniques, listed related
  techniques): "pb:<playbook technique>". An alert no playbook covers keeps the rule of
  old and correlates by its primary technique: "t:<technique>".
- Within a group, alerts join one open case when they share a key entity inside the
  correlation window (event time). Key entities: an IP (internal or external; not one that
  names no host, such as loopback: intel.addresses.names_no_host), an account,
  an external email address or domain, an internal hostname (not "localhost").
- Never keys: organisation domains (VIGIL_ORG_DOMAINS and their subdomains) and mailboxes
  on them, addresses inside a known network marked as shared infrastructure (NAT egress,
  proxy, mail gateway), observables an analyst flagged "never correlate", values extracted
  from the alert's text, networks, URLs and hashes.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from intel.addresses import names_no_host
from playbooks.coverage import Coverage, covering

PLAYBOOK_GROUP = "pb:"
TECHNIQUE_GROUP = "t:"
EXTRACTED = "extracted"


@dataclass(frozen=True, slots=True)
class ObservableFact:
    """What the planner knows of one observable of an alert (plain data)."""

    id: int
    type: str
    value: str
    role: str
    internal: bool = False  # internal address space (ip/cidr)
    shared: bool = False  # inside a known network marked shared infrastructure
    never_correlate: bool = False  # an analyst flagged the value (cases.services.observables)


@dataclass(frozen=True, slots=True)
class Route:
    """An alert's correlation group, and the playbook technique whose published version a
    case it opens pins ("" when no playbook covers it)."""

    group: str
    playbook_technique: str


def route(technique_ids: Sequence[str], coverage: Iterable[Coverage]) -> Route:
    """The first of the alert's techniques that a published playbook covers decides; an
    alert none covers is grouped by its primary technique."""
    coverage = tuple(coverage)
    for technique in technique_ids:
        found = covering(technique, coverage)
        if found is not None:
            return Route(PLAYBOOK_GROUP + found.technique_id, found.technique_id)
    primary = technique_ids[0] if technique_ids else ""
    return Route(TECHNIQUE_GROUP + primary, "")


def under(domain: str, parents: Iterable[str]) -> bool:
    """The domain is one of `parents` or a subdomain of one."""
    return any(domain == p or domain.endswith("." + p) for p in parents)


def is_internal_hostname(value: str, *, org_domains: Sequence[str], internal_suffixes: Sequence[str]) -> bool:
    """A single-label name (a NetBIOS-style host), a name under an organisation domain,
    or one under an internal-only suffix (.local, .corp, ...)."""
    return "." not in value or under(value, org_domains) or under(value, internal_suffixes)


def is_key(
    fact: ObservableFact, *, org_domains: Sequence[str], internal_suffixes: Sequence[str] = ()
) -> bool:
    """Whether this observable makes two alerts of one group the same activity."""
    if fact.role == EXTRACTED or fact.shared or fact.never_correlate:
        return False
    if fact.type == "ip":
        return not names_no_host(fact.value)
    if fact.type == "user":
        return True
    if fact.type == "email":
        return not under(fact.value.rpartition("@")[2], org_domains)
    if fact.type == "domain":
        return not under(fact.value, org_domains)
    if fact.type == "hostname":
        return not names_no_host(fact.value) and is_internal_hostname(
            fact.value, org_domains=org_domains, internal_suffixes=internal_suffixes
        )
    return False


def key_ids(
    facts: Iterable[ObservableFact], *, org_domains: Sequence[str], internal_suffixes: Sequence[str] = ()
) -> list[int]:
    """The ids of an alert's key observables, in the alert's order."""
    org = tuple(d.lower() for d in org_domains)
    suffixes = tuple(s.lower().lstrip(".") for s in internal_suffixes)
    return [f.id for f in facts if is_key(f, org_domains=org, internal_suffixes=suffixes)]


def lock_names(group: str, keys: Iterable[int]) -> list[str]:
    """Advisory-lock names: one per (group, key entity), so concurrent alerts about one
    attacker in one group serialise and the second finds the first one's case."""
    return [f"{group}:{k}" for k in keys]
