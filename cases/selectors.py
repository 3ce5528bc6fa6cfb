"""Reads for the case pages and the API, each in a fixed number of queries.

Every user-facing query starts from ``Case.objects.visible_to(user)`` (the access guard).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from playbooks.registry import Section
from soc.roles import is_t2

from .models import Alert, Case, CaseEvent, CaseObservable, CaseStep, Comment

Status = Case.Status
QUEUE_LIMIT = 15
SECTION_ORDER = {value: index for index, value in enumerate(Section.values)}
SECTION_LABELS = dict(Section.choices)


def get_case_for_user(user, pk: int) -> Case:
    """The case if `user` may see it, else 404; with what every case view needs loaded.
    The one lookup of a case by id for the pages and the API of every app."""
    queryset = Case.objects.visible_to(user).select_related(
        "assignee", "playbook_version__playbook", "duplicate_of"
    )
    return get_object_or_404(queryset, pk=pk)


# --- dashboard ----------------------------------------------------------------------


@dataclass
class Queue:
    key: str
    title: str
    description: str
    count: int = 0
    cases: list[Case] = field(default_factory=list)


QUEUES = {
    "triage": (
        "Triage",
        "New cases nobody has claimed yet.",
        Q(status=Status.NEW) | Q(status=Status.TRIAGE, assignee__isnull=True),
    ),
    "mine": ("My cases", "Cases assigned to you.", None),
    "escalated": ("Escalated to T2", "Waiting for a T2 analyst.", Q(status=Status.ESCALATED)),
    "containment": ("In containment", "Containment under way.", Q(status=Status.CONTAINMENT)),
}


def dashboard_queues(user) -> list[Queue]:
    """The four queues with their counts (one aggregate query) and their most urgent cases
    (one query each). L1 sees triage first; T2 and managers the escalated queue first."""
    base = Case.objects.visible_to(user)
    conditions = {
        key: (cond if cond is not None else Q(assignee_id=user.pk) & ~Q(status=Status.CLOSED))
        for key, (_, _, cond) in QUEUES.items()
    }
    counts = base.aggregate(**{key: Count("pk", filter=cond) for key, cond in conditions.items()})
    order = (
        ["escalated", "mine", "containment", "triage"]
        if is_t2(user)
        else ["triage", "mine", "escalated", "containment"]
    )
    queues = []
    for key in order:
        title, description, _ = QUEUES[key]
        cases = list(
            base.filter(conditions[key])
            .select_related("assignee")
            .order_by("-severity", "sla_due_at", "opened_at", "pk")[:QUEUE_LIMIT]
        )
        queues.append(Queue(key, title, description, counts[key] or 0, cases))
    return queues


# --- case page ----------------------------------------------------------------------


@dataclass
class SectionSteps:
    key: str
    label: str
    steps: list[CaseStep]


def case_steps(case: Case) -> list[CaseStep]:
    steps = list(case.steps.select_related("item", "updated_by"))
    steps.sort(key=lambda s: (SECTION_ORDER.get(s.section, 99), s.order, s.pk))
    return steps


def group_sections(steps: list[CaseStep]) -> list[SectionSteps]:
    sections: dict[str, SectionSteps] = {}
    for step in steps:
        if step.section not in sections:
            sections[step.section] = SectionSteps(
                step.section, SECTION_LABELS.get(step.section, step.section), []
            )
        sections[step.section].steps.append(step)
    return list(sections.values())


def case_observables(case: Case) -> list[CaseObservable]:
    """The case's observables, each annotated with ``other_cases`` (how many other cases
    saw it) by a correlated subquery: one query whatever their number."""
    others = (
        CaseObservable.objects.filter(observable=OuterRef("observable_id"))
        .exclude(case=OuterRef("case_id"))
        .order_by()
        .values("observable")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        CaseObservable.objects.filter(case=case)
        .select_related("observable")
        .annotate(other_cases=Coalesce(Subquery(others, output_field=IntegerField()), Value(0)))
        .order_by("observable__type", "observable__value")
    )


def case_alerts(case: Case) -> list[Alert]:
    # Evidence files in one more query, whatever the number of alerts.
    return list(
        case.alerts.select_related("source").prefetch_related("attachments").order_by("observed_at", "pk")
    )


def _with_merged(case: Case) -> dict[int, str]:
    """{case id: reference} of the case and the cases merged into it (their timelines and
    comments show on its page). Read once per case object: the timeline and the comments
    of one page both need it."""
    from .services.merge import merged_case_ids

    ids = getattr(case, "_with_merged_references", None)
    if ids is None:
        merged = merged_case_ids(case)
        ids = {case.pk: ""}
        if merged:
            ids.update(dict(Case.objects.filter(pk__in=merged).values_list("pk", "reference")))
        case._with_merged_references = ids
    return ids


def case_events(case: Case) -> list[CaseEvent]:
    """The timeline, with the events of the cases merged into this one (``from_case`` is
    their reference, "" for the case's own)."""
    ids = _with_merged(case)
    events = list(
        CaseEvent.objects.filter(case_id__in=ids)
        .select_related("actor", "actor_source")
        .order_by("created_at", "pk")
    )
    for event in events:
        event.from_case = ids[event.case_id]
    return events


def case_comments(case: Case) -> list[Comment]:
    ids = _with_merged(case)
    comments = list(
        Comment.objects.filter(case_id__in=ids).select_related("author").order_by("created_at", "pk")
    )
    for comment in comments:
        comment.from_case = ids[comment.case_id]
    return comments


def l1_summary(case: Case, steps: list[CaseStep]) -> dict:
    """What L1 learned, for the top of the page once the case went to T2."""
    return {
        "answers": [s for s in steps if s.section == Section.QUESTION],
        "indicators": [s for s in steps if s.section == Section.KEY_INDICATOR and s.value],
        "criteria_met": [s for s in steps if s.is_criterion and s.value == "checked"],
        "l1_steps": [s for s in steps if s.section in (Section.L1_STEP, Section.LOG_SOURCE) and s.value],
        "handoff_note": case.handoff_note,
        "recommendation": case.recommendation or {},
        "override_reason": case.override_reason,
    }
