"""Manual steps: a person does the work (risk assessment, incident response protocol,
business continuity, or any action whose kind is routed to "manual") and marks it done."""

from playbooks.registry import ActionKey

from .base import Connector, ConnectorError


class ManualConnector(Connector):
    name = "manual"
    kinds = frozenset(ActionKey)
    automatic = False

    def execute(self, action):
        raise ConnectorError("Manual steps are carried out by a person.", permanent=True)

    def revert(self, action):
        raise ConnectorError("Manual steps are undone by a person.", permanent=True)
