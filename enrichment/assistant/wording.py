"""The wording the assistant recognises in alert titles and descriptions.

Alert text is vendor- and analyst-written English; each pattern names one fact of the
decision rules. `negated()` drops a match preceded by a negation ("no user clicked",
"not delivered"), so a sentence denying a fact never asserts it.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

NEGATION = re.compile(r"(\b(no|not|never|without|none|nor|zero|neither|nothing|nobody)\b|n't\b)", _I)
CLAUSE_BREAK = re.compile(r"[.;,:!?()]|\b(and|but|then|while|after|before|which|that)\b", _I)

RECON = re.compile(
    r"\b(scan(?:s|ned|ning|ner)?|port[- ]?sweep\w*|sweep(?:s|ing)?|crawl\w*|scrap(?:e|es|ed|ing|er)\b|spider\w*"
    r"|enumerat\w*|sequential\w*|incrementing (?:ids?|page|object)|walk(?:ed|ing)? through|harvest\w*"
    r"|prob(?:e|es|ed|ing)\b|fuzz\w*|dirbust\w*|directory brute\w*|reconnaissance|zone transfer|axfr"
    r"|vrfy|rcpt to probing|paginat\w* through|mirror(?:ed|ing) the|bulk (?:lookup|query|queries)"
    r"|(?:page|id|offset)=\d+\s*(?:\.\.|to|-|through)\s*\d+|headless browser|bot-like"
    r"|automated (?:collection|scraping|harvest\w*|enumeration|requests|queries|crawl\w*|download\w* of))",
    _I,
)
SOLICITATION = re.compile(
    r"\b(request\w*|ask\w*|seek\w*|solicit\w*|send (?:us|me|over)|share|provide|forward|compile|looking for"
    r"|would like|wants? (?:to (?:know|receive|get))|inquir\w*|enquir\w*|questionnaire|survey)\b[^.?!]{0,90}?"
    r"\b(suppliers?|vendors?|partners?|subcontractors?|distributors?|resellers?|signator\w*|contacts?"
    r"|org(?:ani[sz]ation(?:al)?)? chart|who you work with|business relationships?|customer list)\b"
    r"|\b(?:supplier|vendor|partner|customer|contact|distributor)s?\s+(?:list|contacts|details|directory|names|register)\b"
    r"[^.?!]{0,40}\b(?:request\w*|asked|solicit\w*|sought|wanted)\b",
    _I,
)
COMMUNICATION = re.compile(
    r"\b(e-?mails?|mail|sender|phish\w*|lure|linkedin|social[- ]media profile|invitation"
    r"|connection request|direct message|inmail|voicemail|phone call|caller|sms|whatsapp|reply-?to|newsletter"
    r"|questionnaire|teams message|chat message|instant message)\b",
    _I,
)
# Scanning words that describe a security control, not the activity ("attachment scanned").
RECON_EXCLUDED = re.compile(
    r"\b(?:virus|malware|av|anti-?virus|attachment|sandbox|content|url|link|safe ?links?|dlp|spam)\s+(?:scan\w*|prob\w*)"
    r"|\bcredential[- ]harvest\w*|\b(?:attachments?|files?|messages?|mails?|e-?mails?|urls?|links?|payloads?)\s+(?:was\s+|were\s+)?scanned\b|\bscanned clean|\bscan (?:clean|result|verdict)|\bhealth[- ]?(?:check|probe)\w*|\b(?:liveness|readiness|uptime"
    r"|load[- ]balancer|monitoring|synthetic|keep-?alive) (?:probe|check|monitor)\w*",
    _I,
)
FRAUD = re.compile(
    r"\b(phish\w*|fraud\w*|malicious (?:link|attachment|url|macro)|credential[- ]harvest\w*|invoice scam|bec\b"
    r"|business e-?mail compromise|malware|payload|qr[- ]code lure)",
    _I,
)
IMPERSONATION = re.compile(
    r"\b(impersonat\w*|posing as|poses as|pretend\w*|claim(?:s|ed|ing)? to (?:be|represent|work for)|spoof\w*"
    r"|(?:fake|fraudulent|bogus|cloned)\b[^.]{0,30}?\b(?:profile|account|persona|page|website|site|identity)"
    r"|masquerad\w*)",
    _I,
)
DISPLAY_NAME_MISMATCH = re.compile(
    r"display[- ]name\b[^.]{0,80}\b(mismatch\w*|does ?n[o']t match|differs?|different|spoof\w*|impersonat\w*|but|while|yet)"
    r"|\b(mismatch\w*|does ?n[o']t match)\b[^.]{0,40}display[- ]name",
    _I,
)
REPLY_TO_MISMATCH = re.compile(
    r"reply-?to\b[^.]{0,60}\b(differs?|different|mismatch\w*|does ?n[o']t match|points? to|set to|redirect\w*|goes to"
    r"|divert\w*|external|free-?mail|gmail|outlook|proton)"
    r"|\b(mismatch\w*|different|diverted)\b[^.]{0,20}reply-?to",
    _I,
)
REPLY_TO_ADDRESS = re.compile(r"reply-?to:?\s*<?([\w.+-]+@[\w.-]+\.\w+)", _I)
FROM_ADDRESS = re.compile(r"\bfrom:?\s*(?:\"?[^\"<@]{0,60}\"?\s*)?<?([\w.+-]+@[\w.-]+\.\w+)", _I)
AUTH_RESULT = re.compile(
    r"\b(spf|dkim|dmarc)((?:\s*(?:,|/|and|&)\s*(?:spf|dkim|dmarc))*)\s*(?:=|:|-)?\s*(?:checks?\s*|results?\s*|verification\s*)?"
    r"(?:was\s+|were\s+|is\s+|are\s+|=\s*)?(pass(?:ed|es)?|fail(?:ed|s|ure|ures)?|softfail|hardfail|none|neutral)",
    _I,
)
AUTH_RESULT_VERB_FIRST = re.compile(
    r"\b(fail(?:ed|s|ing)?|pass(?:ed|es|ing)?)\s+(?:the\s+)?(spf|dkim|dmarc)((?:\s*(?:,|/|and|&)\s*(?:spf|dkim|dmarc))*)",
    _I,
)
MASS_MAIL = re.compile(
    r"\b(mass[- ]?mail\w*|bulk (?:e-?mail|mail|campaign|phishing)|mass (?:phishing|campaign|mailing)|spam (?:wave|run|campaign)"
    r"|mail(?:ing)? blast|email blast)",
    _I,
)
RECIPIENTS = re.compile(
    r"\b(\d[\d,.]*)\s+(?:internal |external |distinct |different )?(recipients|mailboxes|inboxes)\b", _I
)
BANK_CHANGE = re.compile(
    r"\b(bank (?:details|account|information|change)|iban|swift|bic code|remittance|payment (?:details|instructions|account)"
    r"|settlement (?:account|details|instructions)|wire (?:instructions|details)|change of (?:bank|account)"
    r"|new (?:bank|account) (?:details|number))",
    _I,
)
PERSONAL_DESTINATION = re.compile(
    r"\b(personal|private|home) (?:e-?mail|address|account|mailbox|inbox|gmail|cloud|drive|storage|dropbox|onedrive)"
    r"|\bto (?:his|her|their) own\b|\bunsanctioned\b|\bunapproved (?:file|cloud|share)|\bshadow it\b"
    r"|\b(wetransfer|mega\.nz|mega\.io|transfer\.sh|gofile|anonfiles|file\.io|sendspace)",
    _I,
)
PUBLISHED = re.compile(
    r"\b(paste ?site|pastebin|ghostbin|dark[- ]?web|leak site|(?:published|posted|dumped|shared|exposed|listed|offered)"
    r"\s+(?:on|to|in|for sale on)\s+(?:a\s+|an\s+)?(?:public|open|paste|underground|criminal|hacker|telegram|forum|github)"
    r"|publicly (?:accessible|exposed|readable|listed)|found (?:on|in) (?:a\s+)?(?:public|open|paste)|for sale)",
    _I,
)
EXFILTRATION = re.compile(r"\b(exfiltrat\w*|data theft|data leak\w*|stolen data|smuggl\w*)", _I)
TRANSFER = re.compile(
    r"\b(export\w*|download\w*|upload\w*|sent|send(?:s|ing)?|forward\w*|transferr?\w*|copied|cop(?:y|ies)|sync\w*"
    r"|egress|outbound|attach\w*|shared|dump\w*|extract\w*|exfiltrat\w*|moved|pulled|scraped|harvested)\b",
    _I,
)
ABNORMAL_VOLUME = re.compile(
    r"\b(unusual\w*|anomal\w*|abnormal\w*|atypical|unexpected|spike\w*|never before|first[- ]time|exceed\w*"
    r"|above (?:the |its )?(?:baseline|normal|usual|average)|outside (?:the |its )?(?:normal|usual|baseline|pattern|schedule)"
    r"|\d+\s*(?:x|times) (?:the |its )?(?:usual|normal|baseline|average|daily)|deviat\w*)",
    _I,
)
NORMAL_VOLUME = re.compile(
    r"\b(routine|scheduled|nightly|daily|weekly|monthly|recurring|regular|usual|baseline|as every|as expected|expected"
    r"|normal (?:volume|pattern)|within (?:the |its )?(?:normal|usual|baseline|agreed))",
    _I,
)
PUBLIC_ONLY = re.compile(
    r"\b(public(?:ly available)? (?:pages?|site|website|web ?site|profile|listing|directory|press|content|information)"
    r"|marketing (?:site|pages?)|press (?:release|page)|only public|public-facing|landing page|robots\.txt|sitemap)",
    _I,
)
CONFIDENTIAL = re.compile(
    r"\b(confidential|internal[- ]only|non-public|not public|restricted|sensitive|proprietary|price ?lists?|pricing"
    r"|contracts?|supplier|vendor|partner|customer|crm|payroll|financ\w*|rate card|bank)\b",
    _I,
)
SUCCESS_LOGIN = re.compile(
    r"\b(?:log-?ins?|log-?ons?|sign-?ins?|authentications?)\b(?:(?!fail|\bnot?\b|never|none|without|n't)(?:[^.;]|\.(?=\S))){0,40}?"
    r"\b(?:succeeded|successful|success|accepted|granted|ok)\b"
    r"|\bsuccessful(?:ly)?\s+(?:\w+\s+)?(?:log-?ins?|log-?ons?|sign-?ins?|authenticat\w*|signed in|logged (?:in|on))"
    r"|\b(?:signed|logged) (?:in|on)\b|\bauthenticated (?:successfully|as)\b|\bsession (?:established|opened)\b"
    r"|\baccess granted\b|\b(?:log-?in|sign-?in|logon) (?:ok|success)\b",
    _I,
)
CREDENTIALS_SUBMITTED = re.compile(
    r"\b(credentials?|passwords?|log-?in details)\s+(?:were\s+|was\s+|had been\s+)?(submitted|entered|captured|harvested|typed|posted|phished)"
    r"|\b(submitted|entered|typed)\s+(?:his|her|their|the|a)?\s*(?:\w+\s+)?(credentials?|passwords?)",
    _I,
)
ACCOUNT_ANOMALY = re.compile(
    r"\b(impossible travel|concurrent (?:sessions?|log-?ins?|use)|simultaneous (?:sessions?|log-?ins?)"
    r"|two (?:distant )?locations|session (?:hijack\w*|token (?:theft|replay))|token replay|atypical (?:sign-?in|log-?in) location"
    r"|unfamiliar sign-?in)",
    _I,
)
LOGIN_ATTACK = re.compile(
    r"\b(brute[- ]?forc\w*|credential[- ]stuffing|password[- ]spray\w*|spraying attack)", _I
)
AUTHORISED = re.compile(
    r"\b(authori[sz]ed|approved|sanctioned|allow-?listed|whitelisted|in scope|agreed|contracted|pen(?:etration)?[- ]?test\w*"
    r"|red[- ]team|scheduled scan)",
    _I,
)
OUTCOMES = {
    "blocked": re.compile(
        r"\b(quarantin\w+|blocked|rejected|dropped|denied|stopped|prevented|deleted before delivery|held)\b",
        _I,
    ),
    "delivered": re.compile(
        r"\b(?<!un)(delivered|landed in (?:the )?inbox|reached (?:the )?inbox|in the inbox)\b", _I
    ),
    "clicked": re.compile(r"\b(click(?:ed|s)?|opened the link|visited the link|followed the link)\b", _I),
    "replied": re.compile(r"\b(replied|responded|answered|sent back|wrote back)\b", _I),
}

COUNT = r"(\d{1,3}(?:[,\u202f ]\d{3})+|\d+(?:\.\d+)?\s*[kKmM]?)"
RECORDS = re.compile(
    COUNT
    + r"\s+(?:[\w-]+\s+){0,2}?(rows|records|entries|contacts|documents|files|lines|items|objects|profiles"
    r"|suppliers|customers|vendors|employees)\b",
    _I,
)
SIZE = re.compile(r"(\d{1,3},\d{3}|\d+(?:[.,]\d+)?)\s*(bytes|[kmgt]i?b)\b", _I)
FAILURES = re.compile(
    COUNT + r"\s+(?:consecutive\s+|repeated\s+)?(?:failed|unsuccessful|invalid|bad|wrong)\s+(?:\w+\s+){0,2}?"
    r"(?:log-?ins?|log-?ons?|sign-?ins?|attempts?|passwords?|authentications?|tries)"
    r"|" + COUNT + r"\s+(?:log-?in |logon |sign-?in |authentication |password )?(?:failures|attempts)\b"
    r"|(?:failed|unsuccessful|invalid)\s+(?:\w+\s+){0,2}?(?:log-?ins?|sign-?ins?|attempts|authentications?)\s*(?:\(|:|=)\s*(\d[\d,]*)",
    _I,
)
ACCOUNTS = re.compile(
    COUNT + r"\s+(?:distinct\s+|different\s+|unique\s+|separate\s+|valid\s+|internal\s+)?(?:user\s+)?"
    r"(accounts|users|usernames|user names|identities|mailboxes|logins)\b",
    _I,
)
UNITS = {"b": 1, "bytes": 1, "kb": 10**3, "kib": 2**10, "mb": 10**6, "mib": 2**20, "gb": 10**9, "gib": 2**30}
UNITS |= {"tb": 10**12, "tib": 2**40}


def negated(text: str, start: int) -> bool:
    """Whether the words just before `start` deny what follows ("no", "not", "without")."""
    window = text[max(0, start - 30) : start]
    breaks = list(CLAUSE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    return bool(NEGATION.search(window))


def affirmed(pattern: re.Pattern, text: str) -> re.Match | None:
    """The first match of `pattern` in `text` that is not negated."""
    for match in pattern.finditer(text):
        if not negated(text, match.start()):
            return match
    return None


def number(text: str) -> int | None:
    """'4,212' -> 4212, '2.5k' -> 2500, '12' -> 12."""
    value = text.strip().replace(",", "").replace("\u202f", "").replace(" ", "")
    factor = 1
    if value[-1:].lower() == "k":
        factor, value = 1000, value[:-1]
    elif value[-1:].lower() == "m":
        factor, value = 1_000_000, value[:-1]
    try:
        return int(float(value) * factor)
    except ValueError:
        return None


def size_in_bytes(amount: str, unit: str) -> int | None:
    """'2.3' GB, '3,2' GB (decimal comma) and '1,200' MB (thousands) in bytes."""
    amount = amount.replace(",", "") if re.fullmatch(r"\d{1,3},\d{3}", amount) else amount.replace(",", ".")
    try:
        value = float(amount)
    except ValueError:
        return None
    return int(value * UNITS.get(unit.lower(), 1))


def sentences(text: str) -> list[str]:
    """Sentences of a title or description (split after . ! ? ; or a line break)."""
    parts = re.split(r"(?<=[.!?;])\s+|\n+", text or "")
    return [p.strip() for p in parts if p and p.strip()]


def quote(text: str, limit: int = 180) -> str:
    """The sentence as cited, shortened at a word boundary with an ellipsis when needed."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
