"""Who may do what with containment actions, and which actions are sensitive.

Requesting needs `containment.request_action` (T2 analysts, SOC managers). Sensitive
actions (settings: account disables, blocks wider than the approval prefix, blocks longer
than the approval duration or without end) wait for approval by a SOC manager
(`containment.approve_action`), or by a second T2 when CONTAINMENT_SECOND_T2_APPROVAL is
on. Nobody approves their own request.
"""

from datetime import timedelta

from django.conf import settings

from playbooks.registry import ActionKey
from soc.errors import NotAllowed

from .models import ContainmentAction
from .targets import parse_network


class Sensitivity:
    DISABLE_ACCOUNT = "disable_account"
    WIDE_PREFIX = "wide_prefix"
    LONG_DURATION = "long_duration"
    PERMANENT = "permanent"


SENSITIVITY_LABELS = {
    Sensitivity.DISABLE_ACCOUNT: "disables an account",
    Sensitivity.WIDE_PREFIX: "blocks a wide network",
    Sensitivity.LONG_DURATION: "lasts longer than the approval limit",
    Sensitivity.PERMANENT: "has no expiry",
}


def reason_labels(reasons: list[str] | None) -> list[str]:
    """Why an action waits for approval, in words that follow "it" ("it has no expiry")."""
    return [SENSITIVITY_LABELS.get(key, str(key).replace("_", " ")) for key in reasons or []]


def sensitivity_reasons(kind: str, target: str, duration: timedelta | None) -> list[str]:
    """Why an action needs approval (empty: it does not). `duration` None = no expiry."""
    reasons: list[str] = []
    if kind == ActionKey.DISABLE_ACCOUNT and settings.CONTAINMENT_APPROVE_DISABLE_ACCOUNT:
        reasons.append(Sensitivity.DISABLE_ACCOUNT)
    if kind == ActionKey.BLOCK_IP:
        network = parse_network(target)
        threshold = (
            settings.CONTAINMENT_APPROVAL_PREFIX_V4
            if network.version == 4
            else settings.CONTAINMENT_APPROVAL_PREFIX_V6
        )
        if network.prefixlen < threshold:
            reasons.append(Sensitivity.WIDE_PREFIX)
        if duration is None:
            reasons.append(Sensitivity.PERMANENT)
        elif duration > settings.CONTAINMENT_APPROVAL_DURATION:
            reasons.append(Sensitivity.LONG_DURATION)
    return reasons


def can_request(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("containment.request_action"))


def can_override(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("containment.override_guardrail"))


def may_approve_role(user) -> bool:
    """The role part of approval (the not-your-own rule needs the action)."""
    if not (user and user.is_authenticated):
        return False
    if user.has_perm("containment.approve_action"):
        return True
    return settings.CONTAINMENT_SECOND_T2_APPROVAL and user.has_perm("containment.request_action")


def can_approve(user, action: ContainmentAction) -> bool:
    return may_approve_role(user) and action.requested_by_id != user.pk


def require_request(user) -> None:
    if not can_request(user):
        raise NotAllowed("Your role may not request or change containment actions.")


def owns_or_manages(user, case) -> bool:
    """On a claimed case only its assignee and SOC managers work containment; an unclaimed
    one is open to anyone who may request."""
    if case.assignee_id is None or case.assignee_id == user.pk:
        return True
    return user.has_perm("cases.assign_any")


def can_request_on_case(user, case) -> bool:
    return can_request(user) and owns_or_manages(user, case)


def require_request_on_case(user, case) -> None:
    require_request(user)
    if not owns_or_manages(user, case):
        owner = case.assignee.get_username() if case.assignee_id else "nobody"
        raise NotAllowed(
            f"{case.reference} is assigned to {owner}; only they or a SOC manager can work its containment."
        )


def needs_approval_to_revert(action: ContainmentAction) -> bool:
    return bool(action.sensitive_reasons)


def require_revert(user, action: ContainmentAction) -> None:
    """Undoing an action that needed approval needs the same approval: an approver does it
    (a SOC manager, or a second T2 when configured, never the one who asked for it)."""
    require_request_on_case(user, action.case)
    if needs_approval_to_revert(action) and not can_approve(user, action):
        raise NotAllowed(
            "This action needed approval, and so does undoing it: ask a SOC manager to revert it."
        )


def require_approve(user, action: ContainmentAction) -> None:
    if not may_approve_role(user):
        raise NotAllowed("Only a SOC manager may approve or reject containment actions.")
    if action.requested_by_id == user.pk:
        raise NotAllowed("You cannot approve or reject your own request.")
