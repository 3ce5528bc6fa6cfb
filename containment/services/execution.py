"""Running actions: what a Celery task does with an action id, and the housekeeping
that repairs what a lost broker message or a killed worker left behind.

A run claims the action with a conditional UPDATE (queued -> running for execution; a
reverting action whose lease is free for a revert) and holds it under a lease with a
claim token. Only the claimant may finish the run, in a transaction that locks the row
and checks the token, so a duplicate delivery or a run that lost its lease changes
nothing. Connectors are idempotent, so a run repeated after a worker died mid-way
(effect applied, success not yet recorded) succeeds without doing the work twice.

Connector errors: permanent -> failed at once; transient -> back to queued with
exponential backoff and jitter until CONTAINMENT_MAX_ATTEMPTS, then failed with the
last error shown. Guardrails are checked again right before a connector runs.
"""

import logging
import random
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cases.models import Case
from cases.services.workflow import case_mark_contained
from containment import guardrails
from containment.checklist import step_follow_action
from containment.connectors import ConnectorError, get_connector
from containment.lifecycle import ACTION_LIFECYCLE
from containment.models import ContainmentAction
from playbooks.registry import ActionKey
from soc.errors import DomainError

from .common import EXECUTE, REVERT, Status, dispatch, lock_action, record

logger = logging.getLogger(__name__)

# What a run did, for the task's return value and the tests.
CLAIM_LOST = "not_claimed"
SUCCEEDED = "succeeded"
RETRY = "retry"
FAILED = "failed"
LEASE_LOST = "lease_lost"


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with "equal jitter": half the step fixed, half random."""
    step = min(
        settings.CONTAINMENT_RETRY_MAX_SECONDS, settings.CONTAINMENT_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
    )
    return step / 2 + random.uniform(0, step / 2)


def _claim(action_id: int, phase: str) -> str | None:
    """Claim the action for this run; return the claim token, or None if another run owns
    it or there is nothing to do (already done, not queued)."""
    token = uuid.uuid4().hex
    now = timezone.now()
    lease = now + timedelta(seconds=settings.CONTAINMENT_LEASE_SECONDS)
    with transaction.atomic():
        # The case first, as every containment write does (see common.lock_action).
        case_id = ContainmentAction.objects.filter(pk=action_id).values_list("case_id", flat=True).first()
        if case_id is None:
            return None
        list(Case.objects.select_for_update().filter(pk=case_id).values_list("pk", flat=True))
        if phase == EXECUTE:
            claimed = ACTION_LIFECYCLE.claim(
                ContainmentAction.objects.filter(pk=action_id),
                source=Status.QUEUED,
                target=Status.RUNNING,
                claim_token=token,
                lease_until=lease,
                started_at=now,
                attempts=F("attempts") + 1,
                updated_at=now,
            )
        else:
            claimed = (
                ContainmentAction.objects.filter(pk=action_id, status=Status.REVERTING)
                .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
                .update(
                    claim_token=token,
                    lease_until=lease,
                    revert_attempts=F("revert_attempts") + 1,
                    updated_at=now,
                )
            )
        if not claimed:
            return None
        if phase == EXECUTE:
            action = ContainmentAction.objects.select_related("case").get(pk=action_id)
            record(action, "running", attempt=action.attempts)
    return token


def _load(action_id: int) -> ContainmentAction:
    return ContainmentAction.objects.select_related("case", "requested_by", "approved_by").get(pk=action_id)


def _mark_contained(action: ContainmentAction) -> None:
    """The case's containment milestone, once no block or disable is still pending."""
    pending = (
        ContainmentAction.objects.filter(
            case_id=action.case_id, kind__in=[ActionKey.BLOCK_IP, ActionKey.DISABLE_ACCOUNT]
        )
        .filter(status__in=[Status.PROPOSED, Status.APPROVED, Status.QUEUED, Status.RUNNING])
        .exists()
    )
    if pending:
        return

    try:
        with transaction.atomic():
            case_mark_contained(case=action.case, by=None)
    except DomainError as exc:  # e.g. the case was resolved meanwhile; the action still succeeded
        logger.info("case %s not marked contained: %s", action.case_id, exc)


def _finish(
    action_id: int, token: str, phase: str, *, result=None, error: ConnectorError | None = None
) -> str:
    with transaction.atomic():
        action = lock_action(action_id)
        expected = Status.RUNNING if phase == EXECUTE else Status.REVERTING
        if action.status != expected or action.claim_token != token:
            logger.warning(
                "action %s: run lost its claim (status %s); result discarded", action_id, action.status
            )
            return LEASE_LOST
        now = timezone.now()
        action.claim_token, action.lease_until = "", None
        attempts = action.attempts if phase == EXECUTE else action.revert_attempts
        if error is None:
            if phase == EXECUTE:
                ACTION_LIFECYCLE.move(action, Status.SUCCEEDED)
                action.finished_at, action.last_error = now, ""
                action.result = result or {}
                action.save()
                record(action, "succeeded", attempt=attempts, result=action.result)
                step_follow_action(action, done=True)
                _mark_contained(action)
            else:
                ACTION_LIFECYCLE.move(action, Status.REVERTED)
                action.reverted_at, action.last_error = now, ""
                action.result = {**(action.result or {}), "revert": result or {}}
                action.save()
                record(action, "reverted", attempt=attempts, result=result or {})
            return SUCCEEDED
        action.last_error = error.message[:2000]
        if not error.permanent and attempts < settings.CONTAINMENT_MAX_ATTEMPTS:
            delay = backoff_seconds(attempts)
            action.dispatched_at = now + timedelta(seconds=delay)
            if phase == EXECUTE:
                ACTION_LIFECYCLE.move(action, Status.QUEUED)
            action.save()
            record(
                action,
                "retry_scheduled" if phase == EXECUTE else "revert_retry_scheduled",
                attempt=attempts,
                error=action.last_error,
                retry_in=round(delay, 2),
            )
            dispatch(action.pk, phase, countdown=delay)
            return RETRY
        if phase == EXECUTE:
            ACTION_LIFECYCLE.move(action, Status.FAILED)
            action.finished_at = now
            action.save()
            record(action, "failed", attempt=attempts, error=action.last_error, permanent=error.permanent)
        else:
            # The effect is still in place: back to where the revert started from.
            ACTION_LIFECYCLE.move(action, action.result.get("revert_from", Status.SUCCEEDED))
            action.last_error = f"Revert failed: {action.last_error}"
            action.save()
            record(
                action, "revert_failed", attempt=attempts, error=action.last_error, permanent=error.permanent
            )
        return FAILED


def action_run(*, action_id: int, phase: str = EXECUTE) -> str:
    """Execute (or revert) one action, as its Celery task does. Safe to call any number of
    times for the same action: only one run claims it."""
    token = _claim(action_id, phase)
    if token is None:
        return CLAIM_LOST
    action = _load(action_id)
    try:
        if phase == EXECUTE:
            refusals = guardrails.unresolved(
                guardrails.check(action.kind, action.target), action.overridden_rules
            )
            if refusals:
                first = refusals[0]
                raise ConnectorError(f"Guardrail {first.rule}: {first.message}", permanent=True)
        connector = get_connector(action.connector)
        result = connector.execute(action) if phase == EXECUTE else connector.revert(action)
    except ConnectorError as exc:
        return _finish(action_id, token, phase, error=exc)
    except Exception as exc:  # a bug or a time limit: retried, then shown as the error
        logger.exception("action %s: connector %s crashed", action_id, action.connector)
        return _finish(action_id, token, phase, error=ConnectorError(f"{exc.__class__.__name__}: {exc}"))
    return _finish(action_id, token, phase, result=result)


def containment_housekeeping(*, now=None) -> dict:
    """What the beat task does every minute:

    - running actions whose lease expired (the worker died) go back to queued, or to
      failed when their attempts are used up;
    - queued actions no task has picked up for CONTAINMENT_REQUEUE_AFTER_SECONDS (the
      broker was down when they were dispatched) are dispatched again, and so are
      reverting actions without a live run;
    - succeeded actions past their expiry are reverted (by Vigil).
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.CONTAINMENT_REQUEUE_AFTER_SECONDS)
    counts = {"requeued_lost": 0, "redispatched": 0, "expired": 0}
    automatic = ContainmentAction.objects.exclude(connector="manual")

    for action_id in automatic.filter(status=Status.RUNNING, lease_until__lt=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            action = lock_action(action_id)
            if action.status != Status.RUNNING or not action.lease_until or action.lease_until >= now:
                continue
            action.claim_token, action.lease_until = "", None
            if action.attempts >= settings.CONTAINMENT_MAX_ATTEMPTS:
                ACTION_LIFECYCLE.move(action, Status.FAILED)
                action.finished_at = now
                action.last_error = "The worker running this action was lost and no attempts are left."
                action.save()
                record(action, "failed", attempt=action.attempts, error=action.last_error, permanent=False)
                continue
            ACTION_LIFECYCLE.move(action, Status.QUEUED)
            action.dispatched_at = now
            action.last_error = "The worker running this action was lost; queued again."
            action.save()
            record(action, "requeued", attempt=action.attempts, error=action.last_error)
            dispatch(action.pk, EXECUTE)
            counts["requeued_lost"] += 1

    waiting = automatic.filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale)).filter(
        Q(status=Status.QUEUED)
        | Q(status=Status.REVERTING) & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    )
    for action_id, status, dispatched_at in waiting.values_list("pk", "status", "dispatched_at"):
        # Conditional on the value read: two housekeeping runs never both dispatch it.
        with transaction.atomic():
            moved = ContainmentAction.objects.filter(
                pk=action_id, status=status, dispatched_at=dispatched_at
            ).update(dispatched_at=now)
            if moved:
                dispatch(action_id, EXECUTE if status == Status.QUEUED else REVERT)
                counts["redispatched"] += 1

    expired = automatic.filter(status=Status.SUCCEEDED, expires_at__lte=now).select_related("case")
    from .actions import action_revert

    for action in expired:
        try:
            action_revert(action=action, by=None, reason="expired")
            counts["expired"] += 1
        except DomainError as exc:
            logger.info("expired action %s not reverted: %s", action.pk, exc)
    return counts
