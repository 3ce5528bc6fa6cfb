"""Late playbooks: a case opened while no playbook covered it gets one afterwards.

- Automatically, when a covering playbook is published (`attach_late_playbooks`, run by
  cases.tasks.attach_late_playbooks after the publish commits): every open case without a
  playbook whose techniques that playbook now covers (playbooks.coverage's rule, over all
  published playbooks: the most specific claim wins).
- By hand, by a T2 analyst or a SOC manager (`case_attach_playbook(..., by=user)`).

Either way the case pins the published version, gets one step per item, joins the
playbook's correlation group, records a `playbook_attached` event, and its suggestions are
computed by the per-case refresh task (cases.extensions.REFRESH_CASE) once this commits.
"""

from django.db import transaction

from cases.extensions import REFRESH_CASE
from cases.ingest.store import new_row
from cases.models import Case, CaseEvent, CaseStep
from cases.services import events
from playbooks.models import PlaybookVersion
from playbooks.services import published_coverage
from soc.errors import Conflict, NotAllowed, Unprocessable
from soc.roles import is_manager, is_t2
from soc.tasks import dispatch_on_commit

from .intake.keys import PLAYBOOK_GROUP, route

PLAYBOOK_ATTACHED = CaseEvent.Verb.PLAYBOOK_ATTACHED


def can_attach_playbook(user, case: Case | None = None) -> bool:
    """A T2 analyst or a manager; on a claimed case only its assignee or a manager (the
    claim means something: attaching a playbook creates the case's steps)."""
    if not (user and user.is_authenticated and (is_t2(user) or is_manager(user))):
        return False
    claimed_by_other = case is not None and case.assignee_id is not None and case.assignee_id != user.pk
    return not claimed_by_other or is_manager(user)


@transaction.atomic
def case_attach_playbook(*, case: Case, version: PlaybookVersion, by=None) -> Case:
    """Pin this published version to an open case that has no playbook.

    `by` None is Vigil itself (a publish); a user must be a T2 analyst or a manager.
    Raises NotAllowed (403), Conflict (409: closed, or a playbook already pinned) or
    Unprocessable (the version is not published).
    """
    if by is not None and not can_attach_playbook(by):
        raise NotAllowed("Only a T2 analyst or a SOC manager may attach a playbook.")
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if by is not None and not can_attach_playbook(by, locked):
        owner = locked.assignee.get_username()
        raise NotAllowed(
            f"{locked.reference} is assigned to {owner}; only they or a SOC manager can attach a playbook."
        )
    if not locked.is_open:
        raise Conflict(f"{locked.reference} is {locked.status}.", current_status=locked.status)
    if locked.playbook_version_id is not None:
        raise Conflict(f"{locked.reference} already follows a playbook.", current_status=locked.status)
    version = PlaybookVersion.objects.filter(pk=version.pk).first()
    if version is None or version.status != PlaybookVersion.Status.PUBLISHED:
        raise Unprocessable(
            "Only a published playbook can be attached.", errors={"technique_id": ["Not published."]}
        )
    locked.playbook_version = version
    locked.needs_playbook = False
    locked.correlation_group = PLAYBOOK_GROUP + version.technique_id
    locked.version += 1
    locked.save(
        update_fields=["playbook_version", "needs_playbook", "correlation_group", "version", "updated_at"]
    )
    CaseStep.objects.bulk_create(
        new_row(CaseStep, case_id=locked.pk, item_id=pk, section=section, order=order)
        for pk, section, order in version.items.order_by("section", "order").values_list(
            "pk", "section", "order"
        )
    )
    events.record(events.playbook_attached(locked, version=version, by=by))
    dispatch_on_commit(REFRESH_CASE.task, locked.pk)
    return locked


def attach_late_playbooks(*, version: PlaybookVersion) -> list[int]:
    """Attach this newly published version to every open case without a playbook that it
    covers; returns their ids. Idempotent: a case that got a playbook meanwhile is skipped."""
    coverage = published_coverage()
    attached = []
    waiting = (
        Case.objects.open().filter(playbook_version__isnull=True).only("id", "technique_id", "techniques")
    )
    for case in waiting.iterator(chunk_size=500):
        techniques = case.techniques or ([case.technique_id] if case.technique_id else [])
        if route(techniques, coverage).playbook_technique != version.technique_id:
            continue
        try:
            case_attach_playbook(case=case, version=version)
        except Conflict:
            continue  # closed or given a playbook since the query
        attached.append(case.pk)
    return attached


__all__ = ["PLAYBOOK_ATTACHED", "attach_late_playbooks", "can_attach_playbook", "case_attach_playbook"]
