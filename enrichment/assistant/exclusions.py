"""Wording that names a fact's words without stating the fact: a control's scan is no
reconnaissance, a user's report no fraud, an authorisation named to say it was exceeded no
authorisation, unchanged bank details no change, a bot's claimed user agent no impersonation
of a partner. alert_reading removes these before it looks for the fact (EXCLUDED_WORDING).
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# Scanning words that describe a security control, not the activity ("attachment scanned").
RECON_EXCLUDED = re.compile(
    r"\b(?:virus|malware|av|anti-?virus|attachment|sandbox|content|url|link|safe ?links?|dlp|spam)\s+(?:scan\w*|prob\w*)"
    r"|\bcredential[- ]harvest\w*|\b(?:attachments?|files?|messages?|mails?|e-?mails?|urls?|links?|payloads?)\s+(?:was\s+|were\s+)?scanned\b|\bscanned clean|\bscan (?:clean|result|verdict)|\bhealth[- ]?(?:check|probe)\w*|\b(?:liveness|readiness|uptime"
    r"|load[- ]balancer|monitoring|synthetic|keep-?alive) (?:probe|check|monitor)\w*"
    # A monitor's user agent ("Synthetics/4.2 (+probe eu-west-3)"), a gateway's own re-scan
    # of delivered mail ("quarantined by TRAP retro-scan").
    r"|\bsynthetics?\b[^;|]{0,40}?\bprob\w*"
    r"|\b(?:retro-?|re-?|retroactive |post-delivery |periodic )scan\w*"
    r"|\bscanner\s*[:=]",  # a field naming the product's detector ("Scanner: Threat Intelligence")
    _I,
)

# A policy named for what it watches for finds none ("Policy: Data theft by departing
# users", "(data theft policy)").
EXFILTRATION_EXCLUDED = re.compile(
    r"\b(?:data theft|exfiltration|data loss|data leak(?:age)?)\s+(?:policy|rule|template|model)\b"
    r"|\b(?:policy|rule|template)\W{1,3}(?:data theft|exfiltration|data loss|data leak(?:age)?)\b",
    _I,
)

# Queries or probes sent carry no data out ("sent suspicious LDAP queries to HPA-DC02").
TRANSFER_EXCLUDED = re.compile(
    r"\b(?:sent|sends|sending|send)\s+(?:[\w-]+\s+){0,2}?(?:quer(?:y|ies)|requests|packets|probes|pings|lookups|syn\w*)\b",
    _I,
)

# A record's field names are not statements: "scanner=Threat Intelligence" (Snowflake names its
# detectors scanners), "CLIENT=Browser" and "client.ipAddress=..." say what a field holds, not
# that anything was scanned or that client data moved. A key whose value is a number stays
# ("page=1..5": the range is the statement), and so does a URL's query ("?page=").
FIELD_NAME = re.compile(
    r"(?<![\w.?&])[a-z_]\w*(?=\s?=\s*[\"']?[a-z])|(?<![\w.?&])[a-z_]\w*(?:\.[a-z_]\w*)+(?=\s?=)",
    _I,
)
RECON_OR_FIELD_NAME = re.compile(f"{RECON_EXCLUDED.pattern}|{FIELD_NAME.pattern}", _I)

# What a threat-intelligence list says an address hosts ("SettleSwap phishing-kit hosting")
# is no message: the address's listing, not a lure sent.
PHISHING_INFRASTRUCTURE = r"\bphish(?:ing)?[- ]kits?\b|\bphish(?:ing)? (?:infrastructure|hosting)\b"

# A user's report or a gateway's verdict names phishing without finding it: "reported by
# user as phish", "verdict: no threats found".
FRAUD_EXCLUDED = re.compile(
    r"\breported\s+(?:by\s+(?:an?\s+|the\s+)?(?:user|recipient|employee)s?\s+)?as\s+(?:phish\w*|spam|junk|suspicious|malicious)"
    r"|\b(?:user|end-?user|recipient)[- ]reported\b[^.;]{0,40}|\bphish(?:ing)?[- ]report\w*|\breport (?:message|phish\w*) (?:button|add-?in)"
    rf"|{PHISHING_INFRASTRUCTURE}",
    _I,
)

# A second factor by phone or text ("MFA by phone call", "authenticationDetails: Password
# (success), Phone call (success)") is a sign-in, not a contact.
COMMUNICATION_EXCLUDED = re.compile(
    r"\b(?:mfa|2fa|multi-?factor|second factor|authenticat\w*|verification|otp|one-time (?:code|password))\b"
    r"[^.;|]{0,60}?\b(?:phone call|sms|voice call|text message)s?\b"
    rf"|{PHISHING_INFRASTRUCTURE}"
    # A field holding an address names the field, not a message ("actor_details.email: x@y").
    r"|\b[\w.-]*e-?mail[\w.-]*\s*[:=]\s*(?=[\w.+-]+@)"
    # E-mail addresses as a class of data ("Compromised data: Email addresses, Names").
    r"|\b(?:compromised|exposed|leaked|breached) data\b[^.;|\n]*"
    r"|\be-?mail addresses\b(?=[^.;|\n]{0,40}\b(?:names|passwords|phone numbers|usernames|dates? of birth)\b)",
    _I,
)

# Customers who received the same messages are no information asked for ("the vendor's
# mailbox sent similar requests to 2 other Abnormal customers today").
SOLICITATION_EXCLUDED = re.compile(
    r"\b(?:requests?|messages?|e-?mails?)\s+to\s+(?:[\w-]+\s+){0,3}?(?:customers?|clients?|tenants?|organi[sz]ations?|companies)\b",
    _I,
)

# Bank details said to be unchanged are no change request.
BANK_CHANGE_EXCLUDED = re.compile(
    r"\b(?:bank(?:ing)? (?:details|account|information)|iban|payment details|remittance(?: details)?"
    r"|payment instructions)\b[^.;]{0,30}?"
    r"\b(?:identical|unchanged|the same as|same as|match(?:es|ing)? (?:the )?(?:previous|prior|registered|vendor master))"
    r"[^.;]*",
    _I,
)

# A bot's claimed user agent is no partner's or organisation's identity, and a control named
# for what it guards against ("Impersonation Protection") finds none.
IMPERSONATION_EXCLUDED = re.compile(
    r"\bimpersonation (?:protect(?:ion)?|defen[cs]e|guard|policy|shield)\b|\bttp impersonation\b|\b(?:google|bing|yandex|baidu|duckduck|apple|facebook)bot[- ]impersonat\w*"
    r"|\bimpersonat\w*\s+(?:of\s+)?(?:a\s+|the\s+)?(?:google|bing)?(?:bot|crawler|search engine|user[- ]agent)s?\b"
    r"|\b(?:fake|spoofed) (?:googlebot|bingbot|crawler|user[- ]agent)|\bimpersonators? of (?:known |verified |good )?(?:bots?|crawlers?)",
    _I,
)

# A product named Abnormal (Abnormal Security) states no abnormal volume, nor does a score's
# name ("anomaly_score: 12": how unusual the product rates it, whatever the value).
ABNORMAL_EXCLUDED = re.compile(
    r"\babnormal (?:security|ai)\b|\banomaly[_ .-]?scores?\b"
    r"|\b(?:risk )?score\W{1,3}\d+(?:\.\d+)?\s*\(\w+\)",  # a score's band: "Risk score: 65 (Unusual)"
    _I,
)

# "Outside Marlow's contracted placements": the authorisation is named to say it was exceeded.
AUTHORISED_EXCLUDED = re.compile(
    r"\b(?:outside|beyond|exceed\w*|violat\w*|breach\w*|not covered by)\b[^.;,()]{0,40}?"
    r"\b(?:authori[sz]ed|approved|contracted|agreed|sanctioned|in scope)\b"
    # A second factor approved authorises a sign-in, not the activity.
    r"|\b(?:mfa|2fa|push|prompt)\s+(?:push\s+|prompt\s+|request\s+)?approved\b"
    # A scope stated to compare the activity with ("the contracted scope is TCP 10082 on 4
    # backup servers") authorises nothing it did.
    r"|\b(?:contracted|agreed|authori[sz]ed|approved|permitted) scope\s+(?:is|was|covers|covered|:)",
    _I,
)
