"""Canonical forms: one spelling per IP, network, domain, hostname, email and account.

The lowest layer (no Django, no database): cases (observables), intel (reference data,
lookups, imports), enrichment and containment (targets, guardrails) all call these, so one
entity has one text everywhere and an observable, a known network and a block target that
mean the same thing compare equal. Each function answers None for a value that is not one
of its kind; callers add their own policy on top (intel refuses host bits in a reference
entry, containment refuses account names a directory query could misread) but never
another spelling.

- **IP**: `ipaddress`'s compressed text; IPv4-mapped IPv6 (`::ffff:203.0.113.7`) is the
  IPv4 address; brackets (`[2001:db8::1]`) are dropped.
- **Network**: host bits cleared; an IPv4-mapped IPv6 network (`::ffff:203.0.113.0/120`)
  is the IPv4 network (`203.0.113.0/24`); a single address is written as the address
  (`203.0.113.7`, not `/32`), any other network as CIDR.
- **Domain / hostname**: lower case, no trailing dot, IDNA 2008 with UTS #46 mapping (the
  `idna` package, not Python's IDNA 2003 codec, which turns `faß.de` into `fass.de`), kept
  as the **U-label** (Unicode) form: `xn--fa-hia.de`, `FAß.de` and `faß.de` are all
  `faß.de`. Unicode is what analysts read and what lookalike checks compare (homoglyphs
  are visible in it); `domain_ascii` gives the A-label (punycode) form for DNS and URLs.
  Labels of letters, digits, `-` and `_` (service names such as `_dmarc`) are accepted as
  ASCII; single-label names (a NetBIOS host) are domains here, callers that need a dot ask.
- **Email**: `local@domain`, the whole address lower case, the domain canonical.
- **Account**: trimmed and lower case (directories compare names case-insensitively), a
  `DOMAIN\\user` prefix dropped; a UPN (`user@corp.example`) keeps its canonical domain.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

import idna

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_DOMAIN = 253
_ASCII_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


# --- addresses and networks -------------------------------------------------------------


def ip_address(value) -> IPAddress | None:
    """The address (IPv4-mapped IPv6 unwrapped), or None."""
    if not isinstance(value, str):
        return None
    try:
        address = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def ip(value) -> str | None:
    """Canonical text of an IP address, or None."""
    address = ip_address(value)
    return address.compressed if address is not None else None


def network(value, *, strict: bool = False) -> IPNetwork | None:
    """The network of an IP or CIDR text (host bits cleared unless `strict`, which refuses
    them), an IPv4-mapped IPv6 network unwrapped to IPv4; None if it is not one."""
    if isinstance(value, ipaddress.IPv4Network | ipaddress.IPv6Network):
        net = value
    elif isinstance(value, str):
        try:
            net = ipaddress.ip_network(value.strip().strip("[]"), strict=strict)
        except ValueError:
            return None
    else:
        return None
    if isinstance(net, ipaddress.IPv6Network) and net.prefixlen >= 96:
        mapped = net.network_address.ipv4_mapped
        if mapped is not None:
            net = ipaddress.ip_network(f"{mapped}/{net.prefixlen - 96}")
    return net


def network_text(net: IPNetwork) -> str:
    """A single address as the address, any other network as compressed CIDR."""
    if net.prefixlen == net.max_prefixlen:
        return net.network_address.compressed
    return net.compressed


def cidr(value, *, strict: bool = False) -> str | None:
    """Canonical text of an IP or network, or None."""
    net = network(value, strict=strict)
    return network_text(net) if net is not None else None


# --- names ------------------------------------------------------------------------------


def domain(value) -> str | None:
    """Canonical (U-label, lower-case) form of a domain or host name, or None."""
    if not isinstance(value, str):
        return None
    return _domain(value)


@lru_cache(maxsize=16384)
def _domain(value: str) -> str | None:
    text = value.strip().rstrip(".")
    if not text or len(text) > MAX_DOMAIN or any(c.isspace() or c in "/@:\\" for c in text):
        return None
    labels = text.lower().split(".")
    if all(_ASCII_LABEL.match(label) and not label.startswith("xn--") for label in labels):
        return ".".join(labels)  # plain ASCII (underscores allowed): nothing to map
    try:
        ascii_form = idna.encode(text, uts46=True, transitional=False).decode("ascii")
        unicode_form = idna.decode(ascii_form)
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    if len(ascii_form) > MAX_DOMAIN:
        return None
    return unicode_form.lower()


def domain_ascii(value) -> str | None:
    """The A-label (punycode) form of a domain, for DNS queries and URLs, or None."""
    canonical = domain(value)
    if canonical is None:
        return None
    if canonical.isascii():
        return canonical
    return idna.encode(canonical, uts46=True, transitional=False).decode("ascii")


def hostname(value) -> str | None:
    """A host name: the same canonical form as a domain."""
    return domain(value)


def email(value) -> str | None:
    """Canonical `local@domain`, or None (the domain must have a dot)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text[:7].lower() == "mailto:":
        text = text[7:]
    local, at, host = text.rpartition("@")
    if not at or not local or any(c.isspace() for c in local):
        return None
    canonical = domain(host)
    if canonical is None or "." not in canonical:
        return None
    return f"{local.lower()}@{canonical}"


def account(value) -> str | None:
    """Canonical account name, or None when nothing is left."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if "\\" in text:  # DOMAIN\user
        text = text.rsplit("\\", 1)[1].strip()
    if not text:
        return None
    local, at, host = text.rpartition("@")
    if at and local and "." in host:
        canonical_host = domain(host)
        if canonical_host is not None:
            return f"{local.lower()}@{canonical_host}"
    return text.lower()
