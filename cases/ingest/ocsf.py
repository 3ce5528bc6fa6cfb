"""OCSF findings: the classes of the Findings category that carry a `finding_info` (uid,
title) and report something an analyst triages (FINDING_CLASSES):

- 2004 Detection Finding (OCSF 1.1+): a detection, the alert proper;
- 2001 Security Finding (OCSF 1.0 and earlier, deprecated since 1.1 but what most
  producers still send: 3 of the 5 finding examples in the OCSF project's own repository
  use it);
- 2002 Vulnerability Finding and 2003 Compliance Finding: the OCSF project's 1.1 mapping
  of Security Hub splits what was one 2001 Security Finding (which Vigil takes) into
  2002 (Inspector), 2003 (controls) and 2004 (GuardDuty);
- 2006 Data Security Finding (DLP, DSPM alerts) and 2007 Application Security Posture
  Finding (OCSF 1.4+).

Activity events are accepted too (ACTIVITY_CATEGORIES: the System, Identity & Access
Management, Network and Application Activity classes, 1xxx, 3xxx, 4xxx, 6xxx), as
pipelines forward them as alerts (Security Lake subscribers, SIEMs' OCSF output): an
Authentication failure, an API call, a refused flow, a message filtered as spam; and so
are the Discovery classes (5xxx: Device Inventory Info, Device Config State Change...),
the inventory and state reports the same pipelines forward with them (Tenable's asset
export), at the severity their severity_id gives (mostly Informational: low). They have
no finding_info: their source_ref is metadata.uid (else common.content_digest of the
event), their title their type and what they acted on (ocsf_activity.activity_title:
"API Activity: Read (DescribeDirectConnectGateways)", "Email Activity: Trace (<the
subject>)", "Device Inventory Info: Log (<the device>)"); they are tagged "class:" +
class_name and "status:" + status. The other categories (Remediation, 7xxx, and any
unknown) are refused.

2005 Incident Finding is refused: it has no uid or title of its own (`desc` and
`finding_info_list` only, OCSF 1.1 to 1.5), so an update or the closure of an incident
could not be told from a new alert, and it reports an incident another system has opened.
The 400 names the accepted classes.

A Security Finding keeps its finding in `finding` (OCSF 1.0) rather than `finding_info`;
both are read, finding_info first. The schema's integers (class_uid, severity_id, an
observable's type_id, a resource's role_id, compliance.status_id) are read from a decimal
string as well (ocsf_activity.ocsf_int: Zeek's OCSF mappings write "class_uid": "4007").

- source_ref: finding_info.uid / finding.uid (required)
- title: finding_info.title / finding.title (required)
- description: finding_info.desc and `message` when it says something else (Prowler: the
  check's text, then "ACM Certificate ... expires in 200 days."); neither sent, `raw_data`
  (the event as the source wrote it: Cisco ASA's syslog line), as the Splunk and Wazuh
  adapters fall back to the raw event
- severity: severity_id 1-2 low, 3 medium, 4 high, 5-6 critical; 0/99 use the
  `severity` caption when it names one, else medium
- techniques: finding_info.attacks[] and the event's own attacks[] (OCSF 1.0):
  sub_technique.uid and technique.uid; a uid holding several ids ("T1068, T1190", as
  Wazuh's Security Lake converter writes them) gives each; Prowler's unmapped.compliance["MITRE-ATTACK"]
  (read leniently: a value that is no id is flagged technique_unparsed)
- observed_at: finding_info.first_seen_time, else start_time, else time (epoch ms as the
  schema says; seconds, microseconds (Tenable's published example) and nanoseconds are
  told by their size); each with its `*_dt` twin (the Date/Time profile's RFC 3339
  string), read when the number is absent or unreadable; neither
  readable: flagged observed_at_unparsed (the field as sent), receive time used
- observables:
  - observables[] by type_id (1 hostname, 2 IP, 4 user name, 5 email, 6 URL, 8 hash,
    12 subnet); the schema's ids past 12 are objects whose `value` it leaves empty
    (20 Endpoint, 21 User ... 30 Fingerprint) or values Vigil has no type for (13 command
    line, 14 country, 45 file path ...). type_id 0 (Unknown) and 99 (Other) are typed by
    the last segment of `name`, the attribute path, where that names one type: `ip`,
    `hostname`, `email_addr`, `url_string` (Falco writes {"name": "hostname",
    "type_id": 0}); `name`, `uid`, `domain` (a Windows domain as often as a DNS one) do
    not. The role comes from `name` (src/dst), else user for a user name, else declared
  - evidences[] src/dst endpoints, users and URLs, their email's senders, recipients and
    links, their http_request's URL, server and forwarded-for clients and their DNS
    query's name and answers (read as ocsf_activity reads them), and the same on the
    event itself (an Email, HTTP or DNS Activity's own; where producers such as Synqly's
    bridge put a finding's)
  - device hostname, name and ip (destination); actor.user.name and .email_addr (user:
    who acted, in activity events)
  - resources[] and `resource` (the one resource of older Vulnerability and Compliance
    Findings): hostname and ip (resource_details has them in OCSF 1.7, not in 1.5);
    `name` only where `type` names a host (host, agent, endpoint, device, server) or the
    finding is Wazuh's (metadata.product.name "Wazuh": its Security Lake converter writes
    the agent as the one resource, {name: agent.name, uid: agent.id}, and Vigil's Wazuh
    adapter reads agent.name as a host too); other resources' names (buckets, security
    groups, repositories) name no host. Destination, source for role_id 2 (Actor),
    declared for 4 (Related); a resource's `data` object's md5 / sha1 / sha256 (hash) and
    user_name (CrowdStrike's converter puts the process's file and user there)
- tags: finding_info.types; "status:" + status_code (a check's PASS or FAIL);
  "disposition:" + disposition (what the security control did: Blocked, Allowed...);
  vulnerabilities[].cve.uid when it is a CVE id
  ("CVE-2024-3094"); compliance: "control:" + compliance.control, "standard:" + each of
  compliance.standards, "compliance:" + its status (the status_id caption, else `status`)
"""

import re

from .common import (
    Adapter,
    Errors,
    R,
    Reading,
    T,
    as_list,
    content_digest,
    dig,
    event_time,
    first,
    parse_time,
    read_severity,
    read_str,
    read_str_list,
    read_techniques,
    specific_first,
)
from .observable_list import ObservableList
from .ocsf_activity import (
    ACTIVITY_CATEGORIES,
    activity_tags,
    activity_title,
    is_activity,
    ocsf_int,
    read_dns,
    read_email,
    read_http_request,
)

DETECTION_FINDING = 2004
SECURITY_FINDING = 2001
FINDING_CLASSES = {
    DETECTION_FINDING: "Detection Finding",
    SECURITY_FINDING: "Security Finding",
    2002: "Vulnerability Finding",
    2003: "Compliance Finding",
    2006: "Data Security Finding",
    2007: "Application Security Posture Finding",
}
CLASS_MESSAGE = (
    "Must be an OCSF finding class: "
    + ", ".join(f"{uid} ({name})" for uid, name in FINDING_CLASSES.items())
    + ", or an activity class ("
    + ", ".join(f"{category}xxx {name}" for category, name in ACTIVITY_CATEGORIES.items())
    + "). 2005 (Incident Finding) has no uid or title of its own: send its findings."
)
SEVERITY_IDS = {1: 1, 2: 1, 3: 2, 4: 3, 5: 4, 6: 4}
OBSERVABLE_TYPE_IDS = {1: T.HOSTNAME, 2: T.IP, 4: T.USER, 5: T.EMAIL, 6: T.URL, 8: T.HASH, 12: T.CIDR}
UNTYPED_OBSERVABLE_IDS = (0, 99)
# The last segment of an Unknown/Other observable's `name` that names one type.
OBSERVABLE_NAME_TYPES = {"ip": T.IP, "hostname": T.HOSTNAME, "email_addr": T.EMAIL, "url_string": T.URL}
HOST_RESOURCE_TYPES = frozenset({"host", "agent", "endpoint", "device", "server"})
# Producers whose resources are hosts by construction (see the module docstring).
HOST_RESOURCE_PRODUCTS = frozenset({"wazuh"})
RESOURCE_ROLES = {2: R.SOURCE, 4: R.DECLARED}  # role_id 2 Actor, 4 Related; else the target
MAX_RESOURCES = 100
HASH_KEYS = ("md5", "sha1", "sha256")
# Prowler's own spelling of the ATT&CK mapping (unmapped.compliance["MITRE-ATTACK"]).
PROWLER_ATTACK_KEY = "MITRE-ATTACK"
COMPLIANCE_STATUSES = {1: "Pass", 2: "Warning", 3: "Fail"}
CVE_ID = re.compile(r"CVE-\d{4}-\d{4,}", re.IGNORECASE)
# (object, its key) in the order the observed time is taken.
TIME_FIELDS = (("info", "first_seen_time"), ("item", "start_time"), ("item", "time"))


def observable_role(name, type_: str) -> str:
    name = name.lower() if isinstance(name, str) else ""
    if "src" in name or "source" in name:
        return R.SOURCE
    if "dst" in name or "dest" in name:
        return R.DESTINATION
    if type_ == T.USER:
        return R.USER
    return R.DECLARED


def severity_from(errors: Errors, item: dict) -> int:
    severity_id = ocsf_int(item.get("severity_id"))
    if severity_id in SEVERITY_IDS:
        return SEVERITY_IDS[severity_id]
    caption = item.get("severity")
    if isinstance(caption, str) and caption.strip().lower() in ("low", "medium", "high", "critical"):
        return read_severity(errors, "severity", caption)
    if item.get("severity_id") is not None and severity_id not in (0, 99):
        errors.add("severity_id", "Must be an OCSF severity id (0-6 or 99).")
    return 2


def _strings(value) -> list[str]:
    return [v for v in as_list(value) if isinstance(v, str) and v.strip()]


def observed_at(alert: Reading, objects: dict, info_name: str):
    """The first of TIME_FIELDS present, its number or else its `_dt` twin; when neither
    of that field reads, the flag (event_time) names the field as sent."""
    for owner, key in TIME_FIELDS:
        doc = objects[owner]
        values = [v for v in (doc.get(key), doc.get(f"{key}_dt")) if v is not None and v != ""]
        if not values:
            continue
        for value in values:
            when = parse_time(Errors(), key, value)
            if when is not None:
                return when
        return event_time(alert, f"{info_name}.{key}" if owner == "info" else key, values[0])
    return None


def read_observables(observables: ObservableList, item: dict) -> None:
    for obs in as_list(item.get("observables")):
        if not isinstance(obs, dict):
            continue
        type_id, name = ocsf_int(obs.get("type_id")), obs.get("name")
        type_ = OBSERVABLE_TYPE_IDS.get(type_id)
        if type_ is None and type_id in UNTYPED_OBSERVABLE_IDS and isinstance(name, str):
            type_ = OBSERVABLE_NAME_TYPES.get(name.rsplit(".", 1)[-1].removesuffix("[]"))
        if type_ is not None:
            observables.add(type_, obs.get("value"), observable_role(name, type_))


def read_resources(observables: ObservableList, item: dict) -> None:
    product = dig(item, "metadata.product.name")
    names_are_hosts = isinstance(product, str) and product.strip().lower() in HOST_RESOURCE_PRODUCTS
    resources = [*as_list(item.get("resources"))[:MAX_RESOURCES], item.get("resource")]
    for resource in resources:
        if not isinstance(resource, dict):
            continue
        role = RESOURCE_ROLES.get(ocsf_int(resource.get("role_id")), R.DESTINATION)
        observables.add(T.HOSTNAME, resource.get("hostname"), role)
        observables.add(T.IP, resource.get("ip"), role)
        data = resource.get("data")
        if isinstance(data, dict):  # CrowdStrike's converter: the process's file and user
            for algorithm in HASH_KEYS:
                observables.add(T.HASH, data.get(algorithm), R.DECLARED)
            observables.add(T.USER, data.get("user_name"), R.USER)
        kind = resource.get("type")
        if names_are_hosts or (isinstance(kind, str) and kind.strip().lower() in HOST_RESOURCE_TYPES):
            observables.add(T.HOSTNAME, resource.get("name"), role)


def read_evidences(observables: ObservableList, item: dict) -> None:
    """evidences[] (Detection Finding), and the same objects on the event itself (an
    activity's own; a finding's where a producer puts them there, as Synqly's bridge does)."""
    for evidence in [*as_list(item.get("evidences")), item]:
        if not isinstance(evidence, dict):
            continue
        observables.add(T.IP, dig(evidence, "src_endpoint.ip"), R.SOURCE)
        observables.add(T.HOSTNAME, dig(evidence, "src_endpoint.hostname"), R.SOURCE)
        observables.add(T.IP, dig(evidence, "dst_endpoint.ip"), R.DESTINATION)
        observables.add(T.HOSTNAME, dig(evidence, "dst_endpoint.hostname"), R.DESTINATION)
        observables.add(T.USER, dig(evidence, "user.name"), R.USER)
        observables.add(T.EMAIL, dig(evidence, "user.email_addr"), R.USER)
        observables.add(T.URL, dig(evidence, "url.url_string"), R.DECLARED)
        observables.add(T.DOMAIN, dig(evidence, "url.hostname"), R.DESTINATION)
        read_email(observables, evidence.get("email"))
        read_http_request(observables, evidence.get("http_request"))
        read_dns(observables, evidence)


def context_tags(item: dict) -> list[str]:
    """CVE ids of the vulnerabilities, the compliance control, standards and status; read
    leniently (context, never a reason to refuse the finding)."""
    tags = []
    for vulnerability in as_list(item.get("vulnerabilities")):
        uid = dig(vulnerability, "cve.uid")
        if isinstance(uid, str) and CVE_ID.fullmatch(uid.strip()):
            tags.append(uid.strip().upper())
    status_code = item.get("status_code")
    if isinstance(status_code, str) and status_code.strip():
        tags.append(f"status:{status_code.strip()[:40]}")  # a check's PASS / FAIL (Prowler)
    disposition = item.get("disposition")
    if isinstance(disposition, str) and disposition.strip():
        tags.append(f"disposition:{disposition.strip()[:40]}")
    compliance = item.get("compliance")
    if isinstance(compliance, dict):
        tags += [f"control:{control}" for control in _strings(compliance.get("control"))]
        tags += [f"standard:{standard}" for standard in _strings(compliance.get("standards"))]
        status = COMPLIANCE_STATUSES.get(ocsf_int(compliance.get("status_id")))
        tags += [f"compliance:{s}" for s in ([status] if status else _strings(compliance.get("status"))[:1])]
    return tags


class OcsfAdapter(Adapter):
    name = "ocsf"
    field_names = {"source_ref": "finding_info.uid", "title": "finding_info.title"}

    def read(self, alert: Reading, item: dict) -> None:
        class_uid = ocsf_int(item.get("class_uid"))
        activity = class_uid not in FINDING_CLASSES and is_activity(class_uid)
        if class_uid not in FINDING_CLASSES and not activity:
            alert.add("class_uid", CLASS_MESSAGE)
        info_name = "finding" if item.get("finding_info") in (None, "") else "finding_info"
        info = first(item.get("finding_info"), item.get("finding"))
        has_info = isinstance(info, dict)
        if not has_info and not activity:
            alert.add("finding_info", "This field is required (an object with uid and title).")
        info = info if has_info else {}
        alert.source_ref = read_str(
            alert, "finding_info.uid", info.get("uid"), required=has_info, allow_numbers=True
        )
        alert.title = read_str(alert, "finding_info.title", info.get("title"), required=has_info)
        if activity:  # an event: its metadata.uid (else a digest) and its type
            uid = read_str(alert, "metadata.uid", dig(item, "metadata.uid"), allow_numbers=True)
            alert.source_ref = alert.source_ref or uid or content_digest(item)
            alert.title = alert.title or activity_title(item)
        # desc is often the check's generic text and `message` this finding's own sentence
        # (Prowler: "ACM Certificate ... expires in 200 days."): both are kept.
        texts = [
            read_str(alert, "finding_info.desc", info.get("desc")),
            read_str(alert, "message", item.get("message")),
        ]
        raw_data = item.get("raw_data")  # context only: a value that is no text is skipped
        alert.description = "\n\n".join(dict.fromkeys(t for t in texts if t)) or (
            raw_data if isinstance(raw_data, str) else ""
        )
        alert.observed_at = observed_at(alert, {"info": info, "item": item}, info_name)
        technique_ids = []
        for attack in as_list(info.get("attacks")) + as_list(item.get("attacks")):
            if isinstance(attack, dict):
                technique_ids += [dig(attack, "sub_technique.uid"), dig(attack, "technique.uid")]
        techniques = read_techniques(
            alert, "finding_info.attacks", [t for t in technique_ids if t is not None]
        )
        techniques += read_techniques(
            alert, "unmapped.compliance", dig(item, f"unmapped.compliance.{PROWLER_ATTACK_KEY}"), lenient=True
        )
        alert.technique_ids = specific_first(techniques)

        observables = ObservableList()
        read_observables(observables, item)
        read_evidences(observables, item)
        observables.add(T.HOSTNAME, dig(item, "device.hostname"), R.DESTINATION)
        observables.add(T.HOSTNAME, dig(item, "device.name"), R.DESTINATION)
        observables.add(T.USER, dig(item, "actor.user.name"), R.USER)
        observables.add(T.EMAIL, dig(item, "actor.user.email_addr"), R.USER)
        observables.add(T.IP, dig(item, "device.ip"), R.DESTINATION)
        read_resources(observables, item)
        alert.observables = observables.items
        alert.severity = severity_from(alert, item)
        types = read_str_list(alert, "finding_info.types", info.get("types"))
        alert.tags = list(dict.fromkeys(types + context_tags(item) + activity_tags(item, activity)))
