"""Guardrails: what Vigil refuses to block or disable, checked at request and again
right before a connector runs (reference data may have changed in between).

Each refusal names its rule. Most rules protect against a costly mistake that a SOC
manager may knowingly accept (`overridable`, with a reason recorded on the timeline);
blocking everything (0.0.0.0/0) or special-purpose space (loopback, link-local,
multicast, reserved, unspecified) is never sensible and cannot be overridden.

Checks read KnownNetwork and BusinessPartner directly rather than through a cache: a
guardrail must see the benign entry added a second ago.
"""

import fnmatch
import ipaddress
from dataclasses import asdict, dataclass
from enum import StrEnum

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from intel.addresses import INTERNAL_RANGES
from intel.models import BusinessPartner, KnownNetwork
from playbooks.registry import ActionKey
from soc import canonical

from .targets import IPNetwork, network_text, parse_network


class Rule(StrEnum):
    ANY_NETWORK = "any_network"
    SPECIAL_RANGE = "special_range"
    PREFIX_TOO_WIDE = "prefix_too_wide"
    INTERNAL_RANGE = "internal_range"
    INTERNAL_LIST = "internal_list"
    BENIGN_LIST = "benign_list"
    PARTNER_NETWORK = "partner_network"
    PROTECTED_ACCOUNT = "protected_account"


HARD_RULES = frozenset({Rule.ANY_NETWORK, Rule.SPECIAL_RANGE})


@dataclass(frozen=True)
class Refusal:
    rule: str
    message: str

    @property
    def overridable(self) -> bool:
        return self.rule not in HARD_RULES

    def as_dict(self) -> dict:
        return {**asdict(self), "overridable": self.overridable}


def _nets(*pairs: tuple[str, str]) -> tuple[tuple[IPNetwork, str], ...]:
    return tuple((ipaddress.ip_network(cidr), label) for cidr, label in pairs)


SPECIAL_RANGES = _nets(
    ("0.0.0.0/8", "unspecified (this network)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("fe80::/10", "link-local"),
    ("ff00::/8", "multicast"),
)
SPECIAL_NETWORKS = {network for network, _ in SPECIAL_RANGES}
# Built-in internal space (DESIGN 6) other than what SPECIAL_RANGES already names.
INTERNAL_NETWORKS = tuple(
    n for n in INTERNAL_RANGES if not any(n.subnet_of(s) for s in SPECIAL_NETWORKS if s.version == n.version)
)


def _overlaps(a: IPNetwork, b: IPNetwork) -> bool:
    return a.version == b.version and a.overlaps(b)


def _parse_reference(text: str) -> IPNetwork | None:
    return canonical.network(str(text))


@dataclass
class Reference:
    """The reference networks guardrails compare against, read once (two queries) so a
    page checking many suggestions does not query per address."""

    known: list[tuple[IPNetwork, str, str, str]]  # (network, list, cidr, label)
    partners: list[tuple[IPNetwork, str, str]]  # (network, cidr, partner name)

    @classmethod
    def load(cls, at=None) -> "Reference":
        at = at or timezone.now()
        known = []
        live = KnownNetwork.objects.filter(
            list__in=[KnownNetwork.List.INTERNAL, KnownNetwork.List.BENIGN]
        ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
        for cidr, list_name, label in live.order_by("list", "cidr").values_list("cidr", "list", "label"):
            network = _parse_reference(cidr)
            if network is not None:
                known.append((network, list_name, cidr, label))
        partners = []
        for name, networks in BusinessPartner.objects.order_by("name").values_list("name", "networks"):
            for cidr in networks or []:
                network = _parse_reference(cidr)
                if network is not None:
                    partners.append((network, cidr, name))
        return cls(known=known, partners=partners)


def check_network(network: IPNetwork, *, at=None, reference: Reference | None = None) -> list[Refusal]:
    """Every guardrail a block of `network` breaks, the ones that cannot be overridden first."""
    text = network_text(network)
    refusals: list[Refusal] = []
    if network.prefixlen == 0:
        return [Refusal(Rule.ANY_NETWORK, f"{text} is every address; Vigil never blocks it.")]
    for special, label in SPECIAL_RANGES:
        if _overlaps(network, special):
            refusals.append(Refusal(Rule.SPECIAL_RANGE, f"{text} overlaps {special} ({label})."))
            break
    widest = (
        settings.CONTAINMENT_MAX_PREFIX_V4 if network.version == 4 else settings.CONTAINMENT_MAX_PREFIX_V6
    )
    if network.prefixlen < widest:
        refusals.append(
            Refusal(Rule.PREFIX_TOO_WIDE, f"{text} is wider than /{widest}, the widest block allowed.")
        )
    for internal in INTERNAL_NETWORKS:
        if _overlaps(network, internal):
            refusals.append(
                Refusal(Rule.INTERNAL_RANGE, f"{text} overlaps internal address space {internal}.")
            )
            break
    reference = reference or Reference.load(at)
    seen_lists = set()
    for ref_network, list_name, cidr, label in reference.known:
        if list_name in seen_lists or not _overlaps(network, ref_network):
            continue
        seen_lists.add(list_name)
        rule = Rule.INTERNAL_LIST if list_name == KnownNetwork.List.INTERNAL else Rule.BENIGN_LIST
        suffix = f" ({label})" if label else ""
        refusals.append(Refusal(rule, f"{text} overlaps {cidr}{suffix} on the {list_name} list."))
    for ref_network, cidr, name in reference.partners:
        if _overlaps(network, ref_network):
            refusals.append(
                Refusal(
                    Rule.PARTNER_NETWORK, f"{text} overlaps {cidr}, a network of business partner {name}."
                )
            )
            break
    return sorted(refusals, key=lambda r: r.overridable)


def is_protected_account(account: str) -> str | None:
    """The protected-accounts pattern `account` matches, if any (case-insensitive)."""
    names = {account.lower(), account.lower().split("@", 1)[0]}
    for pattern in settings.CONTAINMENT_PROTECTED_ACCOUNTS:
        for name in names:
            if fnmatch.fnmatchcase(name, pattern.strip().lower()):
                return pattern
    return None


def check_account(account: str) -> list[Refusal]:
    pattern = is_protected_account(account)
    if pattern:
        return [Refusal(Rule.PROTECTED_ACCOUNT, f"{account} is a protected account (matches {pattern!r}).")]
    return []


def check(kind: str, target: str, *, at=None, reference: Reference | None = None) -> list[Refusal]:
    """Every guardrail the (normalised) target breaks; empty means allowed."""
    if kind == ActionKey.BLOCK_IP:
        return check_network(parse_network(target), at=at, reference=reference)
    if kind == ActionKey.DISABLE_ACCOUNT:
        return check_account(target)
    return []


def unresolved(refusals: list[Refusal], overridden_rules) -> list[Refusal]:
    """The refusals an earlier override does not cover (hard rules are never covered)."""
    covered = set(overridden_rules or [])
    return [r for r in refusals if not (r.overridable and r.rule in covered)]
