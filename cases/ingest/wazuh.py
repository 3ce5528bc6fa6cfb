"""Wazuh alerts (the alert JSON from alerts.json or an integration), bare or as
wazuh-indexer stores them.

Accepted bodies: one alert, an array of them, an indexer search hit ({"_index", "_id",
"_source": {...}}, as the dashboard and Wazuh's docs show alerts), a record of
wazuh-indexer's Logstash pipelines ({"@version", "@timestamp", "_source": {...}}), an
array of hits or records, or a whole search response ({"hits": {"hits": [...]}}, one alert
per hit). The alert is the `_source` object; a `_source` that is not one is refused.

- source_ref: id (the alert's own, "1772632721.4829113"), else the hit's `_id`, else a
  digest of the alert (common.content_digest; copies on documentation pages drop the id),
  so a resent copy is a duplicate
- title: rule.description (required)
- description: full_log, else MS Graph's data.ms-graph.description, else its .title,
  else data.win.system.message (eventchannel alerts have no log line, or, decoder
  windows_eventchannel, a full_log that is only the JSON of data.win: the message is
  preferred to it; the quotes the decoder puts around the message are removed)
- severity: rule.level 0-15 -> low (0-4), medium (5-7), high (8-11), critical (12-15),
  the bands Wazuh's own TheHive integration uses
- techniques: rule.mitre.id (parallel arrays with tactic and technique names), and MS
  Graph's data.ms-graph.mitreTechniques (lenient: flagged technique_unparsed, not refused)
- observed_at: the module's own event time where it has one: MS Graph
  data.ms-graph.firstActivityDateTime, else .createdDateTime (alerts), else
  .activityDateTime (audit events); AWS CloudTrail data.aws.eventTime; GCP log entries'
  data.gcp.timestamp, or data.timestamp for the gcp-pubsub wodle's only; else timestamp
  ("2026-03-04T13:58:41.203+0000", when Wazuh analysed it: for the cloud modules the
  poll), else @timestamp (indexer
  exports; the alert's, never the Logstash record's); unreadable: flagged
  observed_at_unparsed, the next time used, at last the receive time
- observables: data.srcip / data.src_ip (source), data.dstip (destination),
  data.srcuser / data.dstuser / data.user (user), data.url, agent.name (host) and
  agent.ip (destination; not for the cloud collectors' alerts, whose agent only polls an
  API: data.integration office365, aws, gcp or ms-graph, or location "Azure" (the azure
  wodle's), "Wazuh-GCloud" (the gcp-pubsub wodle's), "github" or "ms-graph", or without a
  location a record shaped as Azure's or a GCP log entry), Windows
  eventdata addresses and accounts and Defender's eventdata["detection User"] (user),
  Sysmon's eventdata sourceIp / destinationIp / destinationHostname (event 3),
  queryName (22, a domain) and user (not NT AUTHORITY's), and eventdata.hashes
  ("SHA1=...,MD5=...,SHA256=...", declared; IMPHASH, a hash of
  the import table and no file digest, skipped), syscheck hashes and its who-data users
  (syscheck.audit login_user, user and effective_user: who changed the file); VirusTotal:
  data.virustotal.source.md5 / .source.sha1 and data.virustotal.sha1 (the scanned
  file's, declared; the permalink is VirusTotal's report page, no observable); Office
  365: data.office365.ClientIP / ActorIpAddress (source, without the port Exchange
  appends), UserId (user, when a UPN: not a system account) and the UPN in Target[]
  (user: the account acted on); MS Graph: data.ms-graph.actor.userPrincipalName (user);
  Azure Log Analytics: data.CallerIpAddress (source), data.Caller (user, when a UPN); GCP
  audit logs (data. or data.gcp.): protoPayload.requestMetadata.callerIp (source) and
  protoPayload.authenticationInfo.principalEmail (user); AWS CloudTrail:
  data.aws.sourceIPAddress (source) and data.aws.userIdentity.userName (user); GitHub
  audit log: data.github.actor (user)
- tags: rule.groups
"""

from .common import (
    Adapter,
    Errors,
    R,
    Reading,
    T,
    as_list,
    content_digest,
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
    # Azure Log Analytics (AzureActivity): the caller's address.
    ("data.CallerIpAddress", T.IP, R.SOURCE),
    # GCP audit log entries, as the gcp-pubsub wodle sends them (older: under data; now
    # {"integration": "gcp", "gcp": {...}}).
    ("data.protoPayload.requestMetadata.callerIp", T.IP, R.SOURCE),
    ("data.gcp.protoPayload.requestMetadata.callerIp", T.IP, R.SOURCE),
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
    ("data.protoPayload.authenticationInfo.principalEmail", T.USER, R.USER),
    ("data.gcp.protoPayload.authenticationInfo.principalEmail", T.USER, R.USER),
    ("data.aws.userIdentity.userName", T.USER, R.USER),
    ("data.github.actor", T.USER, R.USER),
    ("data.win.eventdata.workstationName", T.HOSTNAME, R.SOURCE),
    # Sysmon (eventchannel Microsoft-Windows-Sysmon/Operational): 3 network connection,
    # 22 DNS query (its process's account, eventdata.user: observables_of).
    ("data.win.eventdata.sourceIp", T.IP, R.SOURCE),
    ("data.win.eventdata.destinationIp", T.IP, R.DESTINATION),
    ("data.win.eventdata.destinationHostname", T.HOSTNAME, R.DESTINATION),
    ("data.win.eventdata.queryName", T.DOMAIN, R.DECLARED),
    ("data.win.system.computer", T.HOSTNAME, R.DESTINATION),
    ("data.url", T.URL, R.DECLARED),
    ("data.hostname", T.HOSTNAME, R.DECLARED),
    # FIM who-data (syscheck.mode "whodata"): who changed the file, as the session's login
    # user, the process's user and its effective user (root under sudo).
    ("syscheck.audit.login_user.name", T.USER, R.USER),
    ("syscheck.audit.user.name", T.USER, R.USER),
    ("syscheck.audit.effective_user.name", T.USER, R.USER),
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
# Modules that poll a cloud API ({"integration": "office365" | "aws" | "gcp" | "ms-graph",
# ...}): the agent is the collector (often the manager, "000"), not a party to what
# happened, and its name would tie every such alert to one case.
COLLECTORS = frozenset({"office365", "aws", "gcp", "ms-graph"})
# The same modules by the location they write: the azure wodle's "1:Azure:" header
# (wodles/azure/azure_utils.py), the older gcp-pubsub wodle's "1:Wazuh-GCloud:" (whose
# events carry no "integration"), the github and ms-graph modules'.
COLLECTOR_LOCATIONS = frozenset({"Azure", "Wazuh-GCloud", "github", "ms-graph"})
WINDOWS_MESSAGE = "data.win.system.message"
MS_GRAPH = "data.ms-graph."
# The module's own time of the event, by the module (the alert's timestamp is when Wazuh
# read it, for the cloud modules the poll): MS Graph alerts (first activity, else creation)
# and audit events; CloudTrail records; GCP log entries (the gcp-pubsub wodle's).
MS_GRAPH_TIMES = ("firstActivityDateTime", "createdDateTime", "activityDateTime")
# Sysmon's eventdata.hashes, "SHA1=...,MD5=...,SHA256=...,IMPHASH=...": the image's file
# digests. IMPHASH hashes the import table, no file: not an observable.
FILE_DIGESTS = frozenset({"MD5", "SHA1", "SHA256"})


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


def is_eventchannel_dump(doc: dict, full_log: str) -> bool:
    """The eventchannel decoder's full_log: the JSON of data.win, no log line."""
    decoder = doc.get("decoder")
    name = decoder.get("name") if isinstance(decoder, dict) else None
    return name == "windows_eventchannel" and full_log.lstrip().startswith("{")


def description_of(alert: Reading, doc: dict, flat: dict) -> str:
    full_log = read_str(alert, "full_log", doc.get("full_log"))
    message = flat.get(WINDOWS_MESSAGE)
    if full_log and not (
        isinstance(message, str) and message.strip() and is_eventchannel_dump(doc, full_log)
    ):
        return full_log
    for name in (f"{MS_GRAPH}description", f"{MS_GRAPH}title"):
        text = flat.get(name)
        if isinstance(text, str) and text.strip():
            return text
    return unquoted(read_str(alert, WINDOWS_MESSAGE, message))


def observed_at_of(alert: Reading, doc: dict, flat: dict, collector: str | None):
    """The first readable of the module's own event times (MS Graph, CloudTrail, GCP),
    else the alert's; an unreadable one is flagged and the next is tried."""
    names = [f"{MS_GRAPH}{name}" for name in MS_GRAPH_TIMES] + ["data.aws.eventTime", "data.gcp.timestamp"]
    if collector == "Wazuh-GCloud":
        names.append("data.timestamp")
    for name in names:
        value = flat.get(name)
        if value is not None and value != "":
            when = event_time(alert, name, value)
            if when is not None:
                return when
    return event_time(alert, "timestamp", first(doc.get("timestamp"), doc.get("@timestamp")))


def collector_of(doc: dict, flat: dict) -> str | None:
    """The cloud module that polled the alert's events (COLLECTORS, COLLECTOR_LOCATIONS)."""
    integration, location = flat.get("data.integration"), doc.get("location")
    if isinstance(integration, str) and integration in COLLECTORS:
        return integration
    if isinstance(location, str) and location in COLLECTOR_LOCATIONS:
        return location
    return collector_by_record(doc.get("data"))


def collector_by_record(data) -> str | None:
    """The cloud module, from the shape of the record it polled, for a copy of an alert
    that lost its `location` (documentation pages, some exports): the azure wodle's
    `azure_tag` or a Log Analytics row (TenantId and SourceSystem, columns every table
    has) is Azure's; a Cloud Logging LogEntry (logName and insertId) the gcp-pubsub wodle's."""
    if not isinstance(data, dict):
        return None
    if "azure_tag" in data or {"TenantId", "SourceSystem"} <= data.keys():
        return "Azure"
    if {"logName", "insertId"} <= data.keys():
        return "Wazuh-GCloud"
    return None


def file_digests(value) -> list[str]:
    """The MD5, SHA-1 and SHA-256 of Sysmon's "SHA1=...,MD5=...,IMPHASH=..." string."""
    if not isinstance(value, str):
        return []
    pairs = (part.partition("=") for part in value.split(","))
    return [digest.strip() for algorithm, _, digest in pairs if algorithm.strip().upper() in FILE_DIGESTS]


def person_accounts(values) -> list:
    """Sysmon's "DOMAIN\\user" accounts, without Windows' own ("NT AUTHORITY\\SYSTEM",
    LOCAL SERVICE, NETWORK SERVICE), which run every host and are no party."""
    return [v for v in as_list(values) if isinstance(v, str) and not v.upper().startswith("NT AUTHORITY\\")]


def upns(values) -> list:
    """The user principal names (address-shaped) among Office 365 identities."""
    return [v for v in as_list(values) if normalise(T.EMAIL, v) is not None]


def observables_of(flat: dict, collector: str | None) -> list[tuple[str, str, str]]:
    observables = ObservableList.of_fields(flat, OBSERVABLE_FIELDS)
    if collector is None:
        observables.items += ObservableList.of_fields(flat, AGENT_FIELDS).items
    observables.add(T.HASH, file_digests(flat.get("data.win.eventdata.hashes")), R.DECLARED)
    observables.add(T.USER, person_accounts(flat.get("data.win.eventdata.user")), R.USER)
    # Azure's Caller is a UPN, or an application's id (a GUID) for service principals.
    observables.add(T.USER, upns(flat.get("data.Caller")), R.USER)
    observables.add(T.USER, upns(flat.get(f"{MS_GRAPH}actor.userPrincipalName")), R.USER)
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
            alert,
            "id",
            first(doc.get("id"), hit_id) or content_digest(doc),
            required=True,
            allow_numbers=True,
        )
        alert.title = read_str(alert, "rule.description", flat.get("rule.description"), required=True)
        alert.description = description_of(alert, doc, flat)
        name = f"{MS_GRAPH}mitreTechniques"
        alert.technique_ids = read_techniques(alert, "rule.mitre.id", flat.get("rule.mitre.id"))
        alert.technique_ids = list(
            dict.fromkeys(alert.technique_ids + read_techniques(alert, name, flat.get(name), lenient=True))
        )
        collector = collector_of(doc, flat)
        alert.observed_at = observed_at_of(alert, doc, flat, collector)
        alert.observables = observables_of(flat, collector)
        alert.severity = severity_from_level(alert, flat.get("rule.level"))
        alert.tags = read_str_list(alert, "rule.groups", flat.get("rule.groups"))
