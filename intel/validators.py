"""Validation and normalisation of reference-data values (networks, domains).

Used by the model fields (so the admin's forms refuse bad values), by the services and by
the CSV/feed importers, so every entry path accepts and stores the same forms.
"""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ValidationError

from soc import canonical

from .domains import normalize_domain

MAX_NETWORKS = 500
MAX_DOMAINS = 200


def normalize_network(value) -> str:
    """Canonical text of a network or address: '203.0.113.77', '198.51.100.0/24', '2001:db8::/32'.

    Raises ValidationError with a message saying what is wrong.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("Enter an IP address or a CIDR network.", code="required")
    text = value.strip()
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        try:
            loose = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ValidationError(
                "%(value)s is not an IP address or CIDR network (%(error)s).",
                params={"value": text[:60], "error": str(exc)},
                code="invalid_network",
            ) from None
        raise ValidationError(
            "%(value)s has host bits set; did you mean %(network)s?",
            params={"value": text[:60], "network": str(loose)},
            code="host_bits",
        ) from None
    return canonical.network_text(canonical.network(network))


def validate_network(value) -> None:
    normalize_network(value)


def normalize_domain_strict(value) -> str:
    domain = normalize_domain(value) if isinstance(value, str) else None
    if domain is None or any(not (c.isalnum() or c in "-.") for c in domain):
        raise ValidationError(
            "%(value)s is not a domain name.", params={"value": str(value)[:60]}, code="invalid_domain"
        )
    if any(label.startswith("-") or label.endswith("-") for label in domain.split(".")):
        raise ValidationError(
            "%(value)s has a label starting or ending with a hyphen.",
            params={"value": str(value)[:60]},
            code="invalid_domain",
        )
    return domain


def _as_list(value, what: str) -> list:
    if not isinstance(value, list):
        raise ValidationError(f"Enter a list of {what}.", code="invalid_list")
    return value


def _validate_list(value, what: str, limit: int, normalise) -> None:
    items = _as_list(value, what)
    if len(items) > limit:
        raise ValidationError(f"At most {limit} {what}.", code="too_many")
    for item in items:
        normalise(item)


def validate_network_list(value) -> None:
    _validate_list(value, "networks", MAX_NETWORKS, normalize_network)


def validate_domain_list(value) -> None:
    _validate_list(value, "domains", MAX_DOMAINS, normalize_domain_strict)
