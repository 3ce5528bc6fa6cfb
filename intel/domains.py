"""Domains out of observables: normalisation (IDNA/punycode aware) and their parts.

tldextract runs on its bundled public-suffix snapshot only (no network fetch, no cache
directory), so enrichment never reaches out to the internet.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

from soc import canonical

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def normalize_domain(value: str) -> str | None:
    """The canonical (U-label, lower-case) form of a domain of at least two labels, or None
    (soc.canonical.domain; a leading dot is tolerated here)."""
    if not isinstance(value, str):
        return None
    result = canonical.domain(value.strip().lstrip("."))
    if result is None or "." not in result:
        return None
    return result


def domain_of(observable_type: str, value: str) -> str | None:
    """The domain an observable refers to: the host of a URL, the part after @ of an email."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if observable_type == "email":
        if text.count("@") < 1:
            return None
        return normalize_domain(text.rsplit("@", 1)[1])
    if observable_type == "url":
        candidate = text if "://" in text else f"http://{text}"
        try:
            host = urlsplit(candidate).hostname
        except ValueError:
            return None
        return normalize_domain(host or "")
    if observable_type in ("domain", "hostname"):
        return normalize_domain(text)
    return None


# The second-level names RFC 2606 reserves for documentation (example.com, example.net,
# example.org, and by the same intent example.<country>): a name under one stands for a
# domain under some TLD, so "acme.example.co" is acme's, not example.co's subdomain.
DOCUMENTATION_LABELS = frozenset({"example"})


@lru_cache(maxsize=8192)
def split_domain(domain: str) -> tuple[str, str, str]:
    """(subdomain, registrable label, public suffix): 'a.b.example.co.uk' -> ('a.b', 'example', 'co.uk');
    under a documentation name, 'a.acme.example.co' -> ('a', 'acme', 'example.co')."""
    parts = _EXTRACT(domain)
    if parts.suffix and parts.domain in DOCUMENTATION_LABELS and parts.subdomain:
        subdomain, _, label = parts.subdomain.rpartition(".")
        return subdomain, label, f"{parts.domain}.{parts.suffix}"
    if parts.suffix or "." not in domain:
        return parts.subdomain, parts.domain, parts.suffix
    # A suffix the list does not know (e.g. the reserved `.example`, `.test`, an internal
    # TLD): treat the last label as the suffix so `a.partner.example` -> `partner.example`.
    rest, suffix = domain.rsplit(".", 1)
    subdomain, _, label = rest.rpartition(".")
    return subdomain, label, suffix


def is_same_or_subdomain(domain: str, parent: str) -> bool:
    return domain == parent or domain.endswith("." + parent)
