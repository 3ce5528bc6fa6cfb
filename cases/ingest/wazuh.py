"""Wazuh alerts (the alert JSON from alerts.json or an integration), bare or as
wazuh-indexer stores them.

Accepted bodies: one alert, an array of them, an indexer search hit ({"_index", "_id",
"_source": {...}}, as the dashboard and Wazuh's docs show alerts), a record of
wazuh-indexer's Logstash pipelines ({"@version", "@timestamp", "_source": {...}}), an
array of hits or records, or a whole search response ({"hits": {"hits": [...]}}, one alert
per hit). The alert is the `_source` object; a `_source` that is not one is refused.

- source_ref: id (the alert's own, "1772632721.4829113"), else the hit's `_id` (required)
- title: rule.description (required)
- description: full_log, else data.win.system.message (eventchannel alerts have no log
  line; the quotes the decoder puts around the message are removed)
- severity: rule.level 0-15 -> low (0-4), medium (5-7), high (8-11), critical (12-15),
  the bands Wazuh's own TheHive integration uses
- techniques: rule.mitre.id (parallel arrays with tactic and technique names)
- observed_at: timestamp ("2026-03-04T13:58:41.203+0000"), else @timestamp (indexer
  exports; the alert's, never the Logstash record's); unreadable: flagged
  observed_at_unparsed, receive time used
- observables: data.srcip / data.src_ip (source), data.dstip (destination),
  data.srcuser / data.dstuser / data.user (user), data.url, agent.name (host) and
  agent.ip (destination; not for the cloud collectors' alerts, data.integration office365,
  aws or gcp, whose agent only polls an API), Windows eventdata addresses and accounts
  and Defender's eventdata["detection User"] (user), syscheck hashes; VirusTotal:
  data.virustotal.source.md5 / .source.sha1 and data.virustotal.sha1 (the scanned
  file's, declared; the permalink is VirusTotal's report page, no observable); Office
  365: data.office365.ClientIP / ActorIpAddress (source, without the port Exchange
  appends), UserId (user, when a UPN: not a system account) and the UPN in Target[]
  (user: the account acted on)
- tags: rule.groups
"""

from .common import (
    Adapter,
    Errors,
    R,
    Reading,
    T,
    as_list,
    event_time,
    first,
    flatten,
    read_str,
    read_str_list,
    read_techniques,
)
from .observable_list import ObservableList
from .observables import normalise

LEVEL_BANDS = ((12, 4), (8, 3), (5, 2), (0, 1))

OBSERVABLE_FIELDS = [
    ("data.srcip", T.IP, R.SOURCE),
    ("data.src_ip", T.IP, R.SOURCE),
    ("data.win.eventdata.ipAddress", T.IP, R.SOURCE),
    ("data.aws.sourceIPAddress", T.IP, R.SOURCE),
    ("data.dstip", T.IP, R.DESTINATION),
    ("data.dest_ip", T.IP, R.DESTINATION),
    ("data.srcuser", T.USER, R.USER),
    ("data.dstuser", T.USER, R.USER),
    ("data.user", T.USER, R.USER),
    ("data.win.eventdata.targetUserName", T.USER, R.USER),
    ("data.win.eventdata.subjectUserName", T.USER, R.USER),
    # Defender (Microsoft-Windows-Windows Defender/Operational 1116, 1117): the user the
    # detection is about ("remediation User" is the account that cleaned up: SYSTEM).
    ("data.win.eventdata.detection User", T.USER, R.USER),
    ("data.win.eventdata.workstationName", T.HOSTNAME, R.SOURCE),
    ("data.win.system.computer", T.HOSTNAME, R.DESTINATION),
    ("data.url", T.URL, R.DECLARED),
    ("data.hostname", T.HOSTNAME, R.DECLARED),
    ("syscheck.md5_after", T.HASH, R.DECLARED),
    ("syscheck.sha1_after", T.HASH, R.DECLARED),
    ("syscheck.sha256_after", T.HASH, R.DECLARED),
    # The VirusTotal integration (integrations/virustotal.py) copies the FIM alert's
    # hashes into `source` and adds the SHA-1 VirusTotal answered for.
    ("data.virustotal.source.md5", T.HASH, R.DECLARED),
    ("data.virustotal.source.sha1", T.HASH, R.DECLARED),
    ("data.virustotal.sha1", T.HASH, R.DECLARED),
]
AGENT_FIELDS = [
    ("agent.ip", T.IP, R.DESTINATION),
    ("agent.name", T.HOSTNAME, R.DESTINATION),
]
# Office 365 audit records: the client's address, which Exchange writes with its port.
OFFICE365_ADDRESSES = ("data.office365.ClientIP", "data.office365.ActorIpAddress")
# Modules that poll a cloud API ({"integration": "office365" | "aws" | "gcp", ...}): the
# agent is the collector (often the manager, "000"), not a party to what happened, and its
# name would tie every such alert to one case.
COLLECTORS = frozenset({"office365", "aws", "gcp"})
WINDOWS_MESSAGE = "data.win.system.message"


def severity_from_level(errors: Errors, level) -> int:
    if isinstance(level, str) and level.strip().isdecimal():
        level = int(level.strip())
    if level is None:
        return 2
    if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 15:
        errors.add("rule.level", "Must be a Wazuh level, 0-15.")
        return 2
    return next(severity for floor, severity in LEVEL_BANDS if level >= floor)


def unwrap(errors: Errors, item: dict) -> tuple[dict | None, object]:
    """(alert, hit id): an indexer hit's or Logstash record's `_source` and `_id` (None
    and a field error when `_source` is not an object); else the item itself."""
    if "_source" not in item:
        return item, None
    source = item["_source"]
    if not isinstance(source, dict):
        errors.add("_source", "Must be an object: the Wazuh alert.")
        return None, None
    return source, item.get("_id")


def without_port(value):
    """An address as Exchange's audit records write it, "198.51.100.7:51234" or
    "[2001:db8::1]:50000", without the port (or the brackets); anything else unchanged."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        host, bracket, _ = text[1:].partition("]")
        return host if bracket else value
    host, colon, port = text.rpartition(":")
    if colon and ":" not in host and port.isdecimal():
        return host
    return value


def unquoted(text: str) -> str:
    """The eventchannel decoder writes the Windows message inside a pair of quotes."""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


def description_of(alert: Reading, doc: dict, flat: dict) -> str:
    full_log = doc.get("full_log")
    if full_log is not None and full_log != "":
        return read_str(alert, "full_log", full_log)
    return unquoted(read_str(alert, WINDOWS_MESSAGE, flat.get(WINDOWS_MESSAGE)))


def upns(values) -> list:
    """The user principal names (address-shaped) among Office 365 identities."""
    return [v for v in as_list(values) if normalise(T.EMAIL, v) is not None]


def observables_of(flat: dict) -> list[tuple[str, str, str]]:
    observables = ObservableList.of_fields(flat, OBSERVABLE_FIELDS)
    integration = flat.get("data.integration")
    if not (isinstance(integration, str) and integration in COLLECTORS):
        observables.items += ObservableList.of_fields(flat, AGENT_FIELDS).items
    for name in OFFICE365_ADDRESSES:
        observables.add(T.IP, [without_port(v) for v in as_list(flat.get(name))], R.SOURCE)
    # UserId is the actor's UPN, or a system account ("NT AUTHORITY\\SYSTEM (w3wp)",
    # "SHAREPOINT\\system", "app@sharepoint": Microsoft's schema), which is no party.
    # Target[] holds {"Type", "ID"} pairs naming the account acted on by GUID, PUID, name
    # and UPN; the UPN is the account.
    targets = as_list(flat.get("data.office365.Target"))
    observables.add(T.USER, upns(flat.get("data.office365.UserId")), R.USER)
    observables.add(T.USER, upns([t.get("ID") for t in targets if isinstance(t, dict)]), R.USER)
    return observables.items


class WazuhAdapter(Adapter):
    name = "wazuh"
    reads_search_responses = True
    field_names = {"source_ref": "id", "title": "rule.description"}

    def read(self, alert: Reading, item: dict) -> None:
        doc, hit_id = unwrap(alert, item)
        if doc is None:
            return
        rule = doc.get("rule")
        if rule is not None and not isinstance(rule, dict):
            alert.add("rule", "Must be an object.")
        # Exports from the indexer may carry dotted keys ("data.srcip"); read both spellings.
        flat = flatten(doc)
        alert.source_ref = read_str(
            alert, "id", first(doc.get("id"), hit_id), required=True, allow_numbers=True
        )
        alert.title = read_str(alert, "rule.description", flat.get("rule.description"), required=True)
        alert.description = description_of(alert, doc, flat)
        alert.technique_ids = read_techniques(alert, "rule.mitre.id", flat.get("rule.mitre.id"))
        alert.observed_at = event_time(alert, "timestamp", first(doc.get("timestamp"), doc.get("@timestamp")))
        alert.observables = observables_of(flat)
        alert.severity = severity_from_level(alert, flat.get("rule.level"))
        alert.tags = read_str_list(alert, "rule.groups", flat.get("rule.groups"))
