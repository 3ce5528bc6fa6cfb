"""Elastic Security detection alerts (ECS documents with kibana.alert.* fields), and the
legacy 7.x `.siem-signals-*` documents (signal.* fields).

Kibana writes kibana.alert.* as flat dotted keys next to nested ECS objects, and ES|QL
rules produce fully dotted documents, so the document is flattened first. Accepted
bodies: one alert document, an array of them, a Kibana Webhook connector body
{"alerts": [...]} (`{{{context.alerts.asJSON}}}`), a search hit ({"_index", "_id",
"_source": {...}}; `_source` is the document, or without it the `fields` API's arrays)
or a whole search response ({"hits": {"hits": [...]}}, one alert per hit).

- source_ref: kibana.alert.uuid, else the hit's `_id` (7.x signals have no uuid: their id
  is the document id in .siem-signals-*), else, for a document no detection rule wrote
  (an integration's: GuardDuty, Defender for Endpoint), its ECS event.id, the id the
  vendor gave what it reports, so a finding polled again is a duplicate (a rule's alert
  copies its source event's event.id, which another rule's alert shares), else a digest
  of the document (common.content_digest: "sha256:" + 32 hex digits of its canonical
  JSON), so a document with no id at all is still idempotent
- title: kibana.alert.rule.name / signal.rule.name, else ECS rule.name; an ECS alert
  (event.kind "alert", an integration's) without a rule name takes the vendor's title,
  else its name, where the integration keeps the vendor's fields, under its dataset's name
  (data_stream.dataset "m365_defender.alert": m365_defender.alert.title; "crowdstrike.alert":
  crowdstrike.alert.name, the detection's name: the fields Elastic's own promotion rules
  name them by), else its message (Defender for Endpoint's), else rule.description, else
  event.action (Google Workspace's alerts carry no message: "Gmail phishing") (required)
- description: kibana.alert.reason, else kibana.alert.rule.description, else message
- severity: kibana.alert.severity (low/medium/high/critical), else from risk_score, else,
  for an ECS alert (event.kind "alert": Elastic Defend's own logs-endpoint.alerts-*
  documents, an integration's), event.severity as Elastic's promotion rules ("Endpoint
  Security", "External Alerts") map it: 21 low, 47 medium, 73 high, 99 critical (any other
  value is the vendor's own scale, GuardDuty's 5: medium, the rules' default)
- techniques: kibana.alert.rule.threat / signal.rule.threat [].technique[].id and
  .subtechnique[].id, the ECS `threat` field of endpoint alerts, and the `fields` API's
  parallel arrays
- observed_at: kibana.alert.original_time (the source event's time), else @timestamp;
  unreadable: flagged observed_at_unparsed, receive time used
- observables: ECS source/destination/client/server IPs, user.name, user.email, host.name
  and host.hostname (CrowdStrike's alerts carry only the latter), url.full/original,
  url.domain, dns.question.name, email.from/to, file.hash.*, related.*; Windows event data
  (winlog.event_data.SubjectUserName, TargetUserName, IpAddress, WorkstationName) and
  winlog.computer_name. Lists of objects (LIST_FIELDS): each loaded library's hash.* in
  Endpoint alerts' `dll[]` and `process.Ext.dll[]`, in a behavior alert's `Events[]` (the
  events its rule matched) each event's file/process/parent/dll hashes, source.ip,
  destination.ip and user.name, and an e-mail's `email.attachments[]` file.hash.*; at most
  MAX_LIST_ELEMENTS elements of each list and MAX_LIST_OBSERVABLES observables from them
  all. The `fields` API and ES|QL spell a list flat, one dotted key per field holding every
  element's value ("process.Ext.dll.hash.sha256": [...], "threat.enrichments.indicator.ip":
  [...]): read as the list's elements are
- tags: kibana.alert.rule.tags (signal.rule.tags)
"""

from .base import dedupe_observables
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
    read_severity,
    read_str,
    read_str_list,
    read_techniques,
    single,
    specific_first,
)
from .observable_list import ObservableList

# Legacy (7.x) detection alerts used signal.* for the same fields.
PREFIXES = ("kibana.alert.", "signal.")
HASH_ALGORITHMS = ("md5", "sha1", "sha256", "sha512")
# The file's, the process's, its parent's and a loaded library's, in each algorithm.
HASH_FIELDS = [
    (f"{owner}.hash.{algorithm}", T.HASH, R.DECLARED)
    for owner in ("file", "process", "process.parent", "dll")
    for algorithm in HASH_ALGORITHMS
]

# ECS threat indicator fields (threat.indicator.*, threat.enrichments.indicator.*): what
# an indicator-match rule matched the event against.
INDICATOR_FIELDS = [
    ("ip", T.IP),
    ("domain", T.DOMAIN),
    ("url.full", T.URL),
    ("url.original", T.URL),
    ("url.domain", T.DOMAIN),
    ("email.address", T.EMAIL),
    *((f"file.hash.{algorithm}", T.HASH) for algorithm in HASH_ALGORITHMS),
]

OBSERVABLE_FIELDS = [
    ("source.ip", T.IP, R.SOURCE),
    ("client.ip", T.IP, R.SOURCE),
    ("destination.ip", T.IP, R.DESTINATION),
    ("server.ip", T.IP, R.DESTINATION),
    ("host.ip", T.IP, R.DESTINATION),
    ("user.name", T.USER, R.USER),
    ("source.user.name", T.USER, R.USER),
    ("user.target.name", T.USER, R.USER),
    ("user.email", T.EMAIL, R.USER),
    ("host.name", T.HOSTNAME, R.DESTINATION),
    # The host's own name where an integration sets no host.name (CrowdStrike's alerts).
    ("host.hostname", T.HOSTNAME, R.DESTINATION),
    ("url.full", T.URL, R.DECLARED),
    ("url.original", T.URL, R.DECLARED),
    ("url.domain", T.DOMAIN, R.DESTINATION),
    ("source.domain", T.DOMAIN, R.SOURCE),
    ("destination.domain", T.DOMAIN, R.DESTINATION),
    ("dns.question.name", T.DOMAIN, R.DECLARED),
    ("email.from.address", T.EMAIL, R.SENDER),
    ("email.sender.address", T.EMAIL, R.SENDER),
    ("email.to.address", T.EMAIL, R.DESTINATION),
    *HASH_FIELDS,
    ("related.ip", T.IP, R.DECLARED),
    ("related.user", T.USER, R.USER),
    ("related.hosts", T.HOSTNAME, R.DECLARED),
    ("related.hash", T.HASH, R.DECLARED),
    # Windows Security events as winlogbeat / the Windows integration ship them.
    ("winlog.event_data.IpAddress", T.IP, R.SOURCE),
    ("winlog.event_data.SubjectUserName", T.USER, R.USER),
    ("winlog.event_data.TargetUserName", T.USER, R.USER),
    ("winlog.event_data.TargetOutboundUserName", T.USER, R.USER),
    ("winlog.event_data.SamAccountName", T.USER, R.USER),
    ("winlog.event_data.MemberName", T.USER, R.USER),
    ("winlog.event_data.WorkstationName", T.HOSTNAME, R.SOURCE),
    ("winlog.event_data.TargetServerName", T.HOSTNAME, R.DESTINATION),
    ("winlog.computer_name", T.HOSTNAME, R.DESTINATION),
]

# Lists of objects read element by element. Endpoint alerts list every library the process
# loaded (process.Ext.dll[], often 40 and more) and a library alert its libraries (dll[]);
# a behavior alert embeds the events its rule matched (Events[], each a whole ECS event of
# the same endpoint: the host is the alert's own, so only hashes, the network peers and the
# acting user are read from them). A list is read to MAX_LIST_ELEMENTS elements, and all of
# them together give at most MAX_LIST_OBSERVABLES observables (after dedupe), so a list of
# 100,000 elements costs what 32 do and never pushes an alert past base.MAX_OBSERVABLES.
MAX_LIST_ELEMENTS = 32
MAX_LIST_OBSERVABLES = 200
LIBRARY_FIELDS = [(f"hash.{algorithm}", T.HASH, R.DECLARED) for algorithm in HASH_ALGORITHMS]
EVENT_FIELDS = [
    *HASH_FIELDS,
    ("source.ip", T.IP, R.SOURCE),
    ("destination.ip", T.IP, R.DESTINATION),
    ("user.name", T.USER, R.USER),
]
# An e-mail's attachments (ECS email.attachments[], each a file): their digests.
ATTACHMENT_FIELDS = [(f"file.hash.{algorithm}", T.HASH, R.DECLARED) for algorithm in HASH_ALGORITHMS]
LIST_FIELDS = {
    "dll": LIBRARY_FIELDS,
    "process.Ext.dll": LIBRARY_FIELDS,
    "Events": EVENT_FIELDS,
    "email.attachments": ATTACHMENT_FIELDS,
}

# The vendor's headline of an integration's alert, under its dataset's name, as Elastic's
# promotion rules name the alerts they promote (rule_name_override): "m365_defender.alert"
# .title, "crowdstrike.alert" .name.
VENDOR_TITLES = ("title", "name")
RISK_SCORE_SEVERITY = ((73, 4), (47, 3), (21, 2), (0, 1))  # Elastic's own bands
# event.severity values Elastic's promotion rules map to a severity (their severity_mapping);
# any other value keeps the rules' default, medium.
PROMOTED_SEVERITY = {21: 1, 47: 2, 73: 3, 99: 4}


def alert_field(flat: dict, name: str):
    for prefix in PREFIXES:
        value = flat.get(prefix + name)
        if value is not None:
            return value
    return None


def threat_techniques(errors: Errors, threats) -> list[str]:
    """Technique and sub-technique ids from the ATT&CK threat mapping."""
    ids: list = []
    for threat in as_list(threats):
        if not isinstance(threat, dict):
            continue
        threat = flatten(threat)
        if threat.get("framework") not in (None, "MITRE ATT&CK"):
            continue
        for technique in as_list(threat.get("technique")):
            if not isinstance(technique, dict):
                continue
            ids.append(technique.get("id"))
            ids.extend(s.get("id") for s in as_list(technique.get("subtechnique")) if isinstance(s, dict))
    return read_techniques(errors, "kibana.alert.rule.threat", [i for i in ids if i is not None])


def severity_from(errors: Errors, flat: dict) -> int:
    severity = alert_field(flat, "severity") or alert_field(flat, "rule.severity")
    if severity is not None:
        return read_severity(errors, "kibana.alert.severity", severity)
    risk = alert_field(flat, "risk_score") or alert_field(flat, "rule.risk_score")
    if isinstance(risk, int | float) and not isinstance(risk, bool):
        return next(level for floor, level in RISK_SCORE_SEVERITY if risk >= floor)
    event_severity = single(flat.get("event.severity"))  # a number, or bad input of any type
    is_alert = single(flat.get("event.kind")) == "alert"
    if is_alert and isinstance(event_severity, int | float) and event_severity in PROMOTED_SEVERITY:
        return PROMOTED_SEVERITY[event_severity]
    return read_severity(errors, "kibana.alert.severity", None)


def indicator_observables(flat: dict) -> list[tuple[str, str, str]]:
    """The threat indicators an indicator-match alert matched: 8.x `threat.enrichments[]`
    (each {"indicator": {...}, "matched": {...}}) and 7.x `threat.indicator[]`, each object
    nested or dotted."""
    indicators = [
        {key.removeprefix("indicator."): value for key, value in flatten(enrichment).items()}
        for enrichment in as_list(flat.get("threat.enrichments"))
        if isinstance(enrichment, dict)
    ]
    indicators += [
        flatten(indicator)
        for indicator in as_list(flat.get("threat.indicator"))
        if isinstance(indicator, dict)
    ]
    # The same lists spelt flat by the `fields` API and ES|QL (see spelt_flat).
    indicators.append(
        {
            key.removeprefix("indicator."): value
            for key, value in spelt_flat(flat, "threat.enrichments").items()
        }
    )
    indicators.append(spelt_flat(flat, "threat.indicator"))
    observables = ObservableList()
    for fields in indicators:
        for name, type_ in INDICATOR_FIELDS:
            observables.add(type_, fields.get(name), R.DECLARED)
    return observables.items


def spelt_flat(flat: dict, name: str) -> dict:
    """A list of objects as the `fields` API and ES|QL spell it, one dotted key per field
    with all elements' values in one array ("process.Ext.dll.hash.sha256": [...]), as one
    element holding those arrays ({"hash.sha256": [...]})."""
    prefix = f"{name}."
    return {key.removeprefix(prefix): value for key, value in flat.items() if key.startswith(prefix)}


def list_observables(flat: dict) -> list[tuple[str, str, str]]:
    """The observables of the elements of LIST_FIELDS' lists, nested or spelt flat,
    bounded (MAX_LIST_*)."""
    observables = []
    for name, fields in LIST_FIELDS.items():
        elements = flat.get(name)
        elements = elements[:MAX_LIST_ELEMENTS] if isinstance(elements, list) else []
        for element in [*elements, spelt_flat(flat, name)]:
            if isinstance(element, dict):
                observables += ObservableList.of_fields(flatten(element), fields).items
    return dedupe_observables(observables)[:MAX_LIST_OBSERVABLES]


def ecs_alert_title(flat: dict):
    """An ECS alert document's own headline (event.kind "alert", no rule name): the vendor's
    title or name under the integration's dataset (see the module docstring), else its
    `message`, else its rule's description, else what ECS says happened (event.action);
    None for any other document, which must name its rule."""
    if single(flat.get("event.kind")) != "alert":
        return None
    dataset = first(single(flat.get("data_stream.dataset")), single(flat.get("event.dataset")))
    vendor_titles = (
        [single(flat.get(f"{dataset}.{key}")) for key in VENDOR_TITLES] if isinstance(dataset, str) else []
    )
    return first(
        *(title for title in vendor_titles if isinstance(title, str)),
        single(flat.get("message")),
        single(flat.get("rule.description")),
        single(flat.get("event.action")),
    )


def vendor_event_id(flat: dict):
    """ECS event.id of a document no detection rule wrote (see the module docstring), or
    None."""
    if alert_field(flat, "rule.name") is not None:
        return None
    return single(flat.get("event.id"))


def unwrap_hit(item: dict) -> tuple[dict, object]:
    """(document, hit id): a search hit's `_source` and `_id`; for a hit fetched with the
    `fields` option and no `_source` (Kibana's alerts table reads alerts so), its `fields`,
    each one-value array as its value; else the item itself."""
    source = item.get("_source")
    if isinstance(source, dict):
        return source, item.get("_id")
    fields = item.get("fields")
    if isinstance(fields, dict) and ("_id" in item or "_index" in item):
        doc = {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in fields.items()}
        return doc, item.get("_id")
    return item, item.get("_id")


class ElasticAdapter(Adapter):
    name = "elastic"
    batch_keys = ("alerts",)
    reads_search_responses = True
    field_names = {"source_ref": "kibana.alert.uuid", "title": "kibana.alert.rule.name"}

    def read(self, alert: Reading, item: dict) -> None:
        doc, hit_id = unwrap_hit(item)
        flat = flatten(doc)
        alert.source_ref = read_str(
            alert,
            "kibana.alert.uuid",
            first(alert_field(flat, "uuid"), flat.get("signal.id"), hit_id, vendor_event_id(flat))
            or content_digest(doc),
            required=True,
            allow_numbers=True,
        )
        # An ECS alert that no Kibana rule wrote (event.kind "alert" from an integration:
        # Splunk, CrowdStrike...) names its rule in ECS `rule.name`, or, without one
        # (Defender for Endpoint's), says what it detected in `message`.
        alert.title = read_str(
            alert,
            "kibana.alert.rule.name",
            first(alert_field(flat, "rule.name"), flat.get("rule.name"), ecs_alert_title(flat)),
            required=True,
        )
        alert.description = read_str(
            alert,
            "kibana.alert.reason",
            first(
                alert_field(flat, "reason"),
                alert_field(flat, "rule.description"),
                flat.get("message"),
                flat.get("rule.description"),
            ),
        )
        alert.observed_at = event_time(
            alert,
            "kibana.alert.original_time",
            first(alert_field(flat, "original_time"), flat.get("@timestamp"), alert_field(flat, "start")),
        )
        techniques = threat_techniques(alert, alert_field(flat, "rule.threat"))
        # Endpoint and other promoted alerts carry the mapping in the ECS `threat` field.
        techniques += threat_techniques(alert, doc.get("threat"))
        for name in ("threat.technique.id", "threat.technique.subtechnique.id"):
            techniques += read_techniques(alert, name, flat.get(name))
        # The `fields` API and ES|QL spell the mapping as parallel dotted arrays.
        for suffix in ("rule.threat.technique.id", "rule.threat.technique.subtechnique.id"):
            techniques += read_techniques(alert, "kibana.alert." + suffix, alert_field(flat, suffix))
        alert.technique_ids = specific_first(techniques)
        alert.observables = [
            *ObservableList.of_fields(flat, OBSERVABLE_FIELDS).items,
            *indicator_observables(flat),
            *list_observables(flat),
        ]
        alert.tags = read_str_list(alert, "kibana.alert.rule.tags", alert_field(flat, "rule.tags"))
        alert.severity = severity_from(alert, flat)
