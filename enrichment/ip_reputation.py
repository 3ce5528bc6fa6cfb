"""ip_reputation: which known-network lists contain the address, most specific first.

Verdicts: internal (built-in internal space or the `internal` list), malicious (any
malicious entry, even when a broader benign entry also matches: a specific bad address
inside a benign cloud range is still bad), benign, unlisted (external, on no list),
unknown (not an address).
"""

from intel import lookup
from intel.addresses import in_internal_ranges

from .base import Context, result, unknown


def enrich(observable, ctx: Context) -> dict:
    value = observable.value
    network = lookup.parse_network(value)
    if network is None:
        return unknown(f"{value[:80]!r} is not an IP address or network")
    matches = lookup.match_ip(str(network))
    shown = str(network.network_address) if network.prefixlen == network.max_prefixlen else str(network)
    entries = [m.as_dict() for m in matches]
    lists = [m.list for m in matches]
    if in_internal_ranges(str(network)):
        return result("internal", f"{shown} is internal address space", matches=entries, builtin=True)
    if "malicious" in lists:
        entry = matches[lists.index("malicious")]
        return result("malicious", _describe(shown, entry), matches=entries)
    if "internal" in lists:
        entry = matches[lists.index("internal")]
        return result("internal", _describe(shown, entry), matches=entries)
    if "benign" in lists:
        entry = matches[lists.index("benign")]
        return result("benign", _describe(shown, entry), matches=entries)
    return result("unlisted", f"{shown} is external and on no known list", matches=[])


def _describe(shown: str, entry: lookup.Match) -> str:
    label = f" ({entry.label})" if entry.label else ""
    source = f" from {entry.source}" if entry.source else ""
    return f"{shown} is on the {entry.list} list: {entry.cidr}{label}{source}"
