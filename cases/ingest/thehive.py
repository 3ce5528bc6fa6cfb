"""TheHive alert bodies (TheHive 5's POST /api/v1/alert, TheHive 3/4's POST /api/alert),
so tools that speak TheHive (thehive4py, Kibana's TheHive connector, Wazuh's
integration) can point at Vigil unchanged; cases.api.thehive serves TheHive's paths.

- required, as in TheHive: type, source, sourceRef, title; identity is type + source +
  sourceRef, so source_ref is "type:source:sourceRef"
- severity 1-4 (1 low ... 4 critical); date in epoch milliseconds
- observables ("artifacts" in TheHive 4): {dataType, data, tags}; dataType ip, domain,
  fqdn, hostname, url, mail, hash, and "other" tagged account/user for user names
- an observable's role from its tags: "src"/"source"/"attacker" on an ip; a field tag
  `<namespace>:type=<ECS field>` (Sekoia's `sekoia:type=source.ip`) says which party it
  is (source./client. source, destination./server. destination, email.from. sender) and
  `...:type=user.name` on an "other" observable makes it a user name; else, on an ip or a
  host, its `message` (TheHive's note on the observable) when it starts by naming the
  party: "Source IP", "src_ip", "attacker ..." (source), "Destination IP", "dst",
  "target ...", "victim ..." (destination), as Tenzir's Suricata-to-TheHive app writes them
- users named by tags: `user:<name>` or `username:<name>` (also with "=") on the alert or
  on an observable is a user observable (role user), at most MAX_TAG_USERS per alert
- the host named by the alert's tags (destination: the host the alert is about):
  `host:`, `hostname:` or `agent_name:` (also with "=") a host name, `host_ip:` or
  `agent_ip:` its address; the Wazuh integration most deployments copy
  (crow1011/wazuh2thehive's custom-w2thive.py) names the agent only so, in
  `agent_name=<name>` and `agent_ip=<address>` tags ("no agent ip" is no address)
- techniques: ATT&CK ids in tags ("attack.t1591.002", "T1591.002", "mitre:T1591",
  "mitre-attack/T1566.001"...), in `procedures[].patternId` (TheHive 5) and in `ttps`
  (ids or {patternId} objects, as some integrations send)
- observed_at: date (epoch ms); without a date, the earliest `procedures[].occurDate`
  (TheHive 5: when each technique was seen); unreadable: flagged observed_at_unparsed,
  receive time used
- file observables ("file" dataType: an attachment) are not entities: the compat API keeps
  them as evidence files
- a `url` observable written without a scheme ("example.org", as thehive4py's own tests
  send it; TheHive does not check an observable's data) is no URL: its host is read as a
  domain, in the observable's role
- any other observable is a value TheHive accepts (its admin configures the dataTypes:
  registry, user-agent, filename, autonomous-system, a custom type) or one Vigil cannot
  read as an entity of its type (an ip "999.1.1.1", a "-"): no entity, but `kept_values`
  names it, and the compat API keeps it on the alert as sent (cases.models.KeptObservable)
- an observable TheHive would refuse (`unreadable`: no dataType, no data, a value too
  long) is skipped and flagged `observable_unreadable`; the alert is kept (its raw has it)
"""

import re

from .base import MAX_OBSERVABLES
from .common import (
    OBSERVABLES_TRUNCATED,
    Adapter,
    Errors,
    R,
    Reading,
    T,
    as_list,
    event_time,
    parse_time,
    read_severity,
    read_str,
    read_str_list,
    read_techniques,
    specific_first,
)
from .observable_list import MAX_VALUES, ObservableList

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
# "user:alice", "username=alice": a tag naming a user. Only these two keys: "account:" is
# as often a cloud account number as a person.
TAG_USER = re.compile(r"^(?:user|username)\s*[:=]\s*(\S.*)$", re.IGNORECASE)
# "agent_name=web-01", "hostname:web-01", "agent_ip=10.0.0.5": a tag naming the alert's
# host, by name or by address; one word after the key (not "no agent name").
TAG_HOST = re.compile(r"^(?:host|hostname|agent_name)\s*[:=]\s*(\S+)$", re.IGNORECASE)
TAG_HOST_ADDRESS = re.compile(r"^(?:host_ip|agent_ip)\s*[:=]\s*(\S+)$", re.IGNORECASE)
# An observable's message that starts by naming its party ("Source IP", "src_ip"); a letter
# after the word is another word ("Sourcefire").
MESSAGE_ROLES = (
    (re.compile(r"^\s*(?:source|src|attacker)(?![a-z])", re.IGNORECASE), R.SOURCE),
    (re.compile(r"^\s*(?:destination|dest|dst|target|victim)(?![a-z])", re.IGNORECASE), R.DESTINATION),
)
PARTY_TYPES = (T.IP, T.HOSTNAME)
# "sekoia:type=source.ip": the ECS field an integration read the observable from.
TAG_FIELD = re.compile(r"^[\w.-]+:type=([a-z_]+(?:\.[a-z_]+)+)$", re.IGNORECASE)
# The party an ECS field names, by its first segment (as the Elastic adapter reads them).
FIELD_ROLES = {"source": R.SOURCE, "client": R.SOURCE, "destination": R.DESTINATION, "server": R.DESTINATION}
USER_FIELDS = {"user.name", "host.user.name", "source.user.name", "destination.user.name"}
MAX_TAG_USERS = 20
MAX_PROCEDURES = 100
# TheHive's bounds on an observable: its dataType (String32) and, in TheHive 5, each value.
MAX_DATA_TYPE = 32
MAX_DATA = 4096
# The flag of an observable TheHive would refuse, skipped (the alert is kept).
OBSERVABLE_UNREADABLE = "observable_unreadable"


def _tags(item: dict) -> list[str]:
    return [t.strip() for t in as_list(item.get("tags"))[:100] if isinstance(t, str)]


def _field(tags: list[str]) -> str:
    """The ECS field a `<namespace>:type=<field>` tag names, lower-case, or ""."""
    for tag in tags:
        match = TAG_FIELD.match(tag)
        if match:
            return match.group(1).lower()
    return ""


def tag_users(tags: list[str]) -> list[str]:
    """The user names that `user:`/`username:` tags name."""
    return tag_values(TAG_USER, tags)


def tag_values(pattern: re.Pattern, tags: list[str]) -> list[str]:
    """What the tags matching `key:value` `pattern` name, first MAX_TAG_USERS."""
    return [m.group(1).strip() for m in map(pattern.match, tags) if m][:MAX_TAG_USERS]


def observable(item: dict) -> tuple[str, str] | None:
    data_type = item.get("dataType")
    tags = _tags(item)
    lowered = {t.lower() for t in tags}
    field = _field(tags)
    if data_type == "other" and (lowered & USER_TAGS or field in USER_FIELDS):
        return T.USER, R.USER
    if not isinstance(data_type, str) or data_type not in DATA_TYPES:
        return None
    type_ = DATA_TYPES[data_type]
    if field.split(".")[0] in FIELD_ROLES:
        return type_, FIELD_ROLES[field.split(".")[0]]
    if type_ == T.IP and lowered & SOURCE_TAGS:
        return type_, R.SOURCE
    message = item.get("message")
    if type_ in PARTY_TYPES and isinstance(message, str):
        for pattern, role in MESSAGE_ROLES:
            if pattern.match(message):
                return type_, role
    if type_ == T.EMAIL and (data_type == "mail-from" or field.startswith("email.from.")):
        return type_, R.SENDER
    return type_, R.DECLARED


def declared(item: dict):
    """The alert's observables as sent: TheHive 5's `observables`, TheHive 3/4's `artifacts`."""
    return item.get("observables", item.get("artifacts"))


def unreadable(obs) -> tuple[str, str] | None:
    """(attribute, reason) when `obs` is no observable TheHive creates, else None: it needs
    a dataType (at most MAX_DATA_TYPE characters) and, but for a file (whose content comes
    as an attachment), data: a value or a list of them, each a string (an integer is read
    as its text) of at most MAX_DATA characters, and Vigil reads MAX_VALUES of them."""
    if not isinstance(obs, dict):
        return "", "Must be an object {dataType, data}."
    data_type = obs.get("dataType")
    if not isinstance(data_type, str) or not data_type.strip():
        return "dataType", "This field is required (the observable's type: ip, domain, registry...)."
    if len(data_type) > MAX_DATA_TYPE:
        return "dataType", f"At most {MAX_DATA_TYPE} characters."
    if data_type == "file":
        return None
    values = as_list(obs.get("data"))
    if not values:
        return "data", "This field is required (a value, or a list of them)."
    if len(values) > MAX_VALUES:
        return "data", f"At most {MAX_VALUES} values per observable."
    for value in values:
        if isinstance(value, bool) or not isinstance(value, str | int):
            return "data", "Each value must be a string."
        if not str(value).strip():
            return "data", "A value is empty."
        if len(str(value)) > MAX_DATA:
            return "data", f"A value is longer than {MAX_DATA} characters."
    return None


def read_declared(obs: dict, into: ObservableList) -> list[str]:
    """Adds the values of TheHive observable `obs` that are entities to `into` (in the
    observable's role; a url without a scheme also gives its host as a domain) and
    returns the others, which Vigil keeps as sent: every value of a dataType it has no
    entity for, and those it cannot read as one of its type. A file has no values here
    (the compat API keeps it as an evidence file); a value TheHive would refuse (see
    unreadable) is neither."""
    data_type = obs.get("dataType")
    if not isinstance(data_type, str) or data_type == "file" or len(data_type) > MAX_DATA_TYPE:
        return []
    values = [
        str(v)
        for v in as_list(obs.get("data"))[:MAX_VALUES]
        if isinstance(v, str | int) and not isinstance(v, bool) and str(v).strip() and len(str(v)) <= MAX_DATA
    ]
    mapped = observable(obs)
    if mapped is None:
        return values
    type_, role = mapped
    kept = into.add(type_, values, role)
    if type_ == T.URL:
        into.add(T.DOMAIN, schemeless_hosts(values), role)
    return kept


def kept_values(item: dict) -> list[tuple[dict, str]]:
    """(observable, value) for each value of the alert's observables kept as sent (see
    read_declared), the first MAX_OBSERVABLES; the adapter flags the alert past that."""
    pairs = []
    for obs in as_list(declared(item)):
        if isinstance(obs, dict):
            pairs += [(obs, value) for value in read_declared(obs, ObservableList())]
    return pairs[:MAX_OBSERVABLES]


def schemeless_hosts(data) -> list[str]:
    """The host part of each value of a `url` observable written without a scheme."""
    values = [v.strip() for v in as_list(data) if isinstance(v, str)]
    return [v.split("/", 1)[0] for v in values if "://" not in v]


def procedure_time(alert: Reading, procedures: list):
    """The earliest readable `occurDate` of the procedures (TheHive 5 records when each
    technique was seen), or None; when some were sent and none is readable, the first is
    flagged as event_time flags an unreadable date."""
    dates = [p.get("occurDate") for p in procedures[:MAX_PROCEDURES] if isinstance(p, dict)]
    dates = [d for d in dates if d is not None and d != ""]
    readable = []
    for value in dates:
        probe = Errors()
        when = parse_time(probe, "procedures.occurDate", value)
        if when is not None:
            readable.append(when)
    if readable:
        return min(readable)
    return event_time(alert, "procedures.occurDate", dates[0]) if dates else None


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
        procedures = as_list(item.get("procedures"))
        for procedure in procedures + as_list(item.get("ttps")):
            if isinstance(procedure, dict) and procedure.get("patternId") is not None:
                techniques.append(procedure["patternId"])
            elif isinstance(procedure, str):
                techniques.append(procedure)
        alert.technique_ids = specific_first(read_techniques(alert, "procedures", techniques))

        observables = ObservableList()
        stripped = [t.strip() for t in tags]
        users = tag_users(stripped)
        sent = declared(item)
        if sent is not None and not isinstance(sent, list):
            alert.add("observables", "Must be a list of {dataType, data} objects.")
            sent = []
        key = "observables" if "observables" in item else "artifacts"
        kept = 0
        for i, obs in enumerate(sent or ()):
            problem = unreadable(obs)
            if problem:
                alert.flag(OBSERVABLE_UNREADABLE, f"{key}[{i}].{problem[0]}".rstrip("."), problem[1])
            if isinstance(obs, dict):
                kept += len(read_declared(obs, observables))
                users += tag_users(_tags(obs))
        if kept > MAX_OBSERVABLES:
            alert.flag(
                OBSERVABLES_TRUNCATED,
                key,
                f"{kept} values of no entity type; at most {MAX_OBSERVABLES} are kept as sent.",
            )
        observables.add(T.USER, list(dict.fromkeys(users))[:MAX_TAG_USERS], R.USER)
        observables.add(T.HOSTNAME, tag_values(TAG_HOST, stripped), R.DESTINATION)
        observables.add(T.IP, tag_values(TAG_HOST_ADDRESS, stripped), R.DESTINATION)
        alert.source_ref = f"{type_}:{source}:{source_ref}"
        alert.severity = read_severity(alert, "severity", item.get("severity"))
        date = item.get("date")
        if date is None or date == "":
            alert.observed_at = procedure_time(alert, procedures)
        else:
            alert.observed_at = event_time(alert, "date", date)
        alert.observables = observables.items
        alert.tags = tags
