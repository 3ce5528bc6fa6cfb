"""POST a signed JSON description of the action to a SOAR or identity-provider
automation (Okta, Entra ID flows).

Signed as every Vigil webhook (soc.webhooks) with CONTAINMENT_WEBHOOK_SECRET; the
`Idempotency-Key` is stable per action and operation. A 2xx answer is success; any
other answer, a timeout or a connection error is retried with backoff; a receiver that
accepted the request but answered later than CONTAINMENT_WEBHOOK_TIMEOUT is reported as
slow (the action's page says so), not as a failure of Vigil.
"""

import requests
from django.conf import settings

from playbooks.registry import ActionKey
from soc.webhooks import signed_request

from .base import Connector, ConnectorError


class WebhookConnector(Connector):
    name = "webhook"
    kinds = frozenset({ActionKey.BLOCK_IP, ActionKey.DISABLE_ACCOUNT})

    def payload(self, action, operation: str) -> dict:
        return {
            "event": f"containment.{operation}",
            "action": {
                "id": action.pk,
                "kind": action.kind,
                "target": action.target,
                "reason": action.reason,
                "expires_at": action.expires_at.isoformat() if action.expires_at else None,
                "requested_by": action.requested_by.get_username(),
                "approved_by": action.approved_by.get_username() if action.approved_by_id else None,
            },
            "case": {"id": action.case_id, "reference": action.case.reference},
            "attempt": action.attempts if operation == "execute" else action.revert_attempts,
        }

    def _post(self, action, operation: str) -> dict:
        url, secret = settings.CONTAINMENT_WEBHOOK_URL, settings.CONTAINMENT_WEBHOOK_SECRET
        if not url or not secret:
            raise ConnectorError(
                "The webhook is not configured (CONTAINMENT_WEBHOOK_URL, CONTAINMENT_WEBHOOK_SECRET).",
                permanent=True,
            )
        body, headers = signed_request(
            self.payload(action, operation),
            secret=secret,
            user_agent="Vigil-Containment/1",
            idempotency_key=f"vigil-action-{action.pk}-{operation}",
        )
        timeout = settings.CONTAINMENT_WEBHOOK_TIMEOUT
        try:
            response = requests.post(url, data=body, headers=headers, timeout=timeout)
        except requests.ReadTimeout as exc:
            # Delivered, but the receiver did not answer in time: it may still apply the
            # action; the retry carries the same Idempotency-Key so it can drop the duplicate.
            raise ConnectorError(
                f"The webhook receiver was slow: it did not answer within {timeout:g} s (timeout). "
                "Vigil delivered the request and sends it again with the same Idempotency-Key."
            ) from exc
        except requests.RequestException as exc:
            raise ConnectorError(f"Webhook {operation} failed: {exc.__class__.__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise ConnectorError(
                f"Webhook {operation} answered HTTP {response.status_code}: {response.text[:200]}"
            )
        return {"webhook": url, "status_code": response.status_code, "response": response.text[:500]}

    def execute(self, action):
        return self._post(action, "execute")

    def revert(self, action):
        return self._post(action, "revert")
