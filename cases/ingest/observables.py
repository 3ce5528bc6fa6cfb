"""Observable normalisation: one canonical text per entity, so (type, value) is unique.

- ip: `ipaddress` canonical form (IPv6 compressed, IPv4-mapped IPv6 unwrapped);
- cidr: the network (host bits cleared), compressed;
- domain / hostname: lowercase, no trailing dot, IDNA-decoded to Unicode when it is
  punycode-valid (so `xn--` and Unicode spellings are one entity);
- email: lowercase, domain part normalised like a domain;
- url: surrounding whitespace stripped, refanged (`hxxp`, `[.]`), scheme and host lowercase;
- hash: lowercase hex of a known digest length (MD5, SHA-1, SHA-256, SHA-512);
- user: as given (accounts can be case-sensitive), surrounding whitespace stripped.

`normalise()` returns None for a value that is not a valid instance of its type.
"""

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from cases.models import Observable
from intel.lookup import is_internal as address_is_internal

T = Observable.Type

MAX_VALUE_LENGTH = 2048
HASH_LENGTHS = {32, 40, 64, 128}
_HEX_RE = re.compile(r"^[0-9a-f]+$")
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
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
    try:
        address = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.compressed


def is_internal(type_: str, value: str) -> bool:
    """Internal address space (DESIGN 6, built-in ranges plus the `internal` list) for ip
    and cidr observables; other types never are."""
    if type_ not in (T.IP, T.CIDR):
        return False
    return address_is_internal(value)


def normalise_cidr(value: str) -> str | None:
    try:
        return ipaddress.ip_network(value.strip(), strict=False).compressed
    except ValueError:
        return None


def normalise_domain(value: str) -> str | None:
    value = refang(value.strip()).rstrip(".").lower()
    if not value or len(value) > 253:
        return None
    try:
        # Unicode and punycode spellings of one name become one (Unicode) entity.
        ascii_form = value.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = ascii_form.split(".")
    if not all(_LABEL_RE.match(label) for label in labels):
        return None
    try:
        return ascii_form.encode("ascii").decode("idna")
    except UnicodeError:
        return ascii_form


def normalise_hostname(value: str) -> str | None:
    return normalise_domain(value)


def normalise_email(value: str) -> str | None:
    value = refang(value.strip()).lower()
    if value.startswith("mailto:"):
        value = value[len("mailto:") :]
    local, at, domain = value.rpartition("@")
    if not at or not local or any(c.isspace() for c in local):
        return None
    domain = normalise_domain(domain)
    if domain is None or "." not in domain:
        return None
    return f"{local}@{domain}"


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
    value = value.strip()
    return value or None


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
