"""Merging one case into another (the duplicate goes, the target keeps everything).

The target takes the source's alerts, its observables (first and last seen widened), and
the source's answers for playbook items the target has not answered (the target's own
answers win). Comments and timeline events stay where they were written (the timeline is
append-only); the target's page shows those of the cases merged into it
(``merged_case_ids``). The source closes as a duplicate of the target through the close
service, so merging needs the same rights as closing, and each case gets a ``merged``
event. A case the user may not see cannot take part: both are looked up through
``visible_to(by)``.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, Min

from cases.models import Alert, Case, CaseEvent, CaseObservable, CaseStep
from cases.services import events
from cases.services.workflow import case_close
from cases.services.workflow.rules import CHECKS, Action
from soc.errors import Conflict, DomainError

MERGED = CaseEvent.Verb.MERGED  # on both cases; data["role"] says which side


def merged_case_ids(case: Case) -> list[int]:
    """The cases merged into `case` (their comments and timeline show on its page)."""
    return [
        data["source_id"]
        for data in CaseEvent.objects.filter(case=case, verb=MERGED).values_list("data", flat=True)
        if isinstance(data, dict) and data.get("role") == "target" and data.get("source_id")
    ]


def _visible(case_id: int, by) -> Case:
    case = Case.objects.visible_to(by).select_for_update().filter(pk=case_id).first()
    if case is None:
        raise DomainError("No such case.", errors={"target": ["No such case."]})
    return case


def _copy_observables(source: Case, target: Case) -> int:
    links = {link.observable_id: link for link in CaseObservable.objects.filter(case=target)}
    new, changed = [], []
    for link in CaseObservable.objects.filter(case=source):
        mine = links.get(link.observable_id)
        if mine is None:
            new.append(
                CaseObservable(
                    case=target,
                    observable_id=link.observable_id,
                    first_seen_at=link.first_seen_at,
                    last_seen_at=link.last_seen_at,
                )
            )
        elif link.first_seen_at < mine.first_seen_at or link.last_seen_at > mine.last_seen_at:
            mine.first_seen_at = min(mine.first_seen_at, link.first_seen_at)
            mine.last_seen_at = max(mine.last_seen_at, link.last_seen_at)
            changed.append(mine)
    CaseObservable.objects.bulk_create(new)
    CaseObservable.objects.bulk_update(changed, ["first_seen_at", "last_seen_at"])
    return len(new)


def _copy_answers(source: Case, target: Case) -> int:
    """The source's answers for items the target has not answered (same playbook items)."""
    answered = {
        s.item_id: s
        for s in CaseStep.objects.filter(case=source).exclude(value="").select_related("updated_by")
    }
    copied = []
    for step in CaseStep.objects.filter(case=target, value="", item_id__in=answered):
        theirs = answered[step.item_id]
        step.value, step.note = theirs.value, theirs.note or step.note
        step.updated_by, step.updated_at = theirs.updated_by, theirs.updated_at
        step.agreed_with_suggestion = theirs.agreed_with_suggestion
        step.case_opened_at = target.opened_at if step.agreed_with_suggestion is not None else None
        copied.append(step)
    CaseStep.objects.bulk_update(
        copied, ["value", "note", "updated_by", "updated_at", "agreed_with_suggestion", "case_opened_at"]
    )
    return len(copied)


@transaction.atomic
def case_merge(*, source: Case, target: Case, by, note: str = "") -> Case:
    """Merge `source` into `target`; returns the target. See the module docstring."""
    if source.pk == target.pk:
        raise DomainError("A case cannot be merged into itself.", errors={"target": ["Choose another case."]})
    # Both rows locked in id order (two merges of the same pair cannot deadlock).
    first, second = sorted((source.pk, target.pk))
    locked = {first: _visible(first, by), second: _visible(second, by)}
    src, dst = locked[source.pk], locked[target.pk]
    CHECKS[Action.CLOSE](src, by)
    if not dst.is_open:
        raise Conflict(f"{dst.reference} is {dst.get_status_display().lower()}; merge into an open case.")

    moved = Alert.objects.filter(case=src).update(case=dst)
    observables = _copy_observables(src, dst)
    answers = _copy_answers(src, dst)
    span = Alert.objects.filter(case=dst).aggregate(first=Min("observed_at"), last=Max("observed_at"))
    dst.alert_count = Alert.objects.filter(case=dst).count()
    dst.severity = max(dst.severity, src.severity)
    dst.first_observed_at, dst.last_observed_at = span["first"], span["last"]
    dst.version += 1
    dst.save(
        update_fields=[
            "alert_count",
            "severity",
            "first_observed_at",
            "last_observed_at",
            "version",
            "updated_at",
        ]
    )
    Case.objects.filter(pk=src.pk).update(alert_count=0)
    src.alert_count = 0

    for case, role, other in ((dst, "target", src), (src, "source", dst)):
        events.record(
            events.merged(
                case, by=by, role=role, other=other, alerts=moved, observables=observables, answers=answers
            )
        )
    closing_note = f"Merged into {dst.reference}." + (f" {note.strip()}" if note.strip() else "")
    case_close(case=src, by=by, resolution=Case.Resolution.DUPLICATE, duplicate_of=dst, note=closing_note)
    return dst
