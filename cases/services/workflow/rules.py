"""Who may do what to a case in which state: the checks every transition runs.

The checks are pure (no writes) and shared by the services (cases.services.workflow)
and by ``available_actions()``, so pages and the API only offer what a service accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from django.contrib.auth import get_user_model

from cases.models import Case
from soc.errors import Conflict, DomainError, NotAllowed
from soc.roles import is_l1, is_manager, is_t2

Status = Case.Status

L1_RESOLUTIONS = (Case.Resolution.FALSE_POSITIVE, Case.Resolution.BENIGN, Case.Resolution.DUPLICATE)
T2_RESOLUTIONS = (Case.Resolution.TRUE_POSITIVE, Case.Resolution.FALSE_POSITIVE, Case.Resolution.BENIGN)


class Action(StrEnum):
    """The case actions, as the API paths and the HTML forms spell them."""

    CLAIM = "claim"
    UNASSIGN = "unassign"
    ASSIGN = "assign"
    CLOSE = "close"
    ESCALATE = "escalate"
    RETURN = "return"
    CONTAIN = "contain"
    RESOLVE = "resolve"
    REOPEN = "reopen"


# --- who is who -------------------------------------------------------------------


def _can_view(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("cases.view_case"))


def _owns(case: Case, user) -> bool:
    return case.assignee_id is not None and case.assignee_id == user.pk


def _owner_or_manager(case: Case, user, doing: str) -> None:
    if not (_owns(case, user) or is_manager(user)):
        owner = case.assignee.get_username() if case.assignee_id else "nobody"
        raise NotAllowed(f"{case.reference} is assigned to {owner}; only they or a SOC manager can {doing}.")


def _wrong_state(case: Case, doing: str) -> Conflict:
    return Conflict(f"A case in status '{case.get_status_display()}' cannot be {doing}.")


# --- checks (pure: no writes) ---------------------------------------------------------


def _require(allowed: bool, refusal: str) -> None:
    """NotAllowed with `refusal` unless the actor's role allows the action."""
    if not allowed:
        raise NotAllowed(refusal)


def _check_base(case: Case, by) -> None:
    _require(_can_view(by), "Your role does not give access to cases.")


def _check_claim(case: Case, by) -> None:
    _check_base(case, by)
    if case.status == Status.NEW or (case.status == Status.TRIAGE and case.assignee_id is None):
        _require(is_l1(by), "Your role cannot triage cases.")
    elif case.status == Status.ESCALATED and case.assignee_id is None:
        _require(is_t2(by), "Escalated cases are claimed by a T2 analyst.")
    elif case.assignee_id is not None and case.is_open:
        if _owns(case, by):
            raise Conflict(f"You have already claimed {case.reference}.")
        raise Conflict(f"{case.reference} was already claimed by {case.assignee.get_username()}.")
    else:
        raise _wrong_state(case, "claimed")


def _check_unassign(case: Case, by) -> None:
    _check_base(case, by)
    if case.status not in (Status.TRIAGE, Status.INVESTIGATING) or case.assignee_id is None:
        raise _wrong_state(case, "unassigned")
    _owner_or_manager(case, by, "unassign it")


def _check_assign(case: Case, by) -> None:
    _check_base(case, by)
    if not case.is_open:
        raise _wrong_state(case, "reassigned")
    if is_manager(by):
        return
    needed = is_t2 if case.tier == Case.Tier.T2 else is_l1
    _require(needed(by), f"Only {case.get_tier_display()} analysts or a SOC manager can assign this case.")
    if case.assignee_id is not None and not _owns(case, by):
        _owner_or_manager(case, by, "reassign it")


def _check_close(case: Case, by) -> None:
    _check_base(case, by)
    if case.status in (Status.NEW, Status.TRIAGE):
        _require(is_l1(by), "Your role cannot close cases in triage.")
        if case.assignee_id is not None:
            _owner_or_manager(case, by, "close it")
    elif case.status == Status.RESOLVED:
        _require(is_t2(by), "Resolved cases are closed by T2 or a SOC manager.")
    elif case.status in (Status.ESCALATED, Status.INVESTIGATING, Status.CONTAINMENT):
        raise Conflict(f"{case.reference} is with T2; it is resolved before it is closed.")
    else:
        raise _wrong_state(case, "closed")


def _check_escalate(case: Case, by) -> None:
    _check_base(case, by)
    if case.status == Status.NEW:
        raise Conflict(f"Claim {case.reference} before escalating it.")
    if case.status != Status.TRIAGE:
        raise _wrong_state(case, "escalated")
    _require(is_l1(by), "Your role cannot escalate cases.")
    if case.assignee_id is None:
        raise Conflict(f"Claim {case.reference} before escalating it.")
    _owner_or_manager(case, by, "escalate it")


def _check_return(case: Case, by) -> None:
    _check_base(case, by)
    if case.status not in (Status.ESCALATED, Status.INVESTIGATING):
        raise _wrong_state(case, "returned to L1")
    _require(is_t2(by), "Only T2 or a SOC manager can return a case to L1.")
    if case.status == Status.INVESTIGATING:
        _owner_or_manager(case, by, "return it to L1")


def _check_contain(case: Case, by) -> None:
    _check_base(case, by)
    if case.status != Status.INVESTIGATING:
        raise _wrong_state(case, "moved to containment")
    _require(
        is_t2(by) or by.has_perm("containment.request_action"),
        "Only T2 or a SOC manager can start containment.",
    )
    # The claim means something: another T2 reads and comments, the assignee moves it.
    if case.assignee_id is not None:
        _owner_or_manager(case, by, "move it to containment")


def _check_resolve(case: Case, by) -> None:
    _check_base(case, by)
    if case.status in (Status.INVESTIGATING, Status.CONTAINMENT):
        _require(is_t2(by), "Only T2 or a SOC manager can resolve a case.")
        _owner_or_manager(case, by, "resolve it")
    else:
        raise _wrong_state(case, "resolved")


def _check_reopen(case: Case, by) -> None:
    _check_base(case, by)
    if case.status != Status.RESOLVED:
        raise _wrong_state(case, "reopened")
    _require(is_t2(by), "Only T2 or a SOC manager can reopen a case.")


CHECKS: dict[Action, Callable[[Case, object], None]] = {
    Action.CLAIM: _check_claim,
    Action.UNASSIGN: _check_unassign,
    Action.ASSIGN: _check_assign,
    Action.ESCALATE: _check_escalate,
    Action.CLOSE: _check_close,
    Action.RETURN: _check_return,
    Action.CONTAIN: _check_contain,
    Action.RESOLVE: _check_resolve,
    Action.REOPEN: _check_reopen,
}


def available_actions(case: Case, user) -> list[Action]:
    """The actions `user` may take on `case` now (what the service would accept, input aside)."""
    allowed = []
    for name, check in CHECKS.items():
        try:
            check(case, user)
        except DomainError:
            continue
        allowed.append(name)
    return allowed


def assignable_users(case: Case):
    """Active users who may be given `case` (its tier's permission), for assign forms."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    codename = "work_t2" if case.tier == Case.Tier.T2 else "work_l1"
    perm = Permission.objects.filter(content_type__app_label="cases", codename=codename)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions__in=perm) | Q(user_permissions__in=perm))
        .distinct()
        .order_by("username")
    )
