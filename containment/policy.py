"""Who may do what with containment actions, and which actions are sensitive.

Requesting needs `containment.request_action` (T2 analysts, SOC managers). Sensitive
actions (settings: account disables, blocks wider than the approval prefix, blocks longer
than the approval duration or without end) wait for approval by a SOC manager
(`containment.approve_action`), or by a second T2 when CONTAINMENT_SECOND_T2_APPROVAL is
on. Nobody approves their own request.
"""

from datetime import timedelta

from django.conf import settings

from soc.errors import NotAllowed

from .models import ContainmentAction
from .targets import parse_network


class Sensitivity:
    DISABLE_ACCOUNT = "disable_account"
    WIDE_PREFIX = "wide_prefix"
    LONG_DURATION = "long_duration"
    PERMANENT = "permanent"


def sensitivity_reasons(kind: str, target: str, duration: timedelta | None) -> list[str]:
    """Why an action needs approval (empty: it does not). `duration` None = no expiry."""
    reasons: list[str] = []
    if kind == ContainmentAction.Kind.DISABLE_ACCOUNT and settings.CONTAINMENT_APPROVE_DISABLE_ACCOUNT:
        reasons.append(Sensitivity.DISABLE_ACCOUNT)
    if kind == ContainmentAction.Kind.BLOCK_IP:
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


def require_approve(user, action: ContainmentAction) -> None:
    if not may_approve_role(user):
        raise NotAllowed("Only a SOC manager may approve or reject containment actions.")
    if action.requested_by_id == user.pk:
        raise NotAllowed("You cannot approve or reject your own request.")
