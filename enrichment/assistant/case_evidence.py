"""Case-scoped evidence of each observable, shown in the case page's observables table
(stored on CaseObservable.enrichment, beside the observable-wide Observable.enrichment):

- related_activity: how many of this case's alerts carry the observable, over which time
  frame, and whether they form a burst (VIGIL_PROBING_MIN_ALERTS within VIGIL_PROBING_WINDOW);
- login_pattern (accounts and IPs): brute force, credential stuffing, failed logins or none,
  within this case's alerts.

Nothing here reads another case's alerts. A summary says "it" for the observable it is
stored on: it is shown in that observable's row (and keyed by it in the API), and a URL
of several hundred characters repeated there would push the row to a screen's height.
"""

from __future__ import annotations

from django.conf import settings

from playbooks.registry import AssistKey

from .analysis import Analysis
from .patterns import failures_of


def _result(verdict: str, summary: str, **details) -> dict:
    return {"verdict": verdict, "summary": summary, "scope": "case", **details}


def case_observable_evidence(analysis: Analysis, observables: list) -> dict[int, dict]:
    facts, patterns = analysis.facts, analysis.patterns
    carried: dict[int, list] = {}
    for alert in facts.alerts:
        for obs in alert.observables:
            carried.setdefault(obs.observable_id, []).append(alert)
    bursts = {p.subject: p for p in patterns.bursts + patterns.mail_bursts}
    brute = {p.subject: p for p in patterns.brute_force}
    stuffing = {p.subject: p for p in patterns.stuffing}
    minutes = int(settings.VIGIL_PROBING_WINDOW.total_seconds() // 60)
    out: dict[int, dict] = {}
    for observable in observables:
        alerts = carried.get(observable.pk, [])
        value = observable.value
        data: dict[str, dict] = {}
        times = [a.observed_at for a in alerts]
        frame = {"alerts": len(alerts)}
        if times:
            frame |= {"first_seen": min(times).isoformat(), "last_seen": max(times).isoformat()}
        if value in bursts:
            data[AssistKey.RELATED_ACTIVITY] = _result("burst", bursts[value].detail, **frame)
        elif len(alerts) > 1:
            data[AssistKey.RELATED_ACTIVITY] = _result(
                "related",
                f"{len(alerts)} of this case's alerts carry it, no burst within {minutes} min",
                **frame,
            )
        else:
            data[AssistKey.RELATED_ACTIVITY] = _result(
                "isolated", "only one of this case's alerts carries it", **frame
            )
        if observable.type in ("user", "email", "ip"):
            failures = sum(failures_of(a) for a in alerts)
            if value in stuffing:
                data[AssistKey.LOGIN_PATTERN] = _result("credential_stuffing", stuffing[value].detail)
            elif value in brute:
                data[AssistKey.LOGIN_PATTERN] = _result("brute_force", brute[value].detail)
            elif failures:
                data[AssistKey.LOGIN_PATTERN] = _result(
                    "failed_logins",
                    f"{failures} failed login(s) in this case, below the brute-force and stuffing thresholds",
                )
        out[observable.pk] = data
    return out
