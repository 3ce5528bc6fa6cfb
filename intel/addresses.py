"""What counts as internal address space (DESIGN 6), without the database.

Internal: RFC 1918, RFC 6598 shared space (100.64.0.0/10), IPv6 ULA (fc00::/7), loopback
and link-local. Documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
2001:db8::/32) are external on purpose so examples behave like real traffic; that is why
`ipaddress.is_private`, which is true for them, is not the test. The organisation's own
`internal` list of KnownNetwork entries is added by intel.lookup.
"""

import ipaddress
from functools import lru_cache

from soc import canonical

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

INTERNAL_RANGES: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "::1/128",
        "fe80::/10",
    )
)


def parse_address(value: str) -> IPAddress | None:
    """An IP address from text (IPv4-mapped IPv6 unwrapped), or None if it is not one."""
    return canonical.ip_address(value)


@lru_cache(maxsize=4096)
def in_internal_ranges(value: str) -> bool:
    """True if the address (or every address of the network) is in built-in internal space."""
    network = canonical.network(value)
    if network is None:
        return False
    return any(
        network.version == internal.version and network.subnet_of(internal) for internal in INTERNAL_RANGES
    )


# Names every machine gives itself (/etc/hosts of Debian, RHEL and Windows).
LOCAL_HOSTNAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
# "This network" (RFC 1122 3.2.1.3): never a source or destination on the wire; in alerts,
# 0.0.0.0 and redacted addresses ("000.111.222.10" read as 0.111.222.10).
THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")


def names_no_host(value: str) -> bool:
    """The address or name means the same on every machine, so it says nothing about which
    host an alert is about: loopback (127.0.0.0/8, ::1, "localhost"), unspecified (0.0.0.0,
    ::) and the rest of 0.0.0.0/8, multicast, and IPv6 link-local (fe80::/10, on every interface; an endpoint
    agent's `host.ip` lists them all). IPv4 link-local is not among them:
    169.254.169.254 is the cloud metadata service, a destination that matters."""
    address = parse_address(value)
    if address is None:
        return isinstance(value, str) and value.strip().lower().rstrip(".") in LOCAL_HOSTNAMES
    return (
        address.is_loopback
        or address.is_unspecified
        or (address.version == 4 and address in THIS_NETWORK)
        or address.is_multicast
        or (address.version == 6 and address.is_link_local)
    )
