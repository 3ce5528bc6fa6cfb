"""Reads for the case's containment panel: its actions and the actions Vigil suggests.

Suggestions come from the pinned playbook version's containment items (action keys
block_ip / disable_account / manual) and the case's observables: every external IP
(type ip, not internal) for block_ip, every affected user (type user) for
disable_account. Targets that already have an open action are not suggested again, and
a suggestion that a guardrail would refuse says so before anyone clicks.
"""

from dataclasses import dataclass, field

from cases.models import Case, Observable
from playbooks.models import PlaybookItem
from playbooks.registry import ActionKey
from soc.errors import DomainError

from . import guardrails
from .models import ContainmentAction
from .targets import normalise

MAX_SUGGESTED_TARGETS = 20


@dataclass
class Suggestion:
    kind: str
    target: str
    label: str
    item: PlaybookItem | None = None
    refusals: list = field(default_factory=list)

    @property
    def is_manual(self) -> bool:
        """A step a person carries out and tracks (no connector runs it)."""
        return self.kind == ActionKey.MANUAL


def case_actions(case: Case):
    return case.actions.for_panel().order_by("created_at", "id")


def suggested_actions(case: Case, actions) -> list[Suggestion]:
    """What T2 can request with one click on this case (see the module docstring)."""
    items: dict[str, list[PlaybookItem]] = {}
    if case.playbook_version_id:
        for item in PlaybookItem.objects.filter(
            version_id=case.playbook_version_id, section=PlaybookItem.Section.CONTAINMENT_STEP
        ).order_by("order"):
            items.setdefault(item.action or ActionKey.MANUAL, []).append(item)
    observables = (
        Observable.objects.filter(case_links__case=case, type__in=[Observable.Type.IP, Observable.Type.USER])
        .order_by("type", "value")
        .values_list("type", "value", "is_internal")
    )
    ips = [value for kind, value, internal in observables if kind == Observable.Type.IP and not internal]
    users = [value for kind, value, _ in observables if kind == Observable.Type.USER]
    taken = {a.idempotency_key for a in actions if a.status not in ContainmentAction.CLOSED_STATUSES}
    reference = guardrails.Reference.load() if ips else None

    suggestions: list[Suggestion] = []

    def add(kind: str, raw_target: str, label: str, item: PlaybookItem | None) -> None:
        try:
            target = normalise(kind, raw_target)
        except DomainError:  # an observable that is not a valid target is simply not suggested
            return
        if ContainmentAction.make_key(case.pk, kind, target) in taken:
            return
        if any(s.kind == kind and s.target == target for s in suggestions):
            return
        refusals = guardrails.check(kind, target, reference=reference) if kind != ActionKey.MANUAL else []
        suggestions.append(Suggestion(kind=kind, target=target, label=label, item=item, refusals=refusals))

    block_items = items.get(ActionKey.BLOCK_IP, [None])
    for ip in ips[:MAX_SUGGESTED_TARGETS]:
        add(ActionKey.BLOCK_IP, ip, f"Block {ip}", block_items[0])
    disable_items = items.get(ActionKey.DISABLE_ACCOUNT, [None])
    for user in users[:MAX_SUGGESTED_TARGETS]:
        add(ActionKey.DISABLE_ACCOUNT, user, f"Disable account {user}", disable_items[0])
    for item in items.get(ActionKey.MANUAL, []):
        add(ActionKey.MANUAL, item.text, item.text, item)
    return suggestions
