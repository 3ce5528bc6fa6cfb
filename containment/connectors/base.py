"""What a connector is: one way to put an action into effect and take it back.

Connectors are idempotent: executing an action whose effect is already in place (the IP
already listed, the account already disabled) succeeds and says so in the result, so a
task delivered twice or retried after a lost worker never does the work twice.
They raise ConnectorError; `permanent=True` means retrying cannot help (account not
found, configuration missing), anything else is retried with backoff.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from containment.models import ContainmentAction


class ConnectorError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class Connector:
    name: ClassVar[str] = ""
    kinds: ClassVar[frozenset[str]] = frozenset()
    # False: a person carries the action out and marks it done (no Celery task).
    automatic: ClassVar[bool] = True

    def execute(self, action: ContainmentAction) -> dict:
        """Put the action into effect; return a JSON-able result for the timeline."""
        raise NotImplementedError

    def revert(self, action: ContainmentAction) -> dict:
        """Undo the action's effect (unblock, re-enable)."""
        raise NotImplementedError
