"""A partner's scope (E3's "beyond its scope"): what says its probing went beyond what it was
given (refusals, attack tooling, a stated breach, reads across tenants), and the scope an
allow-list entry's label states for an authorised tester ("scope: DMZ 10.44.200.0/24").
"""

from __future__ import annotations

import re
from contextlib import suppress
from ipaddress import ip_network

# What makes a partner's probing go beyond its scope (E3), as against its integration paging
# through what it was given: the systems refused what it asked for (HTTP 401/403/404/429,
# NXDOMAIN, a denial), it used attack tooling no integration uses, or the alert says so.
REFUSED_RESPONSES = re.compile(
    r"\b(?:4(?:01|03|04|29)\b|unauthori[sz]ed|forbidden|not found|nxdomain|access denied|denied|refused)",
    re.I,
)
ATTACK_TOOLING = re.compile(
    r"\b(?:port[- ]?(?:scan|sweep)\w*|scan(?:s|ned|ning|ner)?|wordlists?|dirbust\w*|directory brute\w*|fuzz\w*"
    r"|brute[- ]forc\w*|nmap|masscan|zmap|nikto|gobuster|dirb|ffuf|feroxbuster|wpscan|sqlmap|zone[- ]walk\w*|axfr)\b",
    re.I,
)
# Stated scope breaches, and reads across tenants: a partner portal's account reading other
# tenants' data ("cross-tenant", "scope is its own tenant 0042") is beyond its scope.
OUT_OF_SCOPE = re.compile(
    r"\b(?:beyond|outside|out of|exceed\w*) (?:of )?(?:its |their |the )?(?:[\w-]+ )?scope\b"
    r"|\bscope (?:covers|is limited to|allows|includes) only\b|\bout-of-scope\b|\bnot in (?:its |the )?scope\b"
    r"|\bcross[- ](?:tenant|customer|partner|account)\b|\bscope (?:is|covers) (?:only )?(?:its|their) own\b"
    r"|\b(?:other|another) (?:tenants?|customers?|partners?|suppliers?)'?s? (?:data|records|contacts|files|ids|objects)\b",
    re.I,
)


# A network or address written in a label ("scope: DMZ 10.44.200.0/24", "(10.44.8.20)"), a
# host name, and where a label states a scope: after "scope", up to what is out of it.
NETWORK_IN_TEXT = re.compile(
    r"\b(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?\b|\b[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}(?:/\d{1,3})?(?![\w:])",
    re.I,
)
HOST_IN_TEXT = re.compile(r"\b(?:[a-z0-9-]+\.)+[a-z]{2,}\b", re.I)
SCOPE_STATEMENT = re.compile(r"\bscope\b\W*(.*?)(?:\bout[- ]of[- ]scope\b|$)", re.I | re.S)


def stated_scope(label: str) -> tuple[list, list[str]]:
    """The networks and host names a label gives as its scope ("scope: extranet portal
    partners.example.com (10.44.8.20) ONLY. Out of scope: OT"), none when it states none."""
    statement = SCOPE_STATEMENT.search(label or "")
    if not statement:
        return [], []
    text, networks = statement.group(1), []
    for match in NETWORK_IN_TEXT.finditer(text):
        with suppress(ValueError):
            networks.append(ip_network(match.group(), strict=False))
    hosts = [h.lower() for h in HOST_IN_TEXT.findall(NETWORK_IN_TEXT.sub(" ", text))]
    return networks, hosts
