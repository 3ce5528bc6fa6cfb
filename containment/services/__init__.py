"""Containment services: every write to an action goes through here (STYLE 2)."""

from .actions import (
    action_approve,
    action_manual_update,
    action_reject,
    action_request,
    action_retry,
    action_revert,
    assignable_owners,
)
from .execution import action_run, containment_housekeeping

__all__ = [
    "action_approve",
    "action_manual_update",
    "action_reject",
    "action_request",
    "action_retry",
    "action_revert",
    "action_run",
    "assignable_owners",
    "containment_housekeeping",
]
