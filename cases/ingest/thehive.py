"""TheHive alert bodies (TheHive 5's POST /api/v1/alert, TheHive 3/4's POST /api/alert),
so tools that speak TheHive (thehive4py, Kibana's TheHive connector, Wazuh's
integration) can point at Vigil unchanged; cases.api.thehive serves TheHive's paths.

- required, as in TheHive: type, source, sourceRef, title; identity is type + source +
  sourceRef, so source_ref is "type:source:sourceRef"
- severity 1-4 (1 low ... 4 critical); date in epoch milliseconds
- observables ("artifacts" in TheHive 4): {dataType, data, tags}; dataType ip, domain,
  fqdn, hostname, url, mail, hash, and "other" tagged account/user for user names
- techniques: ATT&CK ids in tags ("attack.t1591.002", "T1591.002", "mitre:T1591",
  "mitre-attack/T1566.001"...), in `procedures[].patternId` (TheHive 5) and in `ttps`
  (ids or {patternId} objects, as some integrations send)
- observed_at: date (epoch ms); unreadable: flagged observed_at_unparsed, receive time used
- file observables ("file" dataType: an attachment) are not entities: the compat API keeps
  them as evidence files
"""

import re

from .common import (
    Adapter,
    R,
    Reading,
    T,
    as_list,
    event_time,
    read_severity,
    read_str,
    read_str_list,
    read_techniques,
    specific_first,
)
from .observable_list import ObservableList

DATA_TYPES = {
    "ip": T.IP,
    "domain": T.DOMAIN,
    "fqdn": T.HOSTNAME,
    "hostname": T.HOSTNAME,
    "url": T.URL,
    "mail": T.EMAIL,
    "mail-from": T.EMAIL,
    "hash": T.HASH,
}
USER_TAGS = {"account", "user", "username", "user-account"}
SOURCE_TAGS = {"src", "source", "attacker"}
# A technique id alone or at the end of a tag after a separator ("attack.t1591.002",
# "mitre:T1591", "MITRE ATT&CK/T1566.001"), never inside a word ("xt1000").
TAG_TECHNIQUE = re.compile(r"(?:^|[.:=/_\s-])(t\d{4}(?:\.\d{3})?)$", re.IGNORECASE)


def observable(item: dict) -> tuple[str, str] | None:
    data_type = item.get("dataType")
    tags = {t.lower() for t in as_list(item.get("tags")) if isinstance(t, str)}
    if data_type == "other" and tags & USER_TAGS:
        return T.USER, R.USER
    if not isinstance(data_type, str) or data_type not in DATA_TYPES:
        return None
    type_ = DATA_TYPES[data_type]
    if type_ == T.IP and tags & SOURCE_TAGS:
        return type_, R.SOURCE
    if type_ == T.EMAIL and data_type == "mail-from":
        return type_, R.SENDER
    return type_, R.DECLARED


class TheHiveAdapter(Adapter):
    name = "thehive"
    field_names = {"source_ref": "sourceRef", "title": "title"}

    def read(self, alert: Reading, item: dict) -> None:
        type_ = read_str(alert, "type", item.get("type"), required=True)
        source = read_str(alert, "source", item.get("source"), required=True)
        source_ref = read_str(alert, "sourceRef", item.get("sourceRef"), required=True, allow_numbers=True)
        alert.title = read_str(alert, "title", item.get("title"), required=True)
        alert.description = read_str(alert, "description", item.get("description"))
        tags = read_str_list(alert, "tags", item.get("tags"))
        techniques = []
        for tag in tags:
            match = TAG_TECHNIQUE.search(tag.strip())
            if match:
                techniques.append(match.group(1).upper())
        for procedure in as_list(item.get("procedures")) + as_list(item.get("ttps")):
            if isinstance(procedure, dict) and procedure.get("patternId") is not None:
                techniques.append(procedure["patternId"])
            elif isinstance(procedure, str):
                techniques.append(procedure)
        alert.technique_ids = specific_first(read_techniques(alert, "procedures", techniques))

        observables = ObservableList()
        declared = item.get("observables", item.get("artifacts"))
        if declared is not None and not isinstance(declared, list):
            alert.add("observables", "Must be a list of {dataType, data} objects.")
            declared = []
        for obs in declared or ():
            if isinstance(obs, dict):
                mapped = observable(obs)
                if mapped:
                    observables.add(mapped[0], obs.get("data"), mapped[1])
        alert.source_ref = f"{type_}:{source}:{source_ref}"
        alert.severity = read_severity(alert, "severity", item.get("severity"))
        alert.observed_at = event_time(alert, "date", item.get("date"))
        alert.observables = observables.items
        alert.tags = tags
