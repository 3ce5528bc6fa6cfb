"""Observables found in free text (titles, descriptions), with ioc-finder.

ioc-finder refangs (`hxxp`, `[.]`) and validates TLDs, which hand-written regexes get
wrong. It costs ~0.05 ms for a title and ~0.3 ms for a paragraph, so results are cached
per text (SIEM rules repeat their wording) and the text is bounded: alert text is
attacker-controlled and must not buy unbounded parsing time.

ioc-finder has no option for the two shapes it takes for indicators in alert prose, so
its findings are filtered here:

- 32 hex digits are an MD5 only when the text says so: a hash word (md5, hash, checksum,
  digest, fingerprint, sample...; "file.hash.md5:" counts) among the HASH_CONTEXT_WORDS
  words before it on its line, with no other hex id in between. Otherwise they are what
  they usually are in alert text: alert, document and agent ids, GUIDs without dashes.
  (40 and 64 hex digits are still taken as SHA-1/SHA-256: ids of those lengths are rare
  in prose; the alert's own id is dropped below.)
- A file name is not a domain: a name whose TLD is also a common file extension
  (FILE_EXTENSION_TLDS: `report-001.zip`, `install.sh`, `ld.so`) with a single label
  before it is a file, unless the text uses it as a host (a URL's host, an address's
  domain); more labels (`mail.google.zip`) keep it a domain. A label starting or ending
  with "-", or a name whose every mention starts after a "-" or "_" ("-001.zip", a
  command-line flag's tail), is the local part of an address ("c.obi@bank.example") or a
  field path given its value ("target.app=Microsoft 365"), is never a host.
- A field name is not a domain: Elastic Common Schema paths in rule text ("host.name",
  "user.name", "event.id", "container.info") end in labels that are also TLDs; a name
  whose first label is an ECS field set (ECS_FIELD_SETS) and whose last is one of the
  leaves that are TLDs (ECS_FIELD_LEAVES) is a field, unless the text uses it as a host.
- An address that names no host (intel.addresses.names_no_host: loopback, 0.0.0.0/8,
  multicast) is no indicator.
- The alert's own ids (`ignore`: its source_ref and each ":"-separated part of it) are
  never indicators.
"""

import logging
import re
from functools import lru_cache

from ioc_finder import find_iocs, prepare_text

from cases.models import AlertObservable, Observable
from intel.addresses import names_no_host

from .observables import normalise

logger = logging.getLogger(__name__)
# ioc-finder logs two INFO lines per call; on the ingest hot path that is noise and time.
logging.getLogger("ioc_finder").setLevel(logging.WARNING)

MAX_TEXT = 20_000
MAX_EXTRACTED = 50

_TYPES = {
    "ipv4s": Observable.Type.IP,
    "ipv6s": Observable.Type.IP,
    "urls": Observable.Type.URL,
    "email_addresses": Observable.Type.EMAIL,
    "domains": Observable.Type.DOMAIN,
    "md5s": Observable.Type.HASH,
    "sha1s": Observable.Type.HASH,
    "sha256s": Observable.Type.HASH,
    "sha512s": Observable.Type.HASH,
}

HASH_CONTEXT_WORDS = 4
_HASH_WORD = re.compile(r"(md5\w*|\w*hash(es|ed)?|checksums?|digests?|fingerprints?|samples?)", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9]+")
_HEX_ID = re.compile(r"[0-9A-Fa-f]{32,}")
# TLDs that are also the extension of files alert text names: archives and media (zip,
# mov), scripts and sources (sh, py, pl, ps, rs, md), shared objects (so). Not ai, me,
# cc, tv, io...: those are read as domains far more often than as files.
FILE_EXTENSION_TLDS = frozenset({"zip", "mov", "sh", "py", "pl", "ps", "rs", "md", "so"})
# ECS field sets (and the Elastic alert namespaces kibana, signal) and the field leaves
# that are also TLDs: "host.name", "source.user.name", "event.id", "container.info".
ECS_FIELD_SETS = frozenset(
    [
        "agent",
        "client",
        "cloud",
        "container",
        "destination",
        "device",
        "dll",
        "dns",
        "email",
        "event",
        "faas",
        "file",
        "group",
        "host",
        "http",
        "kibana",
        "observer",
        "orchestrator",
        "organization",
        "package",
        "process",
        "registry",
        "rule",
        "server",
        "service",
        "signal",
        "source",
        "threat",
        "tls",
        "url",
        "user",
        "vulnerability",
    ]
)
ECS_FIELD_LEAVES = frozenset({"name", "id", "info", "email", "domain", "type"})


def _mentions(text: str, value: str):
    """Where `value` stands alone in `text` (case-insensitive), as match objects."""
    return re.finditer(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", text, re.IGNORECASE)


def _named_as_hash(text: str, value: str) -> bool:
    for match in _mentions(text, value):
        line_start = text.rfind("\n", 0, match.start()) + 1
        words = _WORD.findall(text[max(line_start, match.start() - 120) : match.start()])
        for word in reversed(words[-HASH_CONTEXT_WORDS:]):
            if _HEX_ID.fullmatch(word):
                break  # another id stands between: the word is about that one
            if _HASH_WORD.fullmatch(word):
                return True
    return False


def _is_host_name(text: str, value: str, hosts: set[str]) -> bool:
    labels = value.split(".")
    if any(label.startswith(("-", "_")) or label.endswith(("-", "_")) for label in labels):
        return False
    if value in hosts:
        return True  # a URL's host or an address's domain: the text uses it as a host
    if labels[0] in ECS_FIELD_SETS and labels[-1] in ECS_FIELD_LEAVES:
        return False  # "host.name", "user.name": a field of the alert's schema
    if len(labels) == 2 and labels[-1] in FILE_EXTENSION_TLDS:
        return False  # "report-001.zip", "install.sh": a file name
    # Not a name glued to a longer identifier ("ws-01.corp"), the start of a longer dotted
    # field path ("sender.email" of "sender.email.domain.root_domain"), a field path given
    # its value ("target.app=Microsoft 365") or the local part of an address ("c.obi" of
    # "c.obi@bank.example").
    return any(
        (m.start() == 0 or text[m.start() - 1] not in "-_")
        and not re.match(r"\.\w|@|\s?=", text[m.end() : m.end() + 2])
        for m in _mentions(text, value)
    )


def _hosts(found: dict) -> set[str]:
    hosts = {e.rpartition("@")[2].lower() for e in found.get("email_addresses") or ()}
    for url in found.get("urls") or ():
        normalised = normalise(Observable.Type.URL, url)
        if normalised:
            hosts.add(normalised.split("://", 1)[-1].split("/", 1)[0].rpartition("@")[2].split(":")[0])
    return hosts


@lru_cache(maxsize=4096)
def _extract(text: str) -> tuple[tuple[str, str], ...]:
    try:
        found = find_iocs(
            text,
            included_ioc_types=list(_TYPES),
            # "python-requests/2.31.0" is not a URL; only schemed URLs count.
            parse_urls_without_scheme=False,
            parse_from_url_path=False,
        )
        fanged = prepare_text(text)
    except Exception:  # a parser bug on hostile text must not fail ingestion
        logger.warning("ioc-finder failed on a text of %d characters", len(text), exc_info=True)
        return ()
    hosts = _hosts(found)
    result: list[tuple[str, str]] = []
    for key, type_ in _TYPES.items():
        for value in found.get(key) or ():
            if key == "md5s" and not _named_as_hash(text, value):
                continue
            if key == "domains" and not _is_host_name(fanged, value.lower(), hosts):
                continue
            normalised = normalise(type_, value)
            if normalised is not None and not (type_ == Observable.Type.IP and names_no_host(normalised)):
                result.append((type_, normalised))
            if len(result) >= MAX_EXTRACTED:
                return tuple(result)
    return tuple(result)


def observables_in_text(*texts: str, ignore: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    """(type, value, "extracted") for indicators in the texts, at most MAX_EXTRACTED,
    leaving out the alert's own ids: the values of `ignore` (e.g. the alert's source_ref)
    and each ":"-separated part of them.

    The texts are searched as one (one ioc-finder call per alert, not one per field)."""
    text = "\n".join(t[:MAX_TEXT] for t in texts if t and isinstance(t, str))
    if not text:
        return []
    own = {part.strip().lower() for i in ignore if isinstance(i, str) for part in (i, *i.split(":"))}
    return [(t, v, AlertObservable.Role.EXTRACTED) for t, v in _extract(text) if v.lower() not in own]
