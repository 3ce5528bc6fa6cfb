"""Fast IP lookups against the reference data (known networks and partner networks).

Every observable of every alert is asked "is it internal?", and the assistant asks
"which lists and partners contain it?", so lookups never touch the database. The reference
data lives in a per-process in-memory index:

- per IP version, a dict per prefix length mapping the network's integer to its entries;
  an address is looked up by masking it once per prefix length present (at most 33 dict
  probes for IPv4, most specific first for free);
- per IP version, the entries sorted by first address, so "which entries fall inside this
  network?" (overlap checks for containment guardrails) is a bisect plus a short scan.

The index is rebuilt when the reference data changes: the intel services call
`invalidate()` on commit in their own process, and every process re-reads a cheap version
stamp (row counts and the newest `updated_at` of both tables) at most every
`VIGIL_INTEL_INDEX_TTL_SECONDS`, which catches writes made by other processes.
Expiry is checked at lookup time, so an entry stops matching the moment it expires.
"""

from __future__ import annotations

import bisect
import ipaddress
import socket
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from soc import canonical

from .addresses import INTERNAL_RANGES, IPNetwork

PARTNER_LIST = "partner"


@dataclass(frozen=True, slots=True)
class Match:
    """One reference entry containing (or overlapping) the value asked about."""

    kind: str  # "known_network" or "partner"
    id: int  # KnownNetwork or BusinessPartner primary key
    cidr: str  # the entry's network in canonical form
    list: str  # benign / malicious / internal, or "partner"
    label: str  # KnownNetwork label or the partner's name
    source: str = ""
    prefixlen: int = 0
    expires_at: datetime | None = field(default=None, compare=False)
    shared: bool = False  # a known-network entry marked as shared infrastructure

    def as_dict(self) -> dict:
        data = asdict(self)
        data["expires_at"] = self.expires_at.isoformat() if self.expires_at else None
        return data

    def is_live(self, at: datetime) -> bool:
        return self.expires_at is None or self.expires_at > at


def parse_network(value: str) -> IPNetwork | None:
    """A network from an IP or CIDR text (host bits allowed, IPv4-mapped IPv6 unwrapped):
    soc.canonical.network."""
    return canonical.network(value)


# (version, first address as an integer, prefix length): what the index works on.
Key = tuple[int, int, int]
BITS = {4: 32, 6: 128}
_FAMILY = {4: socket.AF_INET, 6: socket.AF_INET6}


def parse_key(value: str) -> Key | None:
    """The integer form of an IP or CIDR text, via the C parser (inet_pton); host bits
    are masked and IPv4-mapped IPv6 addresses unwrapped. None if it is not one."""
    if not isinstance(value, str):
        return None
    address, slash, length = value.strip().partition("/")
    version = 6 if ":" in address else 4
    bits = BITS[version]
    try:
        number = int.from_bytes(socket.inet_pton(_FAMILY[version], address), "big")
    except (OSError, ValueError):
        network = parse_network(value)  # e.g. a scoped IPv6 address; or really not an IP
        return (network.version, int(network.network_address), network.prefixlen) if network else None
    if slash:
        if not length.isdigit() or int(length) > bits:
            return None
        prefixlen = int(length)
    else:
        prefixlen = bits
    if version == 6 and prefixlen >= 96 and number >> 32 == 0xFFFF:
        # IPv4-mapped (::ffff:a.b.c.d/n): the IPv4 network, as soc.canonical.network.
        version, bits, prefixlen, number = 4, 32, prefixlen - 96, number & 0xFFFFFFFF
    mask = ((1 << prefixlen) - 1) << (bits - prefixlen) if prefixlen else 0
    return version, number & mask, prefixlen


def key_text(key: Key) -> str:
    version, number, prefixlen = key
    return f"{socket.inet_ntop(_FAMILY[version], number.to_bytes(BITS[version] // 8, 'big'))}/{prefixlen}"


def _last(key: Key) -> int:
    version, number, prefixlen = key
    return number | ((1 << (BITS[version] - prefixlen)) - 1)


def _key_of(network) -> Key | None:
    if isinstance(network, ipaddress.IPv4Network | ipaddress.IPv6Network):
        return network.version, int(network.network_address), network.prefixlen
    return parse_key(network)


# The built-in internal ranges (DESIGN 6) as integer spans, for the hot path.
_INTERNAL_SPANS = [(n.version, int(n.network_address), int(n.broadcast_address)) for n in INTERNAL_RANGES]


def _in_builtin_internal(key: Key) -> bool:
    version, first, _ = key
    last = _last(key)
    return any(v == version and lo <= first and last <= hi for v, lo, hi in _INTERNAL_SPANS)


class NetworkIndex:
    """The in-memory structure; immutable once built (a rebuild makes a new one)."""

    def __init__(self, entries: list[tuple[Key, Match]]):
        # version -> prefixlen -> network int -> matches
        self._by_prefix: dict[int, dict[int, dict[int, list[Match]]]] = {4: {}, 6: {}}
        ranges: dict[int, list[tuple[int, int, Match]]] = {4: [], 6: []}
        for key, match in entries:
            version, net_int, prefixlen = key
            per_len = self._by_prefix[version].setdefault(prefixlen, {})
            per_len.setdefault(net_int, []).append(match)
            ranges[version].append((net_int, _last(key), match))
        self._lengths = {v: sorted(self._by_prefix[v], reverse=True) for v in (4, 6)}
        self._masks = {
            v: {n: ((1 << n) - 1) << (BITS[v] - n) if n else 0 for n in self._lengths[v]} for v in (4, 6)
        }
        self._ranges = {v: sorted(ranges[v], key=lambda r: (r[0], r[1])) for v in (4, 6)}
        self._starts = {v: [r[0] for r in self._ranges[v]] for v in (4, 6)}
        self.size = len(entries)
        self.has_shared = any(match.shared for _, match in entries)

    def containing(self, key: Key) -> list[Match]:
        """Entries whose network contains `key`'s network (an address is a /32 or /128),
        most specific first."""
        version, value, prefixlen = key
        found: list[Match] = []
        table = self._by_prefix[version]
        masks = self._masks[version]
        for length in self._lengths[version]:
            if length > prefixlen:
                continue
            hits = table[length].get(value & masks[length])
            if hits:
                found.extend(hits)
        return found

    def within(self, key: Key) -> list[Match]:
        """Entries whose network lies inside `key`'s network (as or more specific)."""
        version = key[0]
        first, last = key[1], _last(key)
        starts = self._starts[version]
        ranges = self._ranges[version]
        found = []
        for i in range(bisect.bisect_left(starts, first), bisect.bisect_right(starts, last)):
            if ranges[i][1] <= last:
                found.append(ranges[i][2])
        return found


_lock = threading.Lock()
_index: NetworkIndex | None = None
_stamp: tuple | None = None
_checked_at: float = 0.0


def _current_stamp() -> tuple:
    from .models import BusinessPartner, KnownNetwork

    networks = KnownNetwork.objects.order_by().aggregate(n=Count("id"), last=Max("updated_at"))
    partners = BusinessPartner.objects.order_by().aggregate(n=Count("id"), last=Max("updated_at"))
    return (networks["n"], networks["last"], partners["n"], partners["last"])


# The KnownNetwork columns a known network's Match copies under the same names.
NETWORK_MATCH_FIELDS = ("id", "list", "label", "source", "expires_at", "shared")


def _build() -> NetworkIndex:
    from .models import BusinessPartner, KnownNetwork

    entries: list[tuple[Key, Match]] = []
    rows = KnownNetwork.objects.order_by().values_list("cidr", *NETWORK_MATCH_FIELDS)
    for cidr, *values in rows.iterator(chunk_size=5000):
        key = parse_key(cidr)
        if key is None:  # only reachable through raw SQL; services validate
            continue
        fields = dict(zip(NETWORK_MATCH_FIELDS, values, strict=True))
        entries.append(_entry(key, kind="known_network", **fields))
    for pk, name, networks in BusinessPartner.objects.order_by().values_list("id", "name", "networks"):
        for cidr in networks or []:
            key = parse_key(cidr) if isinstance(cidr, str) else None
            if key is None:
                continue
            entries.append(_entry(key, kind="partner", id=pk, list=PARTNER_LIST, label=name))
    return NetworkIndex(entries)


def _entry(key, **fields) -> tuple:
    """One index entry: the parsed key and the match it answers (its cidr and prefix
    length written from the key)."""
    return (key, Match(cidr=key_text(key), prefixlen=key[2], **fields))


def get_index() -> NetworkIndex:
    """The current index, rebuilt when the version stamp moved (checked at most every TTL)."""
    global _index, _stamp, _checked_at
    ttl = getattr(settings, "VIGIL_INTEL_INDEX_TTL_SECONDS", 5)
    now = time.monotonic()
    index = _index
    if index is not None and now - _checked_at < ttl:
        return index
    with _lock:
        if _index is not None and time.monotonic() - _checked_at < ttl:
            return _index
        stamp = _current_stamp()
        if _index is None or stamp != _stamp:
            _index = _build()
            _stamp = stamp
        _checked_at = time.monotonic()
        return _index


def invalidate() -> None:
    """Forget the index in this process; the next lookup rebuilds it. Services call this
    on commit after changing reference data."""
    global _index, _stamp, _checked_at
    with _lock:
        _index = None
        _stamp = None
        _checked_at = 0.0


def _live(matches: list[Match], at: datetime | None) -> list[Match]:
    moment = at or timezone.now()
    return [m for m in matches if m.is_live(moment)]


def match_ip(value: str, *, at: datetime | None = None) -> list[Match]:
    """Every unexpired KnownNetwork entry containing the IP (or CIDR), most specific first.

    Returns [] for text that is not an IP or network.
    """
    key = parse_key(value)
    if key is None:
        return []
    return [m for m in _live(get_index().containing(key), at) if m.kind == "known_network"]


def match_partner_ip(value: str) -> list[Match]:
    """Business partners whose networks contain the IP (or CIDR), most specific first."""
    key = parse_key(value)
    if key is None:
        return []
    return [m for m in get_index().containing(key) if m.kind == "partner"]


def is_internal(value: str) -> bool:
    """True for built-in internal space (DESIGN 6) or an unexpired `internal` list entry.

    For a network, every address must be internal. Text that is not an IP is not internal.
    """
    key = parse_key(value)
    if key is None:
        return False
    if _in_builtin_internal(key):
        return True
    moment = timezone.now()
    return any(m.list == "internal" and m.is_live(moment) for m in get_index().containing(key))


def is_shared(value: str, *, at: datetime | None = None) -> bool:
    """True when an unexpired known-network entry marked shared infrastructure (NAT egress,
    proxy, mail gateway) contains the IP: such an address never correlates alerts."""
    key = parse_key(value)
    if key is None:
        return False
    index = get_index()
    if not index.has_shared:
        return False
    moment = at or timezone.now()
    return any(m.shared and m.is_live(moment) for m in index.containing(key))


def overlapping_entries(network: str | IPNetwork, *, at: datetime | None = None) -> list[Match]:
    """Every unexpired KnownNetwork entry and partner network overlapping `network`: those
    containing it (most specific first), then those inside it. Used by containment
    guardrails ("would this block hit a benign, internal or partner network?")."""
    key = _key_of(network)
    if key is None:
        return []
    index = get_index()
    containing = index.containing(key)
    inside = [m for m in index.within(key) if m.prefixlen > key[2]]
    seen = set()
    result = []
    for m in _live(containing + inside, at):
        ident = (m.kind, m.id, m.cidr)
        if ident not in seen:
            seen.add(ident)
            result.append(m)
    return result
