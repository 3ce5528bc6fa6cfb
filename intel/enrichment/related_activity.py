"""related_activity: other alerts and cases that saw the same observable within a window.

Computed for all observables of the alert at once with three grouped queries (totals,
counts by technique, the other cases), whatever the number of related alerts.

Verdicts: burst (at least VIGIL_PROBING_MIN_ALERTS alerts with this observable within
VIGIL_PROBING_WINDOW of the alert, this one included), related (other alerts in the
window), isolated (none).
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Max, Min, Q

from cases.models import AlertObservable

from .base import Context, result

MAX_CASES_LISTED = 10


def _batch(ctx: Context) -> dict[int, dict]:
    if "related_activity" in ctx.cache:
        return ctx.cache["related_activity"]
    window = settings.VIGIL_RELATED_ACTIVITY_WINDOW
    probing = settings.VIGIL_PROBING_WINDOW
    at = ctx.observed_at
    ids = [o.pk for o in ctx.observables]
    links = AlertObservable.objects.filter(
        observable_id__in=ids, alert__observed_at__range=(at - window, at + window)
    ).exclude(alert_id=ctx.alert_id)

    stats: dict[int, dict] = defaultdict(
        lambda: {"alerts": 0, "in_probing_window": 0, "first_seen": None, "last_seen": None}
    )
    totals = (
        links.order_by()
        .values("observable_id")
        .annotate(
            alerts=Count("alert_id", distinct=True),
            in_probing_window=Count(
                "alert_id", distinct=True, filter=Q(alert__observed_at__range=(at - probing, at + probing))
            ),
            first_seen=Min("alert__observed_at"),
            last_seen=Max("alert__observed_at"),
        )
    )
    for row in totals:
        stats[row["observable_id"]].update(
            alerts=row["alerts"],
            in_probing_window=row["in_probing_window"],
            first_seen=row["first_seen"],
            last_seen=row["last_seen"],
        )
    techniques: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        links.order_by()
        .values("observable_id", "alert__technique_id")
        .annotate(n=Count("alert_id", distinct=True))
    ):
        techniques[row["observable_id"]][row["alert__technique_id"] or "none"] = row["n"]
    cases: dict[int, list[dict]] = defaultdict(list)
    other_cases = links.exclude(alert__case_id=ctx.case_id) if ctx.case_id else links
    for row in (
        other_cases.order_by()
        .values("observable_id", "alert__case_id", "alert__case__reference", "alert__case__status")
        .annotate(alerts=Count("alert_id", distinct=True), last=Max("alert__observed_at"))
        .order_by("observable_id", "-last")
    ):
        cases[row["observable_id"]].append(
            {
                "id": row["alert__case_id"],
                "reference": row["alert__case__reference"],
                "status": row["alert__case__status"],
                "alerts": row["alerts"],
            }
        )
    batch = {}
    for pk in ids:
        data = dict(stats[pk]) if pk in stats else {"alerts": 0, "in_probing_window": 0}
        data["techniques"] = techniques.get(pk, {})
        data["cases"] = cases.get(pk, [])
        batch[pk] = data
    ctx.cache["related_activity"] = batch
    return batch


def enrich(observable, ctx: Context) -> dict:
    data = _batch(ctx).get(observable.pk) or {
        "alerts": 0,
        "in_probing_window": 0,
        "techniques": {},
        "cases": [],
    }
    threshold = settings.VIGIL_PROBING_MIN_ALERTS
    window_hours = settings.VIGIL_RELATED_ACTIVITY_WINDOW.total_seconds() / 3600
    other_cases = data["cases"]
    details = {
        "alerts": data["alerts"],
        "cases": len(other_cases),
        "other_cases": other_cases[:MAX_CASES_LISTED],
        "by_technique": data["techniques"],
        "first_seen": data["first_seen"].isoformat() if data.get("first_seen") else None,
        "last_seen": data["last_seen"].isoformat() if data.get("last_seen") else None,
        "in_probing_window": data["in_probing_window"] + 1,
        "window_hours": window_hours,
    }
    if data["in_probing_window"] + 1 >= threshold:
        minutes = int(settings.VIGIL_PROBING_WINDOW.total_seconds() // 60)
        return result(
            "burst",
            f"{data['in_probing_window'] + 1} alerts with {observable.value[:80]} within {minutes} min",
            **details,
        )
    if data["alerts"]:
        return result(
            "related",
            f"{data['alerts']} other alert(s) in {len(other_cases)} other case(s) within {window_hours:g} h",
            **details,
        )
    return result(
        "isolated", f"no other alert with {observable.value[:80]} within {window_hours:g} h", **details
    )
