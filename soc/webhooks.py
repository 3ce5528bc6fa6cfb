"""Vigil's signed webhooks (containment's webhook connector, the SOC notification webhook):
one signature scheme and one way to build the request.

Headers: `X-Vigil-Timestamp` (Unix seconds) and `X-Vigil-Signature: sha256=<hex>`, the
HMAC-SHA256 of `<timestamp>.<raw body>` keyed with the webhook's secret, and an
`Idempotency-Key` stable per delivery so that a receiver can drop a retried duplicate.
"""

import hashlib
import hmac
import json
import time


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300) -> bool:
    """What a receiver does (and the tests use): check the signature and its freshness."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


def signed_request(
    payload: dict, *, secret: str, user_agent: str, idempotency_key: str
) -> tuple[bytes, dict]:
    """The body (compact JSON, sorted keys) and the headers of one signed POST."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": user_agent,
        "X-Vigil-Timestamp": timestamp,
        "X-Vigil-Signature": sign(secret, timestamp, body),
        "Idempotency-Key": idempotency_key,
    }
    return body, headers
