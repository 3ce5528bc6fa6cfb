"""Connectors, chosen per action kind by CONTAINMENT_CONNECTORS.

A setting value is a built-in name (edl, ldap, webhook, manual) or "package.module:Class"
for a deployment's own connector. The name is stored on the action when it is requested,
so a change of settings never re-routes an action already under way.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Connector, ConnectorError

BUILTIN = {
    "edl": "containment.connectors.edl.EdlConnector",
    "ldap": "containment.connectors.ldap.LdapConnector",
    "webhook": "containment.connectors.webhook.WebhookConnector",
    "manual": "containment.connectors.manual.ManualConnector",
}


def connector_name_for(kind: str) -> str:
    return settings.CONTAINMENT_CONNECTORS.get(kind, "manual")


def get_connector(name: str) -> Connector:
    dotted = BUILTIN.get(name) or name.replace(":", ".")
    try:
        cls = import_string(dotted)
    except ImportError as exc:
        raise ConnectorError(f"Unknown connector {name!r}.", permanent=True) from exc
    return cls()


def is_automatic(name: str) -> bool:
    try:
        return get_connector(name).automatic
    except ConnectorError:
        return True  # fails visibly when the task runs


__all__ = ["Connector", "ConnectorError", "connector_name_for", "get_connector", "is_automatic"]
