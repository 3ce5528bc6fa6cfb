"""Shared plumbing of the containment services: timeline events and task dispatch."""

from django.conf import settings

from cases.models import Case
from cases.services import events
from containment.models import ContainmentAction
from containment.visibility import redact_result
from soc.tasks import dispatch_on_commit

Status = ContainmentAction.Status

EXECUTE = "execute"
REVERT = "revert"


def record(action: ContainmentAction, event: str, *, by=None, **details) -> None:
    """One timeline event for one change of the action (call inside its transaction);
    `details` are the keyword arguments of cases.services.events.containment_action.

    Every role reads the case timeline, so connector configuration (webhook URL, directory
    URL and bind name) is taken out of the details here, as for a viewer who is not a
    manager (containment.visibility); managers read it on the action itself."""
    events.record(
        events.containment_action(
            action.case,
            by=by,
            action_id=action.pk,
            kind=action.kind,
            kind_label=action.get_kind_display(),
            target=action.target,
            status=action.status,
            event=event,
            **redact_result(details, None),
        )
    )


def dispatch(action_id: int, phase: str, *, countdown: float | None = None) -> None:
    """Hand the action's task to the broker once the transaction commits.

    A broker outage never fails the caller: the action stays queued (or reverting) and
    the housekeeping task dispatches it again.
    """
    from containment.tasks import revert_action, run_action

    task = run_action if phase == EXECUTE else revert_action
    options = {}
    if settings.CONTAINMENT_QUEUE:
        options["queue"] = settings.CONTAINMENT_QUEUE
    if countdown:
        options["countdown"] = countdown
    dispatch_on_commit(task.signature((action_id,), **options))


def lock_action(action_id: int) -> ContainmentAction:
    """Lock the action's case, then the action (call inside a transaction).

    Every containment write takes its locks in this order (case first, as the case
    workflow does), so two writers never hold one lock each while waiting for the other:
    writing the timeline event takes a key-share lock on the case, and marking the case
    contained takes its row lock. Holding the case lock also serialises "is anything
    still pending on this case?" between actions finishing at the same time.
    """
    case_id = ContainmentAction.objects.values_list("case_id", flat=True).get(pk=action_id)
    case = Case.objects.select_for_update().get(pk=case_id)
    action = (
        ContainmentAction.objects.select_for_update(of=("self",))
        .select_related("requested_by")
        .get(pk=action_id)
    )
    action.case = case
    return action
