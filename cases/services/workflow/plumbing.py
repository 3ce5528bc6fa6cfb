"""What every transition does around its own rule: lock and check, move, save, sync back.

Private to the workflow package (transitions.py imports them).
"""

from __future__ import annotations

from cases.lifecycle import CASE_LIFECYCLE
from cases.models import Case
from soc.errors import Conflict, DomainError

from .rules import CHECKS, available_actions


def _lock(case: Case, by, action: str, expected_version: int | None) -> Case:
    """Re-read the case under a row lock and run the action's check against that fresh row."""
    # No select_related here: on PostgreSQL a row locked after waiting is re-read, but an
    # outer-joined row would still come from the older snapshot (a stale assignee).
    locked = Case.objects.select_for_update().get(pk=case.pk)
    try:
        # The action's own check first: a lost claim race says who won, not "stale page".
        CHECKS[action](locked, by)
        if expected_version is not None and locked.version != expected_version:
            raise Conflict(
                f"{locked.reference} changed since you loaded it (version {expected_version}, now "
                f"{locked.version}); reload and try again."
            )
    except Conflict as exc:
        exc.data.setdefault("current_status", locked.status)
        exc.data.setdefault("allowed", available_actions(locked, by))
        exc.data.setdefault("version", locked.version)
        raise
    return locked


def move(case: Case, status: str) -> None:
    """The case's status change, through the lifecycle table (refused if not listed there)."""
    CASE_LIFECYCLE.move(case, status)


def _save(case: Case, *fields: str) -> None:
    case.version += 1
    case.save(update_fields=[*fields, "version", "updated_at"])


def _sync(target: Case, source: Case) -> Case:
    """Copy the committed state back into the caller's instance, so it is not stale."""
    if target is not source:
        for field in source._meta.concrete_fields:
            setattr(target, field.attname, getattr(source, field.attname))
        if source.assignee_id is not None and "assignee" in source._state.fields_cache:
            target.assignee = source.assignee
    return source


def _required(**fields: str) -> None:
    missing = {
        name: ["This field is required."] for name, value in fields.items() if not (value or "").strip()
    }
    if missing:
        raise DomainError("Missing required fields: " + ", ".join(missing) + ".", errors=missing)


def _who(user) -> str | None:
    return user.get_username() if user is not None else None
