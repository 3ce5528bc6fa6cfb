"""Connectors, chosen per action kind by CONTAINMENT_CONNECTORS.

A setting value is a built-in name (edl, ldap, webhook, manual) or "package.module:Class"
for a deployment's own connector. The name is stored on the action when it is requested,
so a change of settings never re-routes an action already under way.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from playbooks.registry import ActionKey

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


def configuration_problem(kind: str) -> str:
    """Why an action of this kind cannot be carried out with the current settings ("" when
    it can): its connector is unknown, does not carry out this kind (a connector's `kinds`)
    or misses its settings. Such an action is refused when requested, not failed after
    approval."""
    name = connector_name_for(kind)
    try:
        connector = get_connector(name)
    except ConnectorError as exc:
        return f"{exc.message} (CONTAINMENT_CONNECTORS)"
    if kind not in connector.kinds:
        label = dict(ActionKey.choices).get(kind, kind)
        return f"The {name} connector does not carry out '{label}' (CONTAINMENT_CONNECTORS)."
    if name == "ldap":
        conf = settings.CONTAINMENT_LDAP or {}
        if not (conf.get("URL") or "").strip() or not conf.get("BASE_DN"):
            return "LDAP is not configured (CONTAINMENT_LDAP_URL, CONTAINMENT_LDAP_BASE_DN)."
    if name == "webhook" and not (settings.CONTAINMENT_WEBHOOK_URL and settings.CONTAINMENT_WEBHOOK_SECRET):
        return "The webhook is not configured (CONTAINMENT_WEBHOOK_URL, CONTAINMENT_WEBHOOK_SECRET)."
    return ""


def is_automatic(name: str) -> bool:
    try:
        return get_connector(name).automatic
    except ConnectorError:
        return True  # fails visibly when the task runs


__all__ = [
    "Connector",
    "ConnectorError",
    "configuration_problem",
    "connector_name_for",
    "get_connector",
    "is_automatic",
]
