"""login_pattern: brute force and credential stuffing / password spraying, from alerts
about failed logins (recognised by events.is_failed_login) near the alert's time.

- For an account (user or email observable): brute force when at least
  VIGIL_BRUTE_FORCE_MIN_FAILURES failures (alerts, weighted by the events each one
  summarises) fall within any VIGIL_LOGIN_WINDOW.
- For a source (ip observable): credential stuffing / password spraying when failures
  from it hit at least VIGIL_STUFFING_MIN_ACCOUNTS distinct accounts within any window;
  brute force when one account behind it reaches the failure threshold.

Two queries for all observables of the alert: the candidate alerts, then the accounts
and sources of the failed-login ones.

Verdicts: credential_stuffing, brute_force, failed_logins (some, below thresholds),
none (no failed-login alerts).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from django.conf import settings

from cases.models import AlertObservable

from .base import Context, result, unknown
from .events import event_count, is_failed_login

ACCOUNT_TYPES = {"user", "email"}
SOURCE_TYPES = {"ip"}
APPLIES_TO = ACCOUNT_TYPES | SOURCE_TYPES
MAX_CANDIDATES = 5000


def max_in_window(times: list[tuple[datetime, int]], window: timedelta) -> int:
    """The largest total weight of events falling within any `window`-long span."""
    events = sorted(times)
    best = total = 0
    start = 0
    for moment, weight in events:
        total += weight
        while moment - events[start][0] > window:
            total -= events[start][1]
            start += 1
        best = max(best, total)
    return best


def max_distinct_in_window(events: list[tuple[datetime, str]], window: timedelta) -> tuple[int, list[str]]:
    """The most distinct values within any `window`-long span, and those values."""
    events = sorted(events)
    counts: Counter[str] = Counter()
    best: tuple[int, list[str]] = (0, [])
    start = 0
    for moment, value in events:
        counts[value] += 1
        while moment - events[start][0] > window:
            old = events[start][1]
            counts[old] -= 1
            if not counts[old]:
                del counts[old]
            start += 1
        if len(counts) > best[0]:
            best = (len(counts), sorted(counts))
    return best


def _batch(ctx: Context) -> dict:
    if "login_pattern" in ctx.cache:
        return ctx.cache["login_pattern"]
    window = settings.VIGIL_LOGIN_WINDOW
    at = ctx.observed_at
    ids = [o.pk for o in ctx.observables if o.type in APPLIES_TO]
    candidates = (
        AlertObservable.objects.filter(
            observable_id__in=ids, alert__observed_at__range=(at - window, at + window)
        )
        # Bounded: a hot account or address cannot make one enrichment read unbounded raw payloads.
        .order_by("-alert__observed_at")
        .values_list(
            "observable_id",
            "alert_id",
            "alert__observed_at",
            "alert__title",
            "alert__description",
            "alert__tags",
            "alert__raw",
        )[:MAX_CANDIDATES]
    )
    failures: dict[int, tuple[datetime, int]] = {}
    by_observable: dict[int, set[int]] = defaultdict(set)
    for observable_id, alert_id, observed_at, title, description, tags, raw in candidates:
        if alert_id not in failures:
            if not is_failed_login(title, description, tags, raw):
                failures[alert_id] = None
                continue
            failures[alert_id] = (observed_at, event_count(raw))
        if failures[alert_id] is not None:
            by_observable[observable_id].add(alert_id)
    failed = {k: v for k, v in failures.items() if v is not None}
    accounts: dict[int, set[str]] = defaultdict(set)
    sources: dict[int, set[str]] = defaultdict(set)
    if failed:
        for alert_id, kind, value in AlertObservable.objects.filter(
            alert_id__in=list(failed), observable__type__in=sorted(APPLIES_TO)
        ).values_list("alert_id", "observable__type", "observable__value"):
            (accounts if kind in ACCOUNT_TYPES else sources)[alert_id].add(value)
    batch = {"failed": failed, "by_observable": by_observable, "accounts": accounts, "sources": sources}
    ctx.cache["login_pattern"] = batch
    return batch


def enrich(observable, ctx: Context) -> dict:
    if observable.type not in APPLIES_TO:
        return unknown(f"login patterns do not apply to {observable.type} observables")
    batch = _batch(ctx)
    window = settings.VIGIL_LOGIN_WINDOW
    minutes = int(window.total_seconds() // 60)
    brute_min = settings.VIGIL_BRUTE_FORCE_MIN_FAILURES
    stuffing_min = settings.VIGIL_STUFFING_MIN_ACCOUNTS
    alert_ids = sorted(batch["by_observable"].get(observable.pk, ()))
    if not alert_ids:
        return result("none", f"no failed-login alerts with {observable.value[:80]} within {minutes} min")
    failed = batch["failed"]
    failures = sum(failed[a][1] for a in alert_ids)
    details: dict = {"failed_login_alerts": len(alert_ids), "failures": failures, "window_minutes": minutes}

    if observable.type in SOURCE_TYPES:
        per_account: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
        spread: list[tuple[datetime, str]] = []
        for alert_id in alert_ids:
            moment, weight = failed[alert_id]
            for account in batch["accounts"].get(alert_id, ()):
                per_account[account].append((moment, weight))
                spread.append((moment, account))
        distinct, names = max_distinct_in_window(spread, window)
        worst = max(
            ((max_in_window(times, window), account) for account, times in per_account.items()),
            default=(0, ""),
        )
        details.update(accounts=distinct, account_names=names[:20], max_failures_one_account=worst[0])
        if distinct >= stuffing_min:
            return result(
                "credential_stuffing",
                f"credential stuffing / password spraying: {observable.value[:80]} failed on "
                f"{distinct} accounts within {minutes} min",
                **details,
            )
        if worst[0] >= brute_min:
            return result(
                "brute_force",
                f"brute force: {worst[0]} failures for {worst[1][:80]} from {observable.value[:80]} "
                f"within {minutes} min",
                **details,
            )
    else:
        times = [failed[a] for a in alert_ids]
        peak = max_in_window(times, window)
        origin = sorted({s for a in alert_ids for s in batch["sources"].get(a, ())})
        details.update(max_failures_in_window=peak, sources=origin[:20], source_count=len(origin))
        if peak >= brute_min:
            return result(
                "brute_force",
                f"brute force: {peak} failed logins for {observable.value[:80]} within {minutes} min"
                + (f" from {len(origin)} source(s)" if origin else ""),
                **details,
            )
    return result(
        "failed_logins",
        f"{failures} failed login(s) with {observable.value[:80]}, below the brute-force/stuffing thresholds",
        **details,
    )
