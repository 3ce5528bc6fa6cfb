"""Wazuh alerts (the alert JSON from alerts.json or an integration).

- source_ref: id (required; "1772632721.4829113")
- title: rule.description (required)
- description: full_log
- severity: rule.level 0-15 -> low (0-4), medium (5-7), high (8-11), critical (12-15),
  the bands Wazuh's own TheHive integration uses
- techniques: rule.mitre.id (parallel arrays with tactic and technique names)
- observed_at: timestamp ("2026-03-04T13:58:41.203+0000"), else @timestamp (indexer
  exports); unreadable: flagged observed_at_unparsed, receive time used
- observables: data.srcip / data.src_ip (source), data.dstip (destination),
  data.srcuser / data.dstuser / data.user (user), data.url, agent.name (host), agent.ip,
  Windows eventdata addresses and accounts, syscheck hashes
- tags: rule.groups
"""

from .common import (
    Adapter,
    Errors,
    ObservableList,
    R,
    Reading,
    T,
    event_time,
    first,
    flatten,
    read_str,
    read_str_list,
    read_techniques,
)

LEVEL_BANDS = ((12, 4), (8, 3), (5, 2), (0, 1))

OBSERVABLE_FIELDS = [
    ("data.srcip", T.IP, R.SOURCE),
    ("data.src_ip", T.IP, R.SOURCE),
    ("data.win.eventdata.ipAddress", T.IP, R.SOURCE),
    ("data.aws.sourceIPAddress", T.IP, R.SOURCE),
    ("data.dstip", T.IP, R.DESTINATION),
    ("data.dest_ip", T.IP, R.DESTINATION),
    ("agent.ip", T.IP, R.DESTINATION),
    ("data.srcuser", T.USER, R.USER),
    ("data.dstuser", T.USER, R.USER),
    ("data.user", T.USER, R.USER),
    ("data.win.eventdata.targetUserName", T.USER, R.USER),
    ("data.win.eventdata.subjectUserName", T.USER, R.USER),
    ("data.win.eventdata.workstationName", T.HOSTNAME, R.SOURCE),
    ("data.win.system.computer", T.HOSTNAME, R.DESTINATION),
    ("agent.name", T.HOSTNAME, R.DESTINATION),
    ("data.url", T.URL, R.DECLARED),
    ("data.hostname", T.HOSTNAME, R.DECLARED),
    ("syscheck.md5_after", T.HASH, R.DECLARED),
    ("syscheck.sha1_after", T.HASH, R.DECLARED),
    ("syscheck.sha256_after", T.HASH, R.DECLARED),
]


def severity_from_level(errors: Errors, level) -> int:
    if isinstance(level, str) and level.strip().isdecimal():
        level = int(level.strip())
    if level is None:
        return 2
    if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 15:
        errors.add("rule.level", "Must be a Wazuh level, 0-15.")
        return 2
    return next(severity for floor, severity in LEVEL_BANDS if level >= floor)


class WazuhAdapter(Adapter):
    name = "wazuh"
    field_names = {"source_ref": "id", "title": "rule.description"}

    def read(self, alert: Reading, item: dict) -> None:
        rule = item.get("rule")
        if rule is not None and not isinstance(rule, dict):
            alert.add("rule", "Must be an object.")
        # Exports from the indexer may carry dotted keys ("data.srcip"); read both spellings.
        flat = flatten(item)
        alert.source_ref = read_str(alert, "id", item.get("id"), required=True, allow_numbers=True)
        alert.title = read_str(alert, "rule.description", flat.get("rule.description"), required=True)
        alert.description = read_str(alert, "full_log", item.get("full_log"))
        alert.technique_ids = read_techniques(alert, "rule.mitre.id", flat.get("rule.mitre.id"))
        alert.observed_at = event_time(
            alert, "timestamp", first(item.get("timestamp"), item.get("@timestamp"))
        )
        alert.observables = ObservableList.of_fields(flat, OBSERVABLE_FIELDS).items
        alert.severity = severity_from_level(alert, flat.get("rule.level"))
        alert.tags = read_str_list(alert, "rule.groups", flat.get("rule.groups"))
