"""Parsing and normalising action targets, so one IP or account has one spelling.

The normalised target is stored on the action and feeds its idempotency key: asking to
block "203.0.113.7", "203.0.113.7/32" or "::ffff:203.0.113.7" is the same request.
"""

import ipaddress
import re

from playbooks.registry import ActionKey
from soc import canonical
from soc.errors import DomainError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# sAMAccountName, uid or a user principal name; anything else (DNs, filter syntax,
# whitespace) is refused rather than escaped into a directory query.
ACCOUNT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._$-]{0,63}(@[A-Za-z0-9.-]{1,190})?$")


def invalid(message: str) -> DomainError:
    return DomainError(message, errors={"target": [message]})


def parse_network(value: str) -> IPNetwork:
    """An IP or CIDR as a network, IPv4-mapped IPv6 unwrapped. A CIDR with host bits set
    (198.51.100.0/20) is refused, naming the network that was probably meant: blocking a
    different range than the one typed must be a person's decision."""
    text = str(value).strip()
    network = canonical.network(text)
    if network is None:
        raise invalid(f"{value!r} is not an IP address or CIDR network.")
    try:
        ipaddress.ip_network(text, strict=True)
    except ValueError:
        raise invalid(f"{text} has host bits set; did you mean {network}?") from None
    return network


def network_text(network: IPNetwork) -> str:
    """Canonical text: a single address without its /32 or /128, a network as CIDR."""
    return canonical.network_text(network)


def network_sort_key(text: str) -> tuple:
    network = ipaddress.ip_network(text, strict=False)
    return (network.version, int(network.network_address), network.prefixlen)


def normalise_account(value: str) -> str:
    # soc.canonical.account: trimmed, lower case, DOMAIN\user -> user (the directory
    # search is by account name); then only names a directory query cannot misread.
    account = canonical.account(str(value)) or ""
    if not ACCOUNT_RE.match(account):
        raise invalid(f"{value!r} is not an account name (letters, digits, . _ - $, optional @domain).")
    return account


def normalise(kind: str, target: str) -> str:
    if kind == ActionKey.BLOCK_IP:
        return network_text(parse_network(target))
    if kind == ActionKey.DISABLE_ACCOUNT:
        return normalise_account(target)
    if kind == ActionKey.MANUAL:
        title = " ".join(str(target).split())
        if not title:
            raise invalid("A manual step needs a title.")
        return title[:255]
    raise DomainError(f"Unknown action kind {kind!r}.", errors={"kind": [f"Unknown action kind {kind!r}."]})
