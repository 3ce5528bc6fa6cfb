"""Assist and action keys for imported items, chosen by matching the item's text.

The rules are deliberately small and readable: each is a regular expression over the
item text within one section. The first rule that matches wins. An editor can change
any key in the admin afterwards; the markdown export carries such overrides so a
re-import keeps them (see exporters.py).

Choice documented for the seed: question 4 ("...recent business operation, such as a
new contract with a third party?") gets ``partner_match`` rather than
``business_context``: what answers it is the partner register (intel.BusinessPartner,
with contract dates), which is what partner_match consults.
"""

import re

from .registry import ActionKey, AssistKey, Section

_I = re.IGNORECASE

ASSIST_RULES: dict[Section, list[tuple[re.Pattern, AssistKey]]] = {
    Section.QUESTION: [
        (
            re.compile(r"\b(legitimate|known|trusted)\b.*\bIPs?\b|\bIP addresses?\b", _I),
            AssistKey.IP_REPUTATION,
        ),
        (
            re.compile(r"\breconnaissance\b|\bprobing\b|\bscan(ning)?\b|\bsimilar activity\b", _I),
            AssistKey.RELATED_ACTIVITY,
        ),
        (
            re.compile(r"\bimpersonat\w*|\blook-?alike\b|\bunusual communication\b|\bspoof\w*", _I),
            AssistKey.LOOKALIKE_DOMAIN,
        ),
        (
            re.compile(
                r"\bpartners?\b|\bthird[- ]part(y|ies)\b|\bcontract\w*\b|\bbusiness operations?\b", _I
            ),
            AssistKey.PARTNER_MATCH,
        ),
        (re.compile(r"\bbusiness\b", _I), AssistKey.BUSINESS_CONTEXT),
    ],
    Section.L1_STEP: [
        (
            re.compile(r"\bIP addresses?\b.*\b(known|lists?|reputation)\b|\bknown lists\b", _I),
            AssistKey.IP_REPUTATION,
        ),
        (
            re.compile(
                r"\blogin attempts?\b|\bbrute[- ]force\b|\bcredential stuffing\b|\bpassword spray\w*", _I
            ),
            AssistKey.LOGIN_PATTERN,
        ),
        (
            re.compile(
                r"\bbusiness transactions?\b|\bpartners?\b|\bthird[- ]part(y|ies)\b|\bcontract\w*\b", _I
            ),
            AssistKey.PARTNER_MATCH,
        ),
        (re.compile(r"\bimpersonat\w*|\blook-?alike\b|\bspoof\w*", _I), AssistKey.LOOKALIKE_DOMAIN),
        (
            re.compile(r"\brelated (alerts|activity)\b|\bcorrelat\w+ (with )?(other|previous) alerts\b", _I),
            AssistKey.RELATED_ACTIVITY,
        ),
    ],
    Section.ESCALATION_CRITERION: [
        (re.compile(r"\bexfiltrat\w*|\bdata (leak\w*|theft|loss)\b", _I), AssistKey.EXFILTRATION),
        (
            re.compile(r"\bcompromised (user )?accounts?\b|\baccount (compromise|takeover)\b", _I),
            AssistKey.COMPROMISED_ACCOUNT,
        ),
        (
            re.compile(r"\bsupply[- ]chain\b|\baccess[- ]related anomal\w*", _I),
            AssistKey.SUPPLY_CHAIN_ANOMALY,
        ),
        (
            re.compile(
                r"\bTier ?2\b|\bsensitive or critical\b|\bcritical (domains?|partners?|suppliers?)\b", _I
            ),
            AssistKey.SENSITIVE_PARTNER,
        ),
    ],
}

_DISABLE_ACCOUNT = re.compile(r"\b(disable|suspend|lock)\b.*\b(user )?accounts?\b", _I)
_BLOCK_IP = re.compile(r"\bblock\b.*\b(IPs?|IP addresses?|IP ranges?|source addresses)\b", _I)

# "If malicious activity is confirmed, disable any affected user accounts and block IP
# addresses if necessary." -> the optional leading condition, then two joined clauses.
_JOINED_ACTIONS = re.compile(
    r"^(?:(?:if|when|once|where)\b[^,]*,\s*)?(?P<first>.+?)\s+and\s+(?P<second>.+?)(?P<end>[.!]?)$",
    _I | re.DOTALL,
)


def assist_for(section: Section, text: str) -> str:
    for pattern, key in ASSIST_RULES.get(section, []):
        if pattern.search(text):
            return key.value
    return ""


def action_for(section: Section, text: str) -> str:
    """Containment items always carry an action; other sections never do."""
    if section != Section.CONTAINMENT_STEP:
        return ""
    if _DISABLE_ACCOUNT.search(text):
        return ActionKey.DISABLE_ACCOUNT.value
    if _BLOCK_IP.search(text):
        return ActionKey.BLOCK_IP.value
    return ActionKey.MANUAL.value


def _automatable(text: str) -> str | None:
    if _DISABLE_ACCOUNT.search(text):
        return ActionKey.DISABLE_ACCOUNT.value
    if _BLOCK_IP.search(text):
        return ActionKey.BLOCK_IP.value
    return None


def split_joined_actions(sentence: str) -> list[str]:
    """Split one containment sentence naming two different automatable actions.

    Each action becomes its own item so it can be requested and approved on its own.
    The leading condition ("If malicious activity is confirmed,") is dropped from the
    items: the whole containment section applies only once activity is confirmed, and
    the version keeps the original wording in ``source_text``.
    """
    match = _JOINED_ACTIONS.match(sentence)
    if not match:
        return [sentence]
    first, second = match.group("first").strip(), match.group("second").strip()
    first_key, second_key = _automatable(first), _automatable(second)
    if not first_key or not second_key or first_key == second_key:
        return [sentence]
    end = match.group("end") or "."
    return [_capitalize(first) + end, _capitalize(second) + end]


# "Escalate if there are signs of A, B, or if there's evidence of C." -> the lead, the list.
_JOINED_CRITERIA = re.compile(
    r"^(?P<lead>escalat\w*\b[^,]*?\bif)\s+(?P<rest>.+?)(?P<end>[.!]?)$", _I | re.DOTALL
)
_SUBJECT = re.compile(r"^(there|it|the|an?|any|we|you|they|someone|one)\b", _I)


def split_joined_criteria(sentence: str) -> list[str]:
    """Split one escalation sentence listing several criteria, each with its own assist
    key, into one item per criterion so each is evaluated and ticked on its own:
    "Escalate if there are signs of data exfiltration, confirmed use of compromised
    accounts, or if ..." -> "Escalate if there are signs of data exfiltration.",
    "Escalate on confirmed use of compromised accounts.", "Escalate if ...". A sentence
    whose parts do not each name a different criterion is kept whole."""
    match = _JOINED_CRITERIA.match(sentence)
    if not match:
        return [sentence]
    parts = [
        re.sub(r"^(?:or|and)\s+(?:if\s+)?", "", p.strip(), flags=_I) for p in match.group("rest").split(",")
    ]
    parts = [p for p in parts if p]
    keys = [assist_for(Section.ESCALATION_CRITERION, p) for p in parts]
    if len(parts) < 2 or not all(keys) or len(set(keys)) != len(keys):
        return [sentence]
    end = match.group("end") or "."
    lead = _capitalize(match.group("lead"))
    return [(f"{lead} {p}" if _SUBJECT.match(p) else f"Escalate on {p}") + end for p in parts]


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]
