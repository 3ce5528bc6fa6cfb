"""What an alert says it did not record or could not tell: no peer or origin, no user, no
baseline, no authentication; and the request detail whose presence says how the data was
read. The assistant answers unknown, or discounts a product's claim, on these.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# A flow summary that kept no peer: the origin of the activity is not recorded (Q2 unknown).
ORIGIN_NOT_RECORDED = re.compile(
    r"\b(?:peer|remote|source|client|external|destination)\s+(?:ip\s+)?(?:address(?:es)?|addrs?|ips?|hosts?)\s+"
    r"(?:were\s+|was\s+|are\s+|is\s+)?(?:not\s+(?:retained|recorded|captured|logged|kept|available)|unavailable|missing)",
    _I,
)
# The request behind an alert's volume, named as a field: one operation, not a summary.
REQUEST_DETAIL = re.compile(
    r"(?<!usual )(?<!normal )(?<!typical )(?<!baseline )\b(?:transaction|t-?code|operation|activity|report ?name|query|sql"
    r"|statement|api ?call|(?:http|request)[ ._]?method|endpoint|uri|url\.path|request)\s*[:=]\s*\S"
    r"|\bmethod\s*[:=]\s*(?:get|post|put|patch|delete|head)\b",
    _I,
)
# Accounts used whose user the alert did not record ("aggregates authenticated download
# sessions; user and IP fields are empty", "Actor(s): not resolved"): Q3 unknown.
ACTOR_UNRESOLVED = re.compile(
    r"\b(?:actors?|users?|accounts?|identit(?:y|ies))(?:\(s\))?(?:\s+(?:and|&|/)\s+ip)?(?:\s+fields?)?\W{0,3}"
    r"(?:(?:are|is|were|was)\s+)?(?:not resolved|unresolved|not recorded|empty|missing|not available|unavailable)",
    _I,
)
AUTHENTICATED_USE = re.compile(r"\bauthenticated\b|\b(?:user|download|sign-?in|log-?in) sessions?\b", _I)
# A connection that never authenticated reads nothing ("[preauth]", "no userauth request").
NO_AUTHENTICATION = re.compile(
    r"\bno (?:userauth|authentication|auth|log-?in|sign-?in) (?:request|attempt)\w*|\bpre-?auth\b"
    r"|\bwithout authenticat\w*|\bno authentication attempted|\bbanner exchange only",
    _I,
)
# An anomaly flagged for want of a baseline ("Why flagged: no behavioural baseline for this
# user (first activity)"): something new, not an unusual volume.
NO_BASELINE = re.compile(
    r"\bno (?:behaviou?ral |historical |prior |learned )?(?:baseline|history|profile)\b|\bfirst (?:activity|session)\b"
    r"|\bnot enough (?:history|data)\b|\bbaseline (?:not yet (?:established|learned)|still learning)",
    _I,
)
