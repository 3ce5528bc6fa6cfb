"""The case's checklist follows its containment actions: when an action that came from a
playbook item succeeds (or a manual step is marked done), that item's step is ticked; a
manual step reopened un-ticks it. Written by Vigil in the action's transaction, with one
``step_updated`` event (answer_source "containment")."""

from __future__ import annotations

from django.utils import timezone

from cases.models import CaseStep
from cases.services import events


def step_follow_action(action, *, done: bool, by=None) -> bool:
    """Tick (or un-tick) the step of `action.playbook_item`; True when it changed."""
    if not action.playbook_item_id:
        return False
    step = (
        CaseStep.objects.select_for_update()
        .select_related("item")
        .filter(case_id=action.case_id, item_id=action.playbook_item_id)
        .first()
    )
    new = "done" if done else ""
    if step is None or step.value == new or (not done and step.value != "done"):
        return False
    old = step.value
    step.value, step.updated_at = new, timezone.now()
    step.updated_by = by if by is not None and getattr(by, "is_authenticated", False) else None
    step.save(update_fields=["value", "updated_at", "updated_by"])
    events.record(
        events.step_updated(
            action.case,
            by=by,
            step=step,
            old=old,
            new=new,
            answer_source=events.CONTAINMENT,
            action_id=action.pk,
        )
    )
    return True
