"""Reads for the decision-first case page: alerts a page at a time, observables capped,
steps decorated for their fragment, sections folded for the viewer's tier.

Each read runs a fixed number of queries whatever the case's size (a case with 5,000
alerts loads one page of them; tests/cases/test_views_case_page.py counts the queries).
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.urls import reverse

from soc.roles import is_l1, is_t2

from . import extensions
from .models import Alert, Case, CaseObservable, CaseStep, Observable
from .models.alerts import Severity
from .services.steps import L1_SECTIONS, T2_SECTIONS, can_edit_step, suggestion_as_value

ALERTS_PER_PAGE = 25
OBSERVABLES_SHOWN = 200


def decorate_step(case: Case, step: CaseStep, user) -> CaseStep:
    """Attach what the step fragment shows (no queries: case.assignee and perms are loaded).

    ``unconfirmed`` is true when the assistant suggested a value the analyst has not
    confirmed yet: the fragment pre-selects it and marks it as a suggestion.
    """
    step.editable = can_edit_step(case, step, user)
    step.choices = [(v, CaseStep.Value(v).label) for v in step.allowed_values() if v]
    step.suggested_value = suggestion_as_value(step)
    step.suggested_label = CaseStep.Value(step.suggested_value).label if step.suggested_value else ""
    step.unconfirmed = bool(step.suggested_value and not step.value)
    step.shown_value = step.value or step.suggested_value
    return step


def section_is_for_viewer(case: Case, section_key: str, steps: list[CaseStep], user) -> bool:
    """Open when the viewer can work one of its steps now, or the section belongs to the
    tier the case is at and the viewer works that tier (an L1 who has not claimed yet)."""
    if any(getattr(s, "editable", False) for s in steps):
        return True
    if section_key in T2_SECTIONS:
        return case.tier == Case.Tier.T2 and is_t2(user) and case.is_open
    if section_key in L1_SECTIONS:
        return case.tier == Case.Tier.L1 and is_l1(user) and case.is_open
    return False


def alert_filter_values(params) -> dict:
    """The alert filters from the query string, cleaned (unknown values are ignored)."""
    severity = params.get("alert_severity", "")
    return {
        "alert_q": (params.get("alert_q") or "").strip()[:200],
        "alert_severity": int(severity) if severity.isdigit() and int(severity) in Severity.values else None,
    }


def case_alert_page(case: Case, params) -> tuple[Page, dict]:
    """One page of the case's alerts, newest first, filtered by text and severity.

    The raw payload is not loaded here (it can be large); the alert's own page shows it.
    """
    filters = alert_filter_values(params)
    alerts = (
        Alert.objects.filter(case=case)
        .select_related("source")
        .prefetch_related("attachments")
        .defer("raw")
        .order_by("-observed_at", "-pk")
    )
    if filters["alert_q"]:
        text = filters["alert_q"]
        alerts = alerts.filter(Q(title__icontains=text) | Q(source_ref__icontains=text))
    if filters["alert_severity"]:
        alerts = alerts.filter(severity=filters["alert_severity"])
    paginator = Paginator(alerts, ALERTS_PER_PAGE)
    if not any(filters.values()):
        # The case keeps its alert count: no COUNT(*) over thousands of rows.
        paginator.count = case.alert_count
    return paginator.get_page(params.get("alerts_page")), filters


def case_observables_shown(case: Case, observables: list[CaseObservable]) -> dict:
    return {
        "rows": observables[:OBSERVABLES_SHOWN],
        "total": len(observables),
        "tlp_choices": Observable.Tlp.choices,
    }


def evidence_index(case: Case, observables: list[CaseObservable]) -> dict:
    """What evidence links need: observable labels ("ip:203.0.113.7") to their row."""
    index = {}
    for link in observables:
        obs = link.observable
        index[f"{obs.type}:{obs.value}"] = obs.pk
        index.setdefault(obs.value, obs.pk)
    return {"case": case.pk, "observables": index}


def can_edit_observables(case: Case, user) -> bool:
    """Whether the add and flag forms are shown (cases.services.observables decides)."""
    return case.is_open and user.has_perm("cases.work_l1")


def case_panels(case: Case, user) -> list[dict]:
    """The panels the apps above cases add to the case page (cases.extensions), each with
    the URL htmx loads its body from and whether it starts expanded for this user."""
    return [
        {
            "key": panel.key,
            "title": panel.title,
            "url": reverse(panel.url_name, args=[case.pk]),
            "open": panel.open_for(user, case),
        }
        for panel in extensions.case_panels()
    ]
