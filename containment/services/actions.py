"""The life of a containment action as people drive it: request, approve, reject,
retry, revert, and the manual steps' owner / due date / note / done.

Every function takes keyword-only arguments with the acting user as `by=`, runs in one
transaction, locks the action row it changes, writes one timeline event per status change
and hands work to Celery only after commit. Errors are soc.errors: NotAllowed (403) for
the wrong role, Conflict (409) for the wrong status, Unprocessable (422, with `rule`) for
a guardrail, DomainError (400, with `errors`) for bad input.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import Case
from cases.resolvers import resolve_playbook_item
from cases.services.workflow import case_enter_containment
from containment import guardrails, policy
from containment.checklist import step_follow_action
from containment.connectors import configuration_problem, connector_name_for
from containment.lifecycle import ACTION_LIFECYCLE
from containment.models import ContainmentAction
from containment.targets import normalise
from playbooks.registry import ActionKey
from soc.errors import Conflict, DomainError, NotAllowed, Unprocessable
from soc.roles import Role

from .common import EXECUTE, REVERT, Status, dispatch, lock_action, record

# Cases on which containment may be requested: T2 has claimed them (investigating) or
# containment is already under way.
REQUESTABLE_CASE_STATUSES = (Case.Status.INVESTIGATING, Case.Status.CONTAINMENT)
UNSET = object()


def _conflict(action: ContainmentAction, doing: str) -> Conflict:
    return Conflict(
        f"This action is {action.get_status_display().lower()}; it cannot be {doing}.",
        current_status=action.status,
    )


def _move(action: ContainmentAction, target: str, doing: str) -> None:
    """The status move through the lifecycle table, refused as "cannot be <doing>"."""
    if not ACTION_LIFECYCLE.allows(action.status, target):
        raise _conflict(action, doing)
    ACTION_LIFECYCLE.move(action, target)


def _lock(action: ContainmentAction) -> ContainmentAction:
    return lock_action(action.pk)


def _sync(target: ContainmentAction, source: ContainmentAction) -> ContainmentAction:
    """Copy the committed row back into the caller's instance so it is not stale."""
    if target is not source:
        for field in source._meta.concrete_fields:
            setattr(target, field.attname, getattr(source, field.attname))
    return source


# The longest lifetime a request may give (ten years); beyond it `timedelta` overflows.
MAX_EXPIRES_IN_SECONDS = 10 * 365 * 24 * 3600


def _duration(kind: str, expires_in) -> timedelta | None:
    """The action's lifetime. Blocks default to CONTAINMENT_DEFAULT_BLOCK_DURATION and
    `0` means no expiry; accounts stay disabled until reverted unless a duration is given."""
    if expires_in in (None, ""):
        return settings.CONTAINMENT_DEFAULT_BLOCK_DURATION if kind == ActionKey.BLOCK_IP else None
    if isinstance(expires_in, timedelta):
        seconds = expires_in.total_seconds()
    else:
        try:
            seconds = int(expires_in)
        except (TypeError, ValueError):
            raise DomainError(
                "expires_in must be a number of seconds.", errors={"expires_in": ["Not a number of seconds."]}
            ) from None
    if seconds < 0:
        raise DomainError("expires_in cannot be negative.", errors={"expires_in": ["Cannot be negative."]})
    if seconds > MAX_EXPIRES_IN_SECONDS:
        message = f"At most {MAX_EXPIRES_IN_SECONDS} seconds (ten years); 0 means no expiry."
        raise DomainError(message, errors={"expires_in": [message]})
    return None if seconds == 0 else timedelta(seconds=seconds)


def _guard(kind: str, target: str, *, by, override_reason: str) -> list[str]:
    """Check the guardrails; return the rules a manager overrode (raise otherwise)."""
    refusals = guardrails.check(kind, target)
    if not refusals:
        return []
    first = refusals[0]
    details = [r.as_dict() for r in refusals]
    hard = [r for r in refusals if not r.overridable]
    if hard or not override_reason:
        message = first.message
        if not hard and policy.can_override(by):
            message += " A SOC manager may override this with a reason."
        raise Unprocessable(message, rule=first.rule, rules=details, overridable=not hard)
    if not policy.can_override(by):
        raise NotAllowed(
            f"{first.message} Only a SOC manager may override a guardrail.", rule=first.rule, rules=details
        )
    return [r.rule for r in refusals]


def _queue(action: ContainmentAction, *, by) -> None:
    """approved (or a fresh non-sensitive request) -> queued, and the task on commit.
    Actions routed to the manual connector go to a person instead (running, no task)."""
    now = timezone.now()
    if action.is_manual:
        ACTION_LIFECYCLE.move(action, Status.RUNNING)
        action.started_at = now
        action.save(update_fields=["status", "started_at", "updated_at"])
        record(action, "awaiting_person", by=by)
        return
    ACTION_LIFECYCLE.move(action, Status.QUEUED)
    action.queued_at, action.dispatched_at = now, now
    action.save(update_fields=["status", "queued_at", "dispatched_at", "updated_at"])
    record(action, "queued", by=by)
    dispatch(action.pk, EXECUTE)


def _enter_containment(case: Case, by) -> None:
    if case.status == Case.Status.INVESTIGATING:
        case_enter_containment(case=case, by=by)


@transaction.atomic
def action_request(
    *,
    case: Case,
    kind: str,
    target: str,
    reason: str = "",
    expires_in=None,
    by,
    override_reason: str = "",
    playbook_item=None,
) -> ContainmentAction:
    """Request a containment action on a case (T2 or SOC manager).

    Idempotent: while an action for the same (case, kind, normalised target) is open,
    asking again returns it unchanged (`action.is_new` tells which happened). Guardrails
    refuse with the rule's name unless a SOC manager overrides with a reason. Sensitive
    actions wait for approval; the others are queued at once. Requesting moves an
    investigating case into containment.
    """
    policy.require_request(by)
    if kind not in ActionKey.values:
        raise DomainError(
            f"Unknown action kind {kind!r}.",
            errors={"kind": [f"Choose one of {', '.join(ActionKey.values)}."]},
        )
    normalised = normalise(kind, target)
    override_reason = (override_reason or "").strip()
    locked_case = Case.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=case.pk)
    policy.require_request_on_case(by, locked_case)
    if locked_case.status not in REQUESTABLE_CASE_STATUSES:
        raise Conflict(
            f"{locked_case.reference} is {locked_case.get_status_display().lower()}; containment is requested "
            "once T2 investigates it.",
            current_status=locked_case.status,
        )
    if playbook_item is not None:
        resolve_playbook_item(locked_case, playbook_item.pk)
    key = ContainmentAction.make_key(locked_case.pk, kind, normalised)
    existing = ContainmentAction.objects.open().filter(idempotency_key=key).first()
    if existing is not None:
        existing.is_new = False
        return existing

    overridden = _guard(kind, normalised, by=by, override_reason=override_reason)
    duration = _duration(kind, expires_in) if kind != ActionKey.MANUAL else None
    problem = configuration_problem(kind)
    if problem:
        raise DomainError(
            f"{ActionKey(kind).label} cannot be requested: {problem}", errors={"kind": [problem]}
        )
    sensitive = policy.sensitivity_reasons(kind, normalised, duration)
    now = timezone.now()
    action = ContainmentAction(
        case=locked_case,
        case_opened_at=locked_case.opened_at,
        kind=kind,
        target=normalised,
        connector=connector_name_for(kind),
        reason=(reason or "").strip(),
        status=Status.PROPOSED,
        requested_by=by,
        sensitive_reasons=sensitive,
        override_reason=override_reason if overridden else "",
        overridden_rules=overridden,
        overridden_by=by if overridden else None,
        expires_at=now + duration if duration else None,
        idempotency_key=key,
        playbook_item=playbook_item,
    )
    try:
        with transaction.atomic():
            action.save()
    except IntegrityError:
        # A concurrent request for the same target won the unique open key.
        existing = ContainmentAction.objects.open().get(idempotency_key=key)
        existing.is_new = False
        return existing
    action.is_new = True
    _enter_containment(locked_case, by)
    extra = {"reason": action.reason, "sensitive": sensitive}
    if overridden:
        extra["override"] = {"rules": overridden, "reason": override_reason}
    if action.expires_at:
        extra["expires_at"] = action.expires_at.isoformat()
    record(action, "requested", by=by, **extra)
    if not sensitive:
        _queue(action, by=by)
    return action


@transaction.atomic
def action_approve(*, action: ContainmentAction, by) -> ContainmentAction:
    """A SOC manager (or a second T2 when configured) approves a proposed action; it is
    queued at once. Nobody approves their own request."""
    locked = _lock(action)
    policy.require_approve(by, locked)
    _move(locked, Status.APPROVED, "approved")
    locked.approved_by, locked.approved_at = by, timezone.now()
    locked.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    record(locked, "approved", by=by)
    _queue(locked, by=by)
    return _sync(action, locked)


@transaction.atomic
def action_reject(*, action: ContainmentAction, by, reason: str = "") -> ContainmentAction:
    """An approver rejects a proposed action, or its requester withdraws it."""
    locked = _lock(action)
    if locked.requested_by_id != getattr(by, "pk", None):
        policy.require_approve(by, locked)
    _move(locked, Status.REJECTED, "rejected")
    locked.finished_at = timezone.now()
    locked.save(update_fields=["status", "finished_at", "updated_at"])
    record(locked, "rejected", by=by, reason=(reason or "").strip())
    return _sync(action, locked)


@transaction.atomic
def action_retry(*, action: ContainmentAction, by) -> ContainmentAction:
    """A person queues a failed action again, with a fresh attempt budget."""
    policy.require_request(by)
    locked = _lock(action)
    policy.require_request_on_case(by, locked.case)
    if locked.status != Status.FAILED or locked.is_manual:
        raise _conflict(locked, "retried")
    previous = locked.attempts
    ACTION_LIFECYCLE.move(locked, Status.QUEUED)
    locked.attempts, locked.claim_token, locked.lease_until = 0, "", None
    locked.queued_at = locked.dispatched_at = timezone.now()
    locked.save(
        update_fields=[
            "status",
            "attempts",
            "claim_token",
            "lease_until",
            "queued_at",
            "dispatched_at",
            "updated_at",
        ]
    )
    record(locked, "retry_requested", by=by, previous_attempts=previous, last_error=locked.last_error)
    dispatch(locked.pk, EXECUTE)
    return _sync(action, locked)


@transaction.atomic
def action_revert(*, action: ContainmentAction, by, reason: str = "") -> ContainmentAction:
    """Undo an action through the same machinery (unblock, re-enable): succeeded or failed
    -> reverting, and a revert task on commit. `by=None` is Vigil itself (an expired block).
    A manual step is withdrawn at once."""
    if by is not None:
        policy.require_request(by)
    locked = _lock(action)
    if by is not None:
        policy.require_revert(by, locked)
    if locked.is_manual:
        if locked.status not in (Status.RUNNING, Status.SUCCEEDED):
            raise _conflict(locked, "withdrawn")
        ACTION_LIFECYCLE.move(locked, Status.REVERTED)
        locked.reverted_at = timezone.now()
        locked.save(update_fields=["status", "reverted_at", "updated_at"])
        record(locked, "withdrawn", by=by, reason=(reason or "").strip())
        return _sync(action, locked)
    revert_from = locked.status
    _move(locked, Status.REVERTING, "reverted")
    locked.result = {**(locked.result or {}), "revert_from": revert_from}
    locked.revert_attempts, locked.claim_token, locked.lease_until = 0, "", None
    now = timezone.now()
    locked.dispatched_at = now
    locked.save(
        update_fields=[
            "status",
            "result",
            "revert_attempts",
            "claim_token",
            "lease_until",
            "dispatched_at",
            "updated_at",
        ]
    )
    record(
        locked, "revert_requested", by=by, reason=(reason or "").strip() or ("expired" if by is None else "")
    )
    dispatch(locked.pk, REVERT)
    return _sync(action, locked)


@transaction.atomic
def action_manual_update(
    *,
    action: ContainmentAction,
    by,
    owner=UNSET,
    due_at: datetime | None = UNSET,  # type: ignore[assignment]
    note: str = UNSET,  # type: ignore[assignment]
    done: bool | None = None,
) -> ContainmentAction:
    """Update a manual step: owner (a user with a role, or None), due date, note, and
    done (running <-> succeeded). Arguments left out keep their value; a call that
    changes nothing writes nothing."""
    policy.require_request(by)
    locked = _lock(action)
    if not locked.is_manual or locked.status not in (Status.RUNNING, Status.SUCCEEDED):
        raise _conflict(locked, "updated as a manual step")
    changes: dict = {}
    if owner is not UNSET and owner != locked.owner:
        if owner is not None and not owner.has_perm("cases.view_case"):
            raise DomainError(
                "The owner must be a SOC team member.", errors={"owner": ["Not a SOC team member."]}
            )
        locked.owner = owner
        changes["owner"] = owner.get_username() if owner else None
    if due_at is not UNSET and due_at != locked.due_at:
        locked.due_at = due_at
        changes["due_at"] = due_at.isoformat() if due_at else None
    if note is not UNSET and (note or "").strip() != locked.note:
        locked.note = (note or "").strip()
        changes["note"] = locked.note
    event = "step_updated"
    if done is True and locked.status == Status.RUNNING:
        ACTION_LIFECYCLE.move(locked, Status.SUCCEEDED)
        locked.finished_at = timezone.now()
        event = "done"
    elif done is False and locked.status == Status.SUCCEEDED:
        ACTION_LIFECYCLE.move(locked, Status.RUNNING)
        locked.finished_at = None
        event = "reopened"
    if not changes and event == "step_updated":
        return _sync(action, locked)
    locked.save()
    record(locked, event, by=by, changes=changes)
    if event in ("done", "reopened"):
        step_follow_action(locked, done=event == "done", by=by)
    return _sync(action, locked)


def assignable_owners():
    """Users a manual step may be given to: members of the SOC roles."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[r.value for r in Role])
        .distinct()
        .order_by("username")
    )
