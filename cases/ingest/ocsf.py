"""OCSF findings: Detection Finding (class_uid 2004, OCSF 1.1+) and Security Finding
(class_uid 2001, OCSF 1.0 and earlier, deprecated since 1.1 but what most producers still
send: 3 of the 5 finding examples in the OCSF project's own repository use it).

A Security Finding keeps its finding in `finding` (OCSF 1.0) rather than `finding_info`;
both are read, finding_info first.

- source_ref: finding_info.uid / finding.uid (required)
- title: finding_info.title / finding.title (required)
- description: finding_info.desc, else message
- severity: severity_id 1-2 low, 3 medium, 4 high, 5-6 critical; 0/99 use the
  `severity` caption when it names one, else medium
- techniques: finding_info.attacks[] and the event's own attacks[] (OCSF 1.0):
  sub_technique.uid and technique.uid
- observed_at: finding_info.first_seen_time, else start_time, else time (epoch ms); each
  also as its `*_dt` twin (the Date/Time profile's RFC 3339 string) when the number is
  absent; unreadable: flagged observed_at_unparsed, receive time used
- observables: observables[] by type_id (1 hostname, 2 IP, 4 user name, 5 email,
  6 URL, 8 hash, 12 subnet), evidences[] src/dst endpoints, users and URLs, device
- tags: finding_info.types
"""

from .common import (
    Adapter,
    Errors,
    ObservableList,
    R,
    Reading,
    T,
    as_list,
    dig,
    event_time,
    first,
    read_severity,
    read_str,
    read_str_list,
    read_techniques,
    specific_first,
)

DETECTION_FINDING = 2004
SECURITY_FINDING = 2001
FINDING_CLASSES = {DETECTION_FINDING: "Detection Finding", SECURITY_FINDING: "Security Finding"}
SEVERITY_IDS = {1: 1, 2: 1, 3: 2, 4: 3, 5: 4, 6: 4}
OBSERVABLE_TYPE_IDS = {1: T.HOSTNAME, 2: T.IP, 4: T.USER, 5: T.EMAIL, 6: T.URL, 8: T.HASH, 12: T.CIDR}


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
    severity_id = item.get("severity_id")
    if isinstance(severity_id, int) and not isinstance(severity_id, bool) and severity_id in SEVERITY_IDS:
        return SEVERITY_IDS[severity_id]
    caption = item.get("severity")
    if isinstance(caption, str) and caption.strip().lower() in ("low", "medium", "high", "critical"):
        return read_severity(errors, "severity", caption)
    if severity_id is not None and severity_id not in (0, 99):
        errors.add("severity_id", "Must be an OCSF severity id (0-6 or 99).")
    return 2


class OcsfAdapter(Adapter):
    name = "ocsf"
    field_names = {"source_ref": "finding_info.uid", "title": "finding_info.title"}

    def read(self, alert: Reading, item: dict) -> None:
        class_uid = item.get("class_uid")
        if not isinstance(class_uid, int) or isinstance(class_uid, bool) or class_uid not in FINDING_CLASSES:
            alert.add(
                "class_uid",
                "Must be " + " or ".join(f"{uid} ({name})" for uid, name in FINDING_CLASSES.items()) + ".",
            )
        info = first(item.get("finding_info"), item.get("finding"))
        has_info = isinstance(info, dict)
        if not has_info:
            alert.add("finding_info", "This field is required (an object with uid and title).")
            info = {}
        alert.source_ref = read_str(
            alert, "finding_info.uid", info.get("uid"), required=has_info, allow_numbers=True
        )
        alert.title = read_str(alert, "finding_info.title", info.get("title"), required=has_info)
        alert.description = read_str(alert, "finding_info.desc", first(info.get("desc"), item.get("message")))
        alert.observed_at = event_time(
            alert,
            "finding_info.first_seen_time",
            first(
                info.get("first_seen_time"),
                info.get("first_seen_time_dt"),
                item.get("start_time"),
                item.get("start_time_dt"),
                item.get("time"),
                item.get("time_dt"),
            ),
        )
        technique_ids = []
        for attack in as_list(info.get("attacks")) + as_list(item.get("attacks")):
            if isinstance(attack, dict):
                technique_ids += [dig(attack, "sub_technique.uid"), dig(attack, "technique.uid")]
        alert.technique_ids = specific_first(
            read_techniques(alert, "finding_info.attacks", [t for t in technique_ids if t is not None])
        )

        observables = ObservableList()
        for obs in as_list(item.get("observables")):
            type_id = obs.get("type_id") if isinstance(obs, dict) else None
            if isinstance(type_id, int) and type_id in OBSERVABLE_TYPE_IDS:
                type_ = OBSERVABLE_TYPE_IDS[obs["type_id"]]
                observables.add(type_, obs.get("value"), observable_role(obs.get("name"), type_))
        for evidence in as_list(item.get("evidences")):
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
            observables.add(T.EMAIL, dig(evidence, "email.from"), R.SENDER)
        observables.add(T.HOSTNAME, dig(item, "device.hostname"), R.DESTINATION)
        observables.add(T.IP, dig(item, "device.ip"), R.DESTINATION)
        alert.observables = observables.items
        alert.severity = severity_from(alert, item)
        alert.tags = read_str_list(alert, "finding_info.types", info.get("types"))
