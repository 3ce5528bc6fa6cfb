"""Observable normalisation: one canonical text per entity, so (type, value) is unique.

IPs, networks, domains, hostnames, emails and accounts take the forms of soc.canonical
(the one module every app uses; its docstring says which), after refanging (`[.]`,
`[at]`) where defanged text is common. Specific to observables:

- url: surrounding whitespace stripped, refanged (`hxxp`, `[.]`), scheme and host lowercase;
- hash: lowercase hex of a known digest length (MD5, SHA-1, SHA-256, SHA-512).

`normalise()` returns None for a value that is not a valid instance of its type.
"""

import re
from urllib.parse import urlsplit, urlunsplit

from cases.models import Observable
from intel.lookup import is_internal as address_is_internal
from soc import canonical

T = Observable.Type

MAX_VALUE_LENGTH = 2048
HASH_LENGTHS = {32, 40, 64, 128}
_HEX_RE = re.compile(r"^[0-9a-f]+$")
# Defanging conventions seen in SIEM and threat-intel text.
_REFANG = (
    ("[.]", "."),
    ("(.)", "."),
    ("{.}", "."),
    ("[dot]", "."),
    ("[:]", ":"),
    ("[at]", "@"),
    ("[@]", "@"),
)
_SCHEMES = {"hxxp": "http", "hxtp": "http", "hxxps": "https", "hxtps": "https", "fxp": "ftp"}
_SCHEME_REFANG_RE = re.compile(r"^(hxxps?|hxtps?|fxp)(?=\[?:)", re.IGNORECASE)


def refang(value: str) -> str:
    for old, new in _REFANG:
        value = value.replace(old, new)
    return _SCHEME_REFANG_RE.sub(lambda m: _SCHEMES[m.group(1).lower()], value)


def normalise_ip(value: str) -> str | None:
    return canonical.ip(value)


def is_internal(type_: str, value: str) -> bool:
    """Internal address space (DESIGN 6, built-in ranges plus the `internal` list) for ip
    and cidr observables; other types never are."""
    if type_ not in (T.IP, T.CIDR):
        return False
    return address_is_internal(value)


def normalise_cidr(value: str) -> str | None:
    return canonical.cidr(value)


def normalise_domain(value: str) -> str | None:
    return canonical.domain(refang(value.strip()))


def normalise_hostname(value: str) -> str | None:
    return canonical.hostname(refang(value.strip()))


def normalise_email(value: str) -> str | None:
    return canonical.email(refang(value.strip()))


def normalise_url(value: str) -> str | None:
    value = refang(value.strip())
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    scheme = parts.scheme.lower()
    try:
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return None
    netloc = host.lower()
    if ":" in netloc:  # IPv6 literal
        netloc = f"[{netloc}]"
    if parts.username is not None:
        netloc = f"{parts.username}@{netloc}"
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


def normalise_hash(value: str) -> str | None:
    value = value.strip().lower()
    if len(value) in HASH_LENGTHS and _HEX_RE.match(value):
        return value
    return None


def normalise_user(value: str) -> str | None:
    return canonical.account(value)


NORMALISERS = {
    T.IP: normalise_ip,
    T.CIDR: normalise_cidr,
    T.DOMAIN: normalise_domain,
    T.HOSTNAME: normalise_hostname,
    T.EMAIL: normalise_email,
    T.URL: normalise_url,
    T.HASH: normalise_hash,
    T.USER: normalise_user,
}


def normalise(type_: str, value) -> str | None:
    """The canonical value of an observable, or None if it is not a valid one of its type."""
    if not isinstance(value, str) or type_ not in NORMALISERS:
        return None
    if not value.strip() or len(value) > MAX_VALUE_LENGTH:
        return None
    result = NORMALISERS[type_](value)
    if result is not None and len(result) > MAX_VALUE_LENGTH:
        return None
    return result
