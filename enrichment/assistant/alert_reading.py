"""Facts read from one alert: vendor fields where the format has them (ECS `event.*` and
`email.*`, OCSF authentication and e-mail objects, vendor counts and sizes, DLP policy,
file and application names), then the title and each sentence of the description. Each
fact cites the field path or the sentence.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import TYPE_CHECKING

from enrichment.events import event_count, get_path, is_failed_login, payloads
from intel.domains import normalize_domain

from . import counts as c
from . import exclusions as x
from . import quantities as q
from . import wording as w
from .reference import free_mail
from .vendor_fields import (
    AUTH_FIELD_PREFIXES,
    AUTH_HEADER_FIELDS,
    BYTE_FIELDS,
    FROM_FIELDS,
    NESTED_DOCUMENTS,
    RECORD_FIELDS,
    REPLY_FIELDS,
    TEXT_FIELDS,
)

if TYPE_CHECKING:  # pragma: no cover
    from .facts import AlertView

# Fact kinds.
RECON, SOLICITATION, COMMUNICATION = "recon", "solicitation", "communication"
IMPERSONATION, DISPLAY_NAME, REPLY_TO = "impersonation", "display_name_mismatch", "reply_to_mismatch"
AUTH_FAIL, AUTH_PASS = "auth_fail", "auth_pass"
MASS_MAIL, RECIPIENTS, BANK_CHANGE = "mass_mail", "recipients", "bank_change"
PERSONAL_DESTINATION, PUBLISHED, EXFILTRATION = "personal_destination", "published", "exfiltration"
RECORDS, BYTES, TRANSFER = "records", "bytes", "transfer"
ABNORMAL, NORMAL, PUBLIC_ONLY, CONFIDENTIAL = (
    "abnormal_volume",
    "normal_volume",
    "public_only",
    "confidential",
)
LOGIN_SUCCESS, LOGIN_FAILURE, FAILURES, ACCOUNTS = "login_success", "login_failure", "failures", "accounts"
CREDENTIALS_SUBMITTED, ACCOUNT_ANOMALY, AUTHORISED = "credentials_submitted", "account_anomaly", "authorised"
BLOCKED, DELIVERED, CLICKED, REPLIED = "blocked", "delivered", "clicked", "replied"
EVENTS, FRAUD, LOGIN_ATTACK, ANONYMISER = "events", "fraud", "login_attack", "anonymiser"
CLEAN, OFF_HOURS, PERIODIC, NOVELTY = "clean_verdict", "off_hours", "periodic", "novelty"
OWNER_CONFIRMED, EXPOSED = "owner_confirmed", "exposed"

# Plain wording facts: (kind, pattern).
TEXT_PATTERNS = (
    (RECON, w.RECON),
    (SOLICITATION, w.SOLICITATION),
    (COMMUNICATION, w.COMMUNICATION),
    (IMPERSONATION, w.IMPERSONATION),
    (DISPLAY_NAME, w.DISPLAY_NAME_MISMATCH),
    (REPLY_TO, w.REPLY_TO_MISMATCH),
    (MASS_MAIL, w.MASS_MAIL),
    (BANK_CHANGE, w.BANK_CHANGE),
    (PERSONAL_DESTINATION, w.PERSONAL_DESTINATION),
    (PUBLISHED, w.PUBLISHED),
    (EXPOSED, w.EXPOSED),
    (EXFILTRATION, w.EXFILTRATION),
    (TRANSFER, w.TRANSFER),
    (ABNORMAL, w.ABNORMAL_VOLUME),
    (NOVELTY, w.NOVELTY),
    (NORMAL, w.NORMAL_VOLUME),
    (PUBLIC_ONLY, w.PUBLIC_ONLY),
    (CONFIDENTIAL, w.CONFIDENTIAL),
    (LOGIN_SUCCESS, w.SUCCESS_LOGIN),
    (CREDENTIALS_SUBMITTED, w.CREDENTIALS_SUBMITTED),
    (ACCOUNT_ANOMALY, w.ACCOUNT_ANOMALY),
    (OWNER_CONFIRMED, w.OWNER_CONFIRMED),
    (AUTHORISED, w.AUTHORISED),
    (FRAUD, w.FRAUD),
    (CLEAN, w.CLEAN_VERDICT),
    (OFF_HOURS, w.OFF_HOURS),
    (PERIODIC, w.PERIODIC),
    (LOGIN_ATTACK, w.LOGIN_ATTACK),
    (ANONYMISER, w.ANONYMISER),
    *((kind, pattern) for kind, pattern in w.OUTCOMES.items()),
)


# Wording that names a fact's words without stating the fact (see wording.py).
EXCLUDED_WORDING = {
    RECON: x.RECON_OR_FIELD_NAME,
    CONFIDENTIAL: x.FIELD_NAME,
    FRAUD: x.FRAUD_EXCLUDED,
    COMMUNICATION: x.COMMUNICATION_EXCLUDED,
    SOLICITATION: x.SOLICITATION_EXCLUDED,
    TRANSFER: x.TRANSFER_EXCLUDED,
    EXFILTRATION: x.EXFILTRATION_EXCLUDED,
    AUTHORISED: x.AUTHORISED_EXCLUDED,
    BANK_CHANGE: x.BANK_CHANGE_EXCLUDED,
    IMPERSONATION: x.IMPERSONATION_EXCLUDED,
    ABNORMAL: x.ABNORMAL_EXCLUDED,
}


def _string(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("address") or value.get("email")
    return value if isinstance(value, str) else None


def _field(docs: list[dict], paths: tuple[str, ...]) -> tuple[str, object] | None:
    for doc in docs:
        for path in paths:
            value = get_path(doc, path)
            if value not in (None, "", []):
                return path, value
    return None


def _mail_domain(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    return normalize_domain(address.rsplit("@", 1)[1].strip(" >"))


# An alert's content never changes once stored, so what it says is read once per process:
# a case refreshed after each of its 500 alerts does not re-read the other 499.
_READ: OrderedDict[tuple, list] = OrderedDict()
MAX_CACHED_ALERTS = 20_000


def read(alert: AlertView) -> list:
    """The facts an alert states, in its vendor fields and text."""
    names = tuple(o.value for o in alert.of_types("user", "hostname"))
    key = (
        alert.id,
        alert.observed_at,
        alert.title,
        alert.description,
        repr(alert.tags),
        repr(alert.raw),
        names,
    )
    found = _READ.get(key)
    if found is None:
        found = _read(alert)
        _READ[key] = found
        if len(_READ) > MAX_CACHED_ALERTS:
            _READ.popitem(last=False)
    return list(found)


def _read(alert: AlertView) -> list:
    from .facts import Fact

    facts: list[Fact] = []
    docs = payloads(alert.raw)

    def add(kind: str, cite: str, detail: str, value=None) -> None:
        facts.append(Fact(kind, alert.id, cite, w.quote(str(detail)), value))

    _vendor_facts(alert, docs, add)
    names = _identifiers(alert)
    for cite, text in [("title", alert.title)] + [("description", s) for s in w.sentences(alert.description)]:
        _text_facts(cite, text, add, names)
    if is_failed_login(alert.title, alert.description, alert.tags, alert.raw) and not any(
        f.kind == LOGIN_FAILURE for f in facts
    ):
        add(LOGIN_FAILURE, "title", alert.title)
    count = event_count(alert.raw)
    if count > 1:
        add(EVENTS, "vendor count", f"{count} events summarised by this alert", count)
    _auth_facts_from_text(alert, facts, add)
    _objects_read(alert, add)
    _sign_in_outcome(alert, facts, add)
    return facts


def _sign_in_outcome(alert: AlertView, facts: list, add) -> None:
    """A sign-in event's outcome given as its own field ("eventType=user.session.start |
    outcome.result=SUCCESS"), which the sentence split leaves apart from the event's name."""
    outcome = w.OUTCOME_FIELD.search(alert.description)
    if not outcome or not w.SIGN_IN_EVENT.search(alert.text):
        return
    kind = LOGIN_SUCCESS if outcome.group(1).lower() == "success" else LOGIN_FAILURE
    if not any(f.kind == kind for f in facts):
        add(kind, "description", outcome.group(0))


def _objects_read(alert: AlertView, add) -> None:
    """An alert reading objects by id counts its records in successful responses: 4,212
    answers of 200 to GET /suppliers/{id} returned 4,212 supplier records."""
    if not c.OBJECTS_BY_ID.search(alert.text):
        return
    for sentence in w.sentences(alert.description):
        for match in c.SUCCESSFUL_RESPONSES.finditer(sentence):
            value = q.number(next(g for g in match.groups() if g))
            if value:
                add(RECORDS, "description", sentence, value)


def _vendor_facts(alert: AlertView, docs: list[dict], add) -> None:
    for doc in docs:
        for prefix in ("event", "kibana.alert.original_event"):
            outcome = get_path(doc, f"{prefix}.outcome")
            categories = get_path(doc, f"{prefix}.category") or []
            categories = categories if isinstance(categories, list) else [categories]
            action = str(get_path(doc, f"{prefix}.action") or "")
            is_auth = "authentication" in [str(c).lower() for c in categories] or any(
                word in action.lower() for word in ("login", "logon", "sign-in", "signin", "auth")
            )
            if is_auth and outcome in ("success", "failure"):
                kind = LOGIN_SUCCESS if outcome == "success" else LOGIN_FAILURE
                add(kind, f"{prefix}.outcome", f"{prefix}.outcome = {outcome} ({action or 'authentication'})")
        if doc.get("class_uid") == 3002 and doc.get("status_id") in (1, 2):
            kind = LOGIN_SUCCESS if doc["status_id"] == 1 else LOGIN_FAILURE
            add(kind, "status_id", f"OCSF Authentication status_id = {doc['status_id']}")
    # Splunk puts a search's fields under "result", Sentinel under "properties" or
    # "ExtendedProperties", Wazuh under "data", an Elasticsearch hit under "_source".
    docs = docs + [d[key] for d in docs for key in NESTED_DOCUMENTS if isinstance(d.get(key), dict)]
    found = _field(docs, RECORD_FIELDS)
    if found and _whole_number(found[1]) is not None:
        add(RECORDS, found[0], f"{found[0]} = {found[1]}", _whole_number(found[1]))
    found = _field(docs, BYTE_FIELDS)
    if found and _whole_number(found[1]) is not None:
        add(BYTES, found[0], f"{found[0]} = {found[1]}", _whole_number(found[1]))
    elif found and isinstance(found[1], str) and (size := c.SIZE.fullmatch(found[1].strip())):
        add(BYTES, found[0], f"{found[0]} = {found[1]}", q.size_in_bytes(size.group(1), size.group(2)))
    for path in TEXT_FIELDS:
        value = _field(docs, (path,))
        if value and isinstance(value[1], str | list):
            words = value[1] if isinstance(value[1], str) else ", ".join(str(v) for v in value[1])
            # File names read as words: "supplier_contracts_2027.zip" -> "supplier contracts 2027 zip".
            words = words.replace("_", " ") if "name" in path.lower() or "attachment" in path else words
            _text_facts(path, f"{path} = {words}"[:300], add)
    sender = _field(docs, FROM_FIELDS)
    reply = _field(docs, REPLY_FIELDS)
    if sender and reply:
        from_domain, reply_domain = _mail_domain(_string(sender[1])), _mail_domain(_string(reply[1]))
        if from_domain and reply_domain and from_domain != reply_domain:
            add(REPLY_TO, reply[0], f"Reply-To {_string(reply[1])} differs from sender {_string(sender[1])}")
    for prefix in AUTH_FIELD_PREFIXES:
        for mechanism in ("spf", "dkim", "dmarc", "SPF", "DKIM", "DMARC"):
            path = f"{prefix}.{mechanism}" if prefix else mechanism
            value = _field(docs, (path,))
            if value and isinstance(value[1], str):
                _auth(add, path, mechanism.lower(), value[1], f"{path} = {value[1]}")
    header = _field(docs, AUTH_HEADER_FIELDS)
    if header and isinstance(header[1], str):
        for match in w.AUTH_RESULT.finditer(header[1]):
            _auth(add, header[0], match.group(1).lower(), match.group(3), match.group(0))


def _whole_number(value) -> int | None:
    """A count or size given as a number or as digits ("8912", "8,912")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str) and value.replace(",", "").strip().isdigit():
        return int(value.replace(",", "").strip())
    return None


def _auth(add, cite: str, mechanism: str, result: str, detail: str) -> None:
    # Microsoft's composite authentication (compauth) is its DMARC-style verdict.
    mechanism = "dmarc" if mechanism == "compauth" else mechanism
    result = result.lower()
    if result.startswith(("fail", "softfail", "hardfail")):
        add(AUTH_FAIL, cite, detail, mechanism)
    elif result.startswith("pass"):
        add(AUTH_PASS, cite, detail, mechanism)


def _identifiers(alert: AlertView) -> re.Pattern | None:
    """The alert's account and host names, which are identifiers and not wording: the
    "recon" of svc-kestrel-recon states no reconnaissance."""
    names = sorted({o.value for o in alert.of_types("user", "hostname") if len(o.value) >= 4}, key=len)
    return re.compile("|".join(re.escape(n) for n in reversed(names)), re.IGNORECASE) if names else None


def _text_facts(cite: str, text: str, add, identifiers: re.Pattern | None = None) -> None:
    if not text:
        return
    found = set()
    # Masked with as many characters, so that positions (negation windows) hold.
    plain = identifiers.sub(lambda m: "_" * len(m.group()), text) if identifiers else text
    for kind, pattern in TEXT_PATTERNS:
        excluded = EXCLUDED_WORDING.get(kind)
        searched = excluded.sub(" ", plain) if excluded else plain
        # "40x its usual volume" states an abnormal volume, not a normal one.
        if w.affirmed(pattern, searched) and not (kind == NORMAL and ABNORMAL in found):
            found.add(kind)
            add(kind, cite, text)
    for match in w.RECIPIENT_ADDRESS.finditer(text):
        if (
            PERSONAL_DESTINATION not in found
            and free_mail(_mail_domain(match.group(1)))
            and not w.negated(text, match.start())
        ):
            found.add(PERSONAL_DESTINATION)
            add(PERSONAL_DESTINATION, cite, text)
    text = q.digits_for_words(text)  # counts: "ten (10) failed attempts" is one count
    for match in [*c.RECORDS.finditer(text), *c.RECORDS_AFTER.finditer(text)]:
        value = q.number(match.group(1))
        if (
            value
            and not w.negated(text, match.start())
            and not q.in_identifier(text, match.start(1))
            and not q.is_threshold(text, match.start(1))
        ):
            add(RECORDS, cite, text, value)
    for match in c.SIZE.finditer(text):
        value = q.size_in_bytes(match.group(1), match.group(2))
        if (
            value
            and not q.is_threshold(text, match.start(1))
            and not q.is_capacity(text, match.start(), match.end())
        ):
            add(BYTES, cite, text, value)
    for match in c.FAILURES.finditer(text):
        value = q.number(next((g for g in match.groups() if g), ""))
        # "one failed password each": a count per account, not of the failures.
        if value and not re.match(r"\s+(?:each|per (?:account|user))\b", text[match.end() :]):
            add(FAILURES, cite, text, value)
    for match in c.ACCOUNTS.finditer(text):
        value = q.number(next((g for g in match.groups() if g), ""))
        if value:
            add(ACCOUNTS, cite, text, value)
    for match in c.RECIPIENTS.finditer(text):
        value = q.number(match.group(1) or match.group(3))
        if value:
            add(RECIPIENTS, cite, text, value)
    for match in w.AUTH_RESULT.finditer(text):
        if not w.negated(text, match.start()):
            for mechanism in [match.group(1), *_listed_mechanisms(match.group(2))]:
                _auth(add, cite, mechanism.lower(), match.group(3), text)
    for match in w.AUTH_RESULT_VERB_FIRST.finditer(text):
        if not w.negated(text, match.start()):
            for mechanism in [match.group(2), *_listed_mechanisms(match.group(3))]:
                _auth(add, cite, mechanism.lower(), match.group(1), text)


def _listed_mechanisms(text: str) -> list[str]:
    return [m for m in ("spf", "dkim", "dmarc") if m in (text or "").lower()]


def _auth_facts_from_text(alert: AlertView, facts: list, add) -> None:
    """Reply-To and From written out in the text ("From: a@x.com ... Reply-To: b@y.net")."""
    if any(f.kind == REPLY_TO for f in facts):
        return
    text = alert.text
    reply = w.REPLY_TO_ADDRESS.search(text)
    if not reply:
        return
    senders = [w.FROM_ADDRESS.search(text)]
    candidates = [m.group(1) for m in senders if m] + [
        o.value for o in alert.of_types("email") if o.role == "sender"
    ]
    reply_domain = _mail_domain(reply.group(1))
    for address in candidates:
        domain = _mail_domain(address)
        if domain and reply_domain and domain != reply_domain:
            add(REPLY_TO, "description", f"Reply-To {reply.group(1)} differs from sender {address}")
            return


def succeeded_from(alert: AlertView) -> list:
    """The alert's addresses its text says a sign-in succeeded from ("07:40 success from
    192.0.2.26"; not "no success from 203.0.113.160")."""
    text = alert.text
    named = []
    for ip in alert.ips:
        for match in re.finditer(rf"\bsucce\w*\b[^.;]{{0,40}}?\bfrom\s+{re.escape(ip.value)}\b", text, re.I):
            if not w.negated(text, match.start()):
                named.append(ip)
                break
    return named
