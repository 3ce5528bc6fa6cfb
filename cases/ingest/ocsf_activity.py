"""OCSF activity events (see ocsf.py): which classes are accepted, their title and tags,
and the email, HTTP request and DNS query objects they carry (a Detection Finding's
evidences carry the same objects, and are read with the same functions).

- title: type_name ("Authentication: Logon"), else "class_name: activity_name", else
  `message`, else the class's name, the name taken from ACTIVITY_CLASSES when the event
  leaves class_name out (Zeek's OCSF mappings do); with what the activity acted on, when
  the event names it: the API operation ("API Activity: Read
  (DescribeDirectConnectGateways)"), the email's subject, the HTTP request's URL, the DNS
  query's name ("DNS Activity: Traffic (ip-127-0-0-62.alert.firewall.canary.)"), the
  process's command line, else its file's name (Process Activity: the process launched or
  terminated; the actor's process is the one that did it), the group's name (Group
  Management: the group a user was added to or removed from), the Windows resource's
  (Windows Resource Activity: the registry key or object accessed); a Discovery report's
  device (hostname, else name), else its user (Device Inventory Info, User Inventory Info:
  what was inventoried)
- email (Email Activity 4009, and the email of any evidence): from, smtp_from and reply_to
  are the sender's; to, smtp_to, cc and delivered_to the recipients' (destination), each
  an address or an RFC 5322 mailbox ("Warren Lutze <estimating@example.com.au>");
  x_originating_ip (source); urls[].url_string (declared: OCSF 1.3+ lists the message's
  links there)
- http_request: url.url_string (declared), url.hostname (the server asked: destination),
  x_forwarded_for (the client behind a proxy: source)
- DNS (DNS Activity 4003, and a finding evidence's query): query.hostname, the name asked
  (a domain, declared, as the Elastic adapter reads dns.question.name), and each of
  answers[].rdata that is an address or a name (a CNAME's target), declared; other record
  data (TXT, MX preference and host) gives none
"""

from email.utils import getaddresses

from .common import R, T, as_list, dig
from .observable_list import ObservableList

# Activity events a pipeline forwards as alerts (Security Lake subscribers, a SIEM's OCSF
# output): System (1xxx), Identity & Access Management (3xxx, "Audit Activity" before
# 1.0), Network (4xxx) and Application (6xxx) Activity classes, and the inventory and state
# reports of Discovery (5xxx) forwarded with them.
ACTIVITY_CATEGORIES = {
    1: "System",
    3: "Identity & Access Management",
    4: "Network",
    5: "Discovery",
    6: "Application",
}
DISCOVERY = 5
# The OCSF 1.x names of those classes, for an event without class_name. (Before 1.0 the
# numbers differed: 3005 was API Activity; such events name their class.)
ACTIVITY_CLASSES = {
    1001: "File System Activity",
    1002: "Kernel Extension Activity",
    1003: "Kernel Activity",
    1004: "Memory Activity",
    1005: "Module Activity",
    1006: "Scheduled Job Activity",
    1007: "Process Activity",
    3001: "Account Change",
    3002: "Authentication",
    3003: "Authorize Session",
    3004: "Entity Management",
    3005: "User Access Management",
    3006: "Group Management",
    4001: "Network Activity",
    4002: "HTTP Activity",
    4003: "DNS Activity",
    4004: "DHCP Activity",
    4005: "RDP Activity",
    4006: "SMB Activity",
    4007: "SSH Activity",
    4008: "FTP Activity",
    4009: "Email Activity",
    4010: "Network File Activity",
    4011: "Email File Activity",
    4012: "Email URL Activity",
    4013: "NTP Activity",
    4014: "Tunnel Activity",
    5001: "Device Inventory Info",
    5002: "Device Config State",
    5003: "User Inventory Info",
    5004: "Operating System Patch State",
    5019: "Device Config State Change",
    5020: "Software Inventory Info",
    6001: "Web Resources Activity",
    6002: "Application Lifecycle",
    6003: "API Activity",
    6004: "Web Resource Access Activity",
    6005: "Datastore Activity",
    6006: "File Hosting Activity",
    6007: "Scan Activity",
}
SENDER_FIELDS = ("from", "smtp_from", "reply_to")
RECIPIENT_FIELDS = ("to", "smtp_to", "cc", "delivered_to")
MAX_ADDRESSES = 100
MAX_INT_DIGITS = 18  # an OCSF id or epoch number; longer digit strings are no integer field


def ocsf_int(value) -> int | None:
    """An OCSF integer field: a JSON integer, or one written as a decimal string ("4007",
    as Zeek's OCSF mappings write their ids); None for anything else."""
    text = value.strip() if isinstance(value, str) else ""
    if 0 < len(text) <= MAX_INT_DIGITS and text.isascii() and text.isdecimal():
        return int(text)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def is_activity(class_uid) -> bool:
    """An activity event class (ACTIVITY_CATEGORIES), not a finding."""
    return class_uid is not None and 1000 <= class_uid < 7000 and class_uid // 1000 in ACTIVITY_CATEGORIES


def _text(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def activity_title(item: dict) -> str:
    """An activity event's headline (see the module docstring)."""
    class_uid = ocsf_int(item.get("class_uid"))
    class_name = _text(item.get("class_name")) or ACTIVITY_CLASSES.get(class_uid)
    activity_name = _text(item.get("activity_name"))
    title = _text(item.get("type_name")) or (
        f"{class_name}: {activity_name}" if class_name and activity_name else None
    )
    title = title or _text(item.get("message")) or class_name or f"OCSF activity (class {class_uid})"
    acted_on = activity_object(item)
    return f"{title} ({acted_on})" if acted_on else title


def activity_object(item: dict) -> str | None:
    """What the activity acted on, as the event names it: the API operation, the email's
    subject, the HTTP request's URL (url_string, else hostname and path), the DNS query's
    name, the process's command line (else its file's or its own name), the group's name,
    the Windows resource's name; a Discovery report's device or user."""
    url = dig(item, "http_request.url")
    url = url if isinstance(url, dict) else {}
    hostname, path = _text(url.get("hostname")), _text(url.get("path"))
    discovery = (ocsf_int(item.get("class_uid")) or 0) // 1000 == DISCOVERY
    return (
        _text(dig(item, "api.operation"))
        or _text(dig(item, "email.subject"))
        or _text(url.get("url_string"))
        or (f"{hostname}{path or ''}" if hostname else None)
        or _text(dig(item, "query.hostname"))
        or _text(dig(item, "process.cmd_line"))
        or _text(dig(item, "process.file.name"))
        or _text(dig(item, "process.name"))
        or _text(dig(item, "group.name"))
        or _text(dig(item, "win_resource.name"))
        or (inventoried(item) if discovery else None)
    )


def inventoried(item: dict) -> str | None:
    """What a Discovery report is about: its device (hostname, else name), else its user."""
    return (
        _text(dig(item, "device.hostname"))
        or _text(dig(item, "device.name"))
        or _text(dig(item, "user.name"))
    )


def activity_tags(item: dict, activity: bool) -> list[str]:
    """An activity event's class and outcome ("class:Authentication", "status:Failure")."""
    if not activity:
        return []
    names = [("class", item.get("class_name")), ("status", item.get("status"))]
    return [f"{key}:{value.strip()[:40]}" for key, value in names if isinstance(value, str) and value.strip()]


def mailboxes(value) -> list[str]:
    """The addresses of an email field: each value an address or a mailbox with a display
    name ("Warren Lutze <estimating@example.com.au>", "<bert@example.com>")."""
    texts = [v for v in as_list(value)[:MAX_ADDRESSES] if isinstance(v, str)]
    return [address for _, address in getaddresses(texts) if address]


def read_email(observables: ObservableList, email) -> None:
    """The OCSF email object's parties and links (see the module docstring)."""
    if not isinstance(email, dict):
        return
    for name in SENDER_FIELDS:
        observables.add(T.EMAIL, mailboxes(email.get(name)), R.SENDER)
    for name in RECIPIENT_FIELDS:
        observables.add(T.EMAIL, mailboxes(email.get(name)), R.DESTINATION)
    observables.add(T.IP, email.get("x_originating_ip"), R.SOURCE)
    links = [dig(url, "url_string") for url in as_list(email.get("urls"))[:MAX_ADDRESSES]]
    observables.add(T.URL, links, R.DECLARED)


def read_http_request(observables: ObservableList, request) -> None:
    """The OCSF http_request object's URL, server name and forwarded-for clients."""
    if not isinstance(request, dict):
        return
    observables.add(T.URL, dig(request, "url.url_string"), R.DECLARED)
    observables.add(T.HOSTNAME, dig(request, "url.hostname"), R.DESTINATION)
    observables.add(T.IP, request.get("x_forwarded_for"), R.SOURCE)


def read_dns(observables: ObservableList, item: dict) -> None:
    """The name a DNS query asked and the addresses and names its answers gave."""
    observables.add(T.DOMAIN, dig(item, "query.hostname"), R.DECLARED)
    answers = [dig(answer, "rdata") for answer in as_list(item.get("answers"))[:MAX_ADDRESSES]]
    observables.add(T.IP, answers, R.DECLARED)
    observables.add(T.DOMAIN, answers, R.DECLARED)
