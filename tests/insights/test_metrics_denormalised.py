"""The metrics read columns copied at write time (the case's opening source, the step's
case opening time); these tests compute the same figures straight from the source rows
(the "created" event's alert, the case milestones, every answered step) after the moves
that change them (claim, escalation, T2 pickup, resolve, reopen, close, merge), and
compare them table by table."""

from __future__ import annotations

import importlib
from collections import defaultdict
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import Alert, Case, CaseEvent, CaseStep
from cases.services import workflow as wf
from cases.services.merge import case_merge, merged_case_ids
from cases.services.steps import suggestion_as_value
from insights.metrics.period import PeriodForm
from insights.metrics.queries import metrics_tables
from insights.metrics.sql import interpolate
from insights.metrics.tables import minutes, rate
from tests.cases.workflow_support import answer, answer_benign, escalated
from tests.insights.support import day_before_every_case

pytestmark = pytest.mark.django_db

BACKFILL = importlib.import_module("cases.migrations.0008_metrics_columns")


def _tables(**params):
    form = PeriodForm(params)
    assert form.is_valid(), form.errors
    return {table.key: table for table in metrics_tables(form.period(), timezone.now())}


def _ago(case: Case, minutes: float) -> Case:
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - timedelta(minutes=minutes))
    case.refresh_from_db()
    return case


@pytest.fixture
def moves(seed_playbook, make_case, l1, t2, manager):
    """Cases from two sources through every move that changes a figure."""
    from cases.ingest.tokens import ingest_source_create

    other, _ = ingest_source_create(name="edr-test")
    made = [
        _ago(make_case(severity=3), 50),
        _ago(make_case(severity=4, source=other), 40),
        _ago(make_case(severity=4), 30),
        _ago(make_case(severity=2), 20),
        _ago(make_case(severity=2, source=other), 25),
    ]
    _suggest(made)
    closed, resolved, reopened, target, duplicate = made
    wf.case_claim(case=closed, by=l1)
    answer_benign(closed, l1)
    wf.case_close(case=closed, by=l1, resolution="false_positive", note="Partner's sync.")

    resolved = wf.case_claim(case=escalated(resolved, l1), by=t2)
    resolved = wf.case_resolve(case=resolved, by=t2, summary="Blocked and reset.")

    reopened = wf.case_claim(case=escalated(reopened, l1), by=t2)
    reopened = wf.case_resolve(case=reopened, by=t2, summary="Done.")
    wf.case_reopen(case=reopened, by=manager, note="The scan came back.")

    # Merge: the duplicate (from the other source, answered) goes into the target; the
    # target keeps its own opening source and takes the duplicate's answers.
    wf.case_claim(case=target, by=l1)
    wf.case_claim(case=duplicate, by=l1)
    answer(duplicate, l1, ip_reputation="no", related_activity="unknown")
    case_merge(source=duplicate, target=target, by=l1, note="Same scan.")

    make_case(severity=1, source=other)  # new, unclaimed
    return {"other": other, "target": target, "duplicate": duplicate}


def _suggest(cases) -> None:
    """The assistant's suggestions, before anyone answers: yes, no, unknown in turn."""
    for step in CaseStep.objects.filter(case__in=cases, section="question").order_by("pk"):
        step.suggestion = {"answer": ("yes", "no", "unknown")[step.pk % 3], "reason": "test"}
        step.save(update_fields=["suggestion"])


def _source_of(case: Case):
    """The source of the alert the case's "created" event names."""
    event = CaseEvent.objects.get(case=case, verb=CaseEvent.Verb.CREATED)
    return Alert.objects.get(pk=event.data["alert_id"]).source.name


def _expected_by_source() -> dict:
    groups = defaultdict(list)
    for case in Case.objects.all():
        groups[_source_of(case)].append(case)
    expected = {}
    for name, cases in groups.items():
        mtta = [(c.acknowledged_at - c.opened_at).total_seconds() for c in cases if c.acknowledged_at]
        ended = [(c.resolved_at or c.closed_at, c) for c in cases]
        mttr = [(end - c.opened_at).total_seconds() for end, c in ended if end]
        closed = [c for c in cases if not c.is_open]
        fps = [c for c in closed if c.resolution == Case.Resolution.FALSE_POSITIVE]
        expected[name] = {
            "cases": len(cases),
            "mtta_median": minutes(interpolate(mtta, 0.5)),
            "mtta_p90": minutes(interpolate(mtta, 0.9)),
            "mttr_median": minutes(interpolate(mttr, 0.5)),
            "mttr_p90": minutes(interpolate(mttr, 0.9)),
            "closed": len(closed),
            "false_positive_rate": rate(len(fps), len(closed)),
        }
    return expected


def _expected_agreement() -> dict:
    """From the audit trail: each answered step's latest step_updated event, which names
    the suggestion the analyst saw (a merge target's copied answers: the event of the
    merged case's step for the same item)."""
    latest = {}
    for event in CaseEvent.objects.filter(verb=CaseEvent.Verb.STEP_UPDATED).order_by("created_at", "pk"):
        latest[event.data["step"]] = event.data
    steps = {(step.case_id, step.item_id): step for step in CaseStep.objects.all()}
    counts = defaultdict(lambda: [0, 0])
    for step in CaseStep.objects.select_related("item", "case").exclude(value=""):
        data = latest.get(step.pk)
        if data is None or data["new"] != step.value:
            merged = [steps.get((pk, step.item_id)) for pk in merged_case_ids(step.case)]
            data = next((latest[s.pk] for s in merged if s and s.pk in latest), None)
        if data is not None and "suggestion" in data:
            counts[step.item.text][0] += 1
            counts[step.item.text][1] += data["new"] == data["suggestion"]
    return {text: {"answered": a, "agreed": g, "agreement": rate(g, a)} for text, (a, g) in counts.items()}


def _by_source(tables) -> dict:
    return {row["group"]: {k: v for k, v in row.items() if k != "group"} for row in tables["by_source"].rows}


def _agreement(tables) -> dict:
    return {
        row["item"]: {"answered": row["answered"], "agreed": row["agreed"], "agreement": row["agreement"]}
        for row in tables["agreement"].rows
    }


def test_opening_source_column_backfill_and_fallback_give_the_direct_figures(moves):
    expected = _expected_by_source()
    assert set(expected) == {"siem-test", "edr-test"}
    # Cases whose column is empty (opened before it existed) take the fallback.
    Case.objects.update(opening_source=None)
    assert _by_source(_tables()) == expected
    # The migration's backfill writes the column from the same rule ...
    with connection.cursor() as cursor:
        cursor.execute(BACKFILL.OPENING_SOURCE)
    assert not Case.objects.filter(opening_source__isnull=True).exists()
    for case in Case.objects.all():
        assert case.opening_source.name == _source_of(case)
    # ... and the figures read from it are the same.
    assert _by_source(_tables()) == expected
    # The merge target kept its own source although it now holds the duplicate's alert.
    target = Case.objects.get(pk=moves["target"].pk)
    assert target.alerts.filter(source=moves["other"]).exists()
    assert target.opening_source.name == "siem-test"


def test_the_column_decides_over_the_fallback(moves):
    """The figures come from the column once it is set (a wrong value shows)."""
    with connection.cursor() as cursor:
        cursor.execute(BACKFILL.OPENING_SOURCE)
    Case.objects.update(opening_source=moves["other"])
    rows = _by_source(_tables())
    assert set(rows) == {"edr-test"} and rows["edr-test"]["cases"] == Case.objects.count()


def test_agreement_from_the_steps_copied_columns_equals_the_direct_count(moves):
    expected = _expected_agreement()
    assert expected and any(row["agreed"] < row["answered"] for row in expected.values())
    assert _agreement(_tables()) == expected
    # Every answer with a suggestion carries its case's opening time (merged ones: the
    # target's), and nothing else does.
    for step in CaseStep.objects.select_related("case").exclude(value=""):
        if step.agreed_with_suggestion is None:
            assert step.case_opened_at is None
        else:
            assert step.case_opened_at == step.case.opened_at
    copied = CaseStep.objects.filter(case=moves["target"]).exclude(value="")
    assert copied.filter(agreed_with_suggestion__isnull=False).count() == 2


def test_agreement_counts_the_answer_again_when_it_changes(moves, l1):
    from cases.services.steps import case_step_update

    step = (
        CaseStep.objects.filter(case=moves["target"], agreed_with_suggestion__isnull=False)
        .select_related("item")
        .first()
    )
    suggested = suggestion_as_value(step)
    other = next(v for v in ("yes", "no", "unknown") if v != suggested)
    case_step_update(step=step, value=other if step.value == suggested else suggested, by=l1)
    assert _agreement(_tables()) == _expected_agreement()


def test_periods_and_teams_select_the_same_cases_both_ways(moves, l1):
    from django.contrib.auth.models import Group

    before = day_before_every_case()
    old = _tables(start=before, end=before)
    assert old["by_source"].rows == [] and old["agreement"].rows == []
    team = Group.objects.get(name="L1 Analyst")
    tables = _tables(team=str(team.pk))
    mine = Case.objects.filter(assignee=l1)
    assert sum(row["cases"] for row in tables["by_source"].rows) == mine.count()
    answered = CaseStep.objects.filter(case__in=mine, agreed_with_suggestion__isnull=False).count()
    assert sum(row["answered"] for row in tables["agreement"].rows) == answered
