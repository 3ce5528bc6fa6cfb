"""Patterns over the case's own alerts (never another case's): bursts from one source,
brute force on one account, credential stuffing / password spraying from one source,
and mail bursts from one sender.

Thresholds and windows are settings (VIGIL_PROBING_*, VIGIL_LOGIN_WINDOW,
VIGIL_BRUTE_FORCE_MIN_FAILURES, VIGIL_STUFFING_MIN_ACCOUNTS).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings

from . import alert_reading as r
from .facts import AlertView, CaseFacts


@dataclass(frozen=True)
class Pattern:
    kind: str  # burst, brute_force, credential_stuffing, mail_burst
    subject: str  # the source IP, account or sender
    count: int
    alert_ids: tuple[int, ...]
    detail: str

    def evidence(self, observable_type: str) -> dict:
        refs = ", ".join(str(i) for i in self.alert_ids[:6]) + ("…" if len(self.alert_ids) > 6 else "")
        return {
            "observable": f"{observable_type}:{self.subject}",
            "source": f"alerts {refs}",
            "detail": self.detail,
        }


def max_in_window(events: list[tuple[datetime, int, int]], window: timedelta) -> tuple[int, list[int]]:
    """The largest total weight within any `window`-long span, and the alerts in it."""
    events = sorted(events)
    best, best_ids, total, start = 0, [], 0, 0
    for end, (moment, weight, _alert) in enumerate(events):
        total += weight
        while moment - events[start][0] > window:
            total -= events[start][1]
            start += 1
        if total > best:
            best, best_ids = total, [e[2] for e in events[start : end + 1]]
    return best, best_ids


def max_distinct_in_window(
    events: list[tuple[datetime, str, int]], window: timedelta
) -> tuple[int, list[int]]:
    events = sorted(events)
    counts: Counter[str] = Counter()
    best, best_ids, start = 0, [], 0
    for end, (moment, value, _alert) in enumerate(events):
        counts[value] += 1
        while moment - events[start][0] > window:
            old = events[start][1]
            counts[old] -= 1
            if not counts[old]:
                del counts[old]
            start += 1
        if len(counts) > best:
            best, best_ids = len(counts), [e[2] for e in events[start : end + 1]]
    return best, best_ids


def _minutes(window: timedelta) -> str:
    minutes = int(window.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 and minutes >= 60 else f"{minutes} min"


# How failures spread over time, as alerts state it: the most in any window of the rules'
# ("max_per_60m=4", "at most 4 in any 60 minutes"), or the span they took ("11 failures
# over 3h12m", "first=2026-11-22T09:02:11Z last=2026-11-22T12:14:30Z").
PER_WINDOW_MAX = re.compile(
    r"\bmax[_ ]?per[_ ]?(?:60 ?m(?:in)?|hour|1 ?h)\W{1,3}(\d+)|\bat most (\d+) in any (?:60 minutes|hour|1 ?h)\b",
    re.I,
)
SPAN = re.compile(r"\bover (?:(\d+) ?h(?:ours?)?)? ?(?:(\d+) ?m(?:in(?:utes?)?)?)?\b", re.I)
FIRST_LAST = re.compile(
    r"\bfirst\W{1,3}(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?)\S*\s+last\W{1,3}(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?)",
    re.I,
)


def stated_span(text: str) -> timedelta | None:
    """The time the alert says its events took, or None."""
    if match := FIRST_LAST.search(text):
        first, last = (datetime.fromisoformat(g) for g in match.groups())
        return abs(last - first)
    for match in SPAN.finditer(text):
        hours, minutes = match.groups()
        if hours or minutes:
            return timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
    return None


def failures_of(alert: AlertView) -> int:
    """Failed logins the alert reports within the login window: the most it says fell in one
    window, else its stated count (the vendor's, or one), spread over the span it says they
    took when that is longer than the window."""
    if not alert.has(r.LOGIN_FAILURE, r.FAILURES):
        return 0
    if match := PER_WINDOW_MAX.search(alert.text):
        return int(next(g for g in match.groups() if g))
    count = max(alert.max_value(r.FAILURES), alert.max_value(r.EVENTS), 1)
    span, window = stated_span(alert.text), settings.VIGIL_LOGIN_WINDOW
    if span and span > window:
        return max(1, math.ceil(count * (window / span)))
    return count


# A stated count written rounded ("4.2k rows") still names the vendor's exact count (4212).
SAME_COUNT_TOLERANCE = 0.05


def burst_weight(alert: AlertView) -> int:
    """How many of the source's events the alert stands for in a burst: the vendor's event
    count, unless that count is the alert's stated record count, exact or rounded (a Splunk
    row counting the rows of one export) or the alert describes periodic monitoring (one
    check a minute is a schedule, not a burst); one otherwise."""
    count = alert.max_value(r.EVENTS)
    if count <= 1 or alert.has(r.PERIODIC):
        return 1
    stated = [f.value for f in alert.all(r.RECORDS) if isinstance(f.value, int | float)]
    if any(abs(count - value) <= SAME_COUNT_TOLERANCE * value for value in stated):
        return 1
    return count


def _over_window(groups: dict[str, list], window: timedelta, minimum: int, kind: str, wording: str) -> list:
    """A pattern per subject whose weighted events reach `minimum` within `window`, worded
    by `wording` ("{count} alerts from {subject} within {span}")."""
    found = []
    for subject, events in groups.items():
        count, ids = max_in_window(events, window)
        if count >= minimum:
            detail = wording.format(count=count, subject=subject, span=_minutes(window))
            found.append(Pattern(kind, subject, count, tuple(ids), detail))
    return found


@dataclass
class CasePatterns:
    bursts: list[Pattern] = field(default_factory=list)
    brute_force: list[Pattern] = field(default_factory=list)
    stuffing: list[Pattern] = field(default_factory=list)
    mail_bursts: list[Pattern] = field(default_factory=list)

    @property
    def login_attacks(self) -> list[Pattern]:
        return self.brute_force + self.stuffing

    def attacking_sources(self, facts: CaseFacts) -> set[str]:
        """Source IPs of the stuffing and of the brute-forcing alerts; of an alert that also
        names internal, benign or partner addresses (the owner's own sign-in after the
        lockout), only the others."""
        sources = {p.subject for p in self.stuffing}
        for pattern in self.brute_force:
            for alert_id in pattern.alert_ids:
                alert = facts.alert(alert_id)
                if alert:
                    outside = [ip for ip in alert.ips if not ip.legitimate]
                    sources |= {ip.value for ip in outside or alert.ips}
        return sources

    def attacked_accounts(self, facts: CaseFacts) -> set[str]:
        """Accounts brute-forced, or tried by the stuffing alerts."""
        accounts = {p.subject for p in self.brute_force}
        for pattern in self.stuffing:
            for alert_id in pattern.alert_ids:
                alert = facts.alert(alert_id)
                accounts |= set(alert.accounts()) if alert else set()
        return accounts


def compute(facts: CaseFacts) -> CasePatterns:
    found = CasePatterns()
    burst_min, burst_window = settings.VIGIL_PROBING_MIN_ALERTS, settings.VIGIL_PROBING_WINDOW
    login_window = settings.VIGIL_LOGIN_WINDOW
    brute_min, stuffing_min = settings.VIGIL_BRUTE_FORCE_MIN_FAILURES, settings.VIGIL_STUFFING_MIN_ACCOUNTS

    by_source: dict[str, list] = defaultdict(list)
    by_sender: dict[str, list] = defaultdict(list)
    fails_by_account: dict[str, list] = defaultdict(list)
    accounts_by_source: dict[str, list] = defaultdict(list)
    for alert in facts.alerts:
        weight = burst_weight(alert)
        for ip in {ip.value for ip in alert.ips}:
            by_source[ip].append((alert.observed_at, weight, alert.id))
        emails = alert.of_types("email")
        for obs in [o for o in emails if o.role == "sender"] or [o for o in emails if o.role == "declared"][
            :1
        ]:
            by_sender[obs.value].append((alert.observed_at, 1, alert.id))
        failures = failures_of(alert)
        if not failures:
            continue
        accounts = alert.accounts() or [f"(account named in alert {alert.id})"]
        for account in accounts:
            fails_by_account[account].append((alert.observed_at, failures, alert.id))
        stated = alert.max_value(r.ACCOUNTS)
        sources = {ip.value for ip in alert.ips} or {f"(source of alert {alert.id})"}
        for source in sources:
            for account in accounts:
                accounts_by_source[source].append((alert.observed_at, account, alert.id))
            if stated >= stuffing_min:
                found.stuffing.append(
                    Pattern(
                        "credential_stuffing",
                        source,
                        stated,
                        (alert.id,),
                        f"failures on {stated} accounts from {source} (alert {alert.id})",
                    )
                )
    windowed = (
        (found.bursts, by_source, burst_window, burst_min, "burst", "{count} alerts from {subject}"),
        (
            found.mail_bursts,
            by_sender,
            burst_window,
            burst_min,
            "mail_burst",
            "{count} messages from {subject}",
        ),
        (
            found.brute_force,
            fails_by_account,
            login_window,
            brute_min,
            "brute_force",
            "{count} failed logins on {subject}",
        ),
    )
    for patterns, groups, window, minimum, kind, wording in windowed:
        patterns += _over_window(groups, window, minimum, kind, wording + " within {span}")
    for source, events in accounts_by_source.items():
        count, ids = max_distinct_in_window(events, login_window)
        if count >= stuffing_min and not any(p.subject == source for p in found.stuffing):
            found.stuffing.append(
                Pattern(
                    "credential_stuffing",
                    source,
                    count,
                    tuple(ids),
                    f"failed logins on {count} accounts from {source} within {_minutes(login_window)}",
                )
            )
    return found
