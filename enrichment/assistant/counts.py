"""What alerts count, as they write it: records ("4,212 rows", "records: 4,212"), sizes,
failed sign-ins, accounts, recipients, and successful reads of objects by id. Each
pattern's group is a `quantities.COUNT`; alert_reading turns it into a number.
"""

from __future__ import annotations

import re

from .quantities import COUNT

_I = re.IGNORECASE

RECIPIENTS = re.compile(
    r"\b(\d[\d,.]*)\s+(?:internal |external |distinct |different |unique |(?-i:[A-Z][\w-]+ )){0,3}(recipients|mailboxes|inboxes|addressees)\b"
    r"|\brecipients\s*[:=]\s*(\d[\d,.]*)\b(?!\s*(?:%|min|s\b|ms|seconds|minutes|hours))",
    _I,
)
# Not "messages" or "addresses": "sent 4,300 e-mails" is a mail burst (Q3), not an export.
_RECORD_NOUNS = (
    r"rows|records|entries|contacts|documents|files|lines|items|objects|profiles|suppliers|customers|clients"
    r"|vendors|partners|employees|attachments|leads|names|invoices|orders"
    r"|transactions|shipments|accounts? records|persons|people"
)
# The words between a count and its noun are no other count or unit ("184 KB 312 rows").
RECORDS = re.compile(
    COUNT + r"\s+(?:(?!\d|[kmgt]i?b\b|bytes?\b)[\w-]+\s+){0,2}?(" + _RECORD_NOUNS + r")\b", _I
)
# The count written after its noun: "records: 4,212", "row count = 8912", "rows exported 4212",
# as a field ("ROWS_PROCESSED=3,912", "RowsProcessed: 1,000").
RECORDS_AFTER = re.compile(
    r"\b(?:rows|records|entries|items|row count|record count|records exported|rows exported|matches"
    r"|(?:rows|records|entries|items|objects|files)[_ ]?(?:produced|returned|exported|unloaded|read|sent|affected|count|processed|fetched"
    r"|downloaded|written|copied|extracted|transferred|selected))"
    r"\s*(?:[:=]|of|count)\s*[\"']?" + COUNT + r"(?!\s*(?:%|ms|s\b|min|seconds|minutes))",
    _I,
)
# Successful responses counted ("response_code 200=4212", "HTTP 200 x 4,212", "4,212
# requests returned 200"), and reads of objects by id ("/suppliers/{id}", "id range
# 10001-14300"): each successful read of an object by id returned one record.
SUCCESSFUL_RESPONSES = re.compile(
    r"\b(?:http\s*|status\s*)?2(?:\d\d|xx)(?:\s*ok)?\s*(?:=|:|x|\u00d7)\s*"
    + COUNT
    + r"|"
    + COUNT
    + r"\s+(?:requests?\s+|responses?\s+)?(?:returned|answered with|served with|got)\s+(?:http\s+)?2\d\d\b",
    _I,
)
OBJECTS_BY_ID = re.compile(
    r"\{(?:\w+_)?(?:id|uuid)\}|/:id\b|\bid range\b|\bids?\s+#?\d+\s*(?:\.\.|to|-|\u2013|through|thru)\s*\d+"
    r"|\b(?:sequential|incrementing|ascending)\s+(?:[\w-]+\s+)?ids?\b",
    _I,
)
# Not a count before a key named for its unit ("count=4870 bytes=6.2MB").
SIZE = re.compile(
    r"(\d{1,3}(?:,\d{3})+|\d+(?:[.,]\d+)?)\s*(bytes?|[kmgt]i?b|[kmgt]bytes?|(?:kilo|mega|giga|tera)bytes?)\b(?!\s*[=:])",
    _I,
)
FAILURES = re.compile(
    COUNT
    + r"\s+(?:consecutive\s+|repeated\s+|further\s+|more\s+|additional\s+|new\s+)?(?:failed|unsuccessful|invalid|bad|wrong)\s+(?:\w+\s+){0,2}?"
    r"(?:log-?ins?|log-?ons?|sign-?ins?|attempts?|passwords?|authentications?|tries)"
    r"|" + COUNT + r"\s+(?:log-?in |logon |sign-?in |authentication |password )?(?:failures|attempts)\b"
    r"|(?:failed|unsuccessful|invalid)\s+(?:\w+\s+){0,2}?(?:log-?ins?|sign-?ins?|attempts|authentications?)\s*(?:\(|:|=)\s*(\d[\d,]*)"
    r"|\bfail(?:ed|ing|s)?\b[^.;]{0,40}?\b(\d[\d,]*)\s+times\b"
    r"|\b(?:failure|failed[ _-]?log-?in|failed[ _-]?logon|failed[ _-]?sign-?in|failed[ _-]?attempt)s?[ _-]?count\s*[:=]?\s*(\d[\d,]*)"
    # As a field: "FailedLogonCount=23", "failedAttempts": "14".
    r"|\bfailed[ _-]?(?:log-?ins|logons|sign-?ins|attempts|auths|authentications)\W{1,3}(\d[\d,]*)\b"
    r"|\bfail\w*[^.;]{0,40}?\battempts?\s+\d+\s+of\s+(\d+)"
    # "14 x user.session.start outcome=FAILURE", "11 x ResultType 50126 (invalid ... password)".
    r"|"
    + COUNT
    + r"\s*[x\u00d7]\s+(?:[^.;]|\.(?=\S)){0,60}?\b(?:fail(?:ure|ed)?|invalid|incorrect|wrong password|bad password)\b",
    _I,
)
# "14 distinct harrowport.example users", and as a field: "targetedUsers: 14", "distinct_users=14".
ACCOUNTS = re.compile(
    COUNT
    + r"\s+(?:distinct\s+|different\s+|unique\s+|separate\s+|valid\s+|internal\s+)?(?:[\w.-]+\s+)?(?:user\s+)?"
    r"(accounts|users|usernames|user names|identities|mailboxes|logins)\b"
    r"|\b(?:targeted|distinct|unique|attacked)[_ ]?(?:users|accounts|usernames)\W{1,3}"
    + COUNT
    + r"|\b(?:users|accounts|usernames)[_ ]?(?:targeted|attacked|attempted)\W{1,3}"
    + COUNT,
    _I,
)
