"""The observables of a vendor's known fields (ObservableList), read the same way by every
adapter."""

from cases.models import AlertObservable, Observable
from intel.addresses import names_no_host

from .common import as_list
from .observables import normalise

_NAME_TYPES = (Observable.Type.HOSTNAME, Observable.Type.DOMAIN)
_HOST_TYPES = (Observable.Type.IP, Observable.Type.HOSTNAME)
# What SIEMs write where a value is missing (Windows logs "-" for an empty account).
PLACEHOLDERS = frozenset({"-", "--", "n/a", "na", "none", "null", "(null)", "nil", "unknown", "?"})
# Values read from one field (a list may be long; a vendor's field rarely is).
MAX_VALUES = 100


def is_zero_digest(value: str) -> bool:
    """A digest of zeros only ("0000...", CrowdStrike's SHA-1 of a file it has none for): a
    placeholder, no file's hash (it would tie every such alert to one case)."""
    text = value.strip()
    return bool(text) and set(text) == {"0"}


class ObservableList:
    """Observables read from a vendor's known fields: each value normalised, invalid or
    non-string values skipped (SIEMs send "-" or "unknown" for missing addresses, and an
    all-zero digest for a missing hash), and so
    are addresses and names that name no host (loopback, localhost, ::, fe80::: see
    intel.addresses.names_no_host) in a party's field; the sender's declared observables keep them."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, str]] = []

    def add(self, type_: str, value, role: str) -> list[str]:
        """Adds the values of `value` (one or a list, the first MAX_VALUES) that are
        observables of `type_`; returns the other strings (integers as their decimal text),
        which a sender's own declaration may keep as sent (cases.ingest.thehive)."""
        skipped = []
        for item in as_list(value)[:MAX_VALUES]:
            if isinstance(item, int) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str):
                continue
            if item.strip().lower() in PLACEHOLDERS or (
                type_ == Observable.Type.HASH and is_zero_digest(item)
            ):
                skipped.append(item)
                continue
            if type_ in _NAME_TYPES and normalise(Observable.Type.IP, item) is not None:
                skipped.append(item)  # a field that holds "a host or an address" had an address
                continue
            normalised = normalise(type_, item)
            if normalised is None or (
                type_ in _HOST_TYPES and role != AlertObservable.Role.DECLARED and names_no_host(normalised)
            ):
                # Unreadable; or a party's field (source, destination...) holding loopback,
                # localhost and the like, which would describe every host. A value the sender
                # declared as an observable is kept.
                skipped.append(item)
                continue
            self.items.append((type_, normalised, role))
        return skipped

    @classmethod
    def of_fields(cls, doc: dict, fields, read=None) -> "ObservableList":
        """The observables of a vendor's known fields: for each (field, type, role) row of
        `fields`, the field's value or values in `doc`, each read with `read` when given
        (e.g. Splunk's multivalue)."""
        observables = cls()
        for name, type_, role in fields:
            value = doc.get(name)
            observables.add(type_, value if read is None else read(value), role)
        return observables
