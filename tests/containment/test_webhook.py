"""The webhook connector against a real local HTTP server (free loopback port)."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cases.models import CaseEvent
from containment import services
from containment.connectors.base import ConnectorError
from containment.connectors.webhook import WebhookConnector
from containment.models import ContainmentAction
from containment.services import execution
from soc.webhooks import sign, verify

SECRET = "webhook-shared-secret"


class Receiver:
    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[int] = []  # status codes to answer, in order; then 200
        self.delay = 0.0


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            import time

            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
            if state.delay:
                time.sleep(state.delay)
            code = state.answers.pop(0) if state.answers else 200
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/vigil/containment"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def webhook(containment_settings, receiver, monkeypatch, dispatched_noop):
    containment_settings.CONTAINMENT_CONNECTORS = {
        "block_ip": "webhook",
        "disable_account": "webhook",
        "manual": "manual",
    }
    containment_settings.CONTAINMENT_WEBHOOK_URL = receiver.url
    containment_settings.CONTAINMENT_WEBHOOK_SECRET = SECRET
    containment_settings.CONTAINMENT_WEBHOOK_TIMEOUT = 1.0
    return receiver


@pytest.fixture
def dispatched_noop(monkeypatch):
    monkeypatch.setattr("containment.services.common.dispatch_on_commit", lambda *a, **k: None)


def test_signature_covers_timestamp_and_body():
    body = b'{"a":1}'
    signature = sign(SECRET, "1700000000", body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert sign(SECRET, "1700000001", body) != signature
    assert sign(SECRET, "1700000000", b'{"a":2}') != signature


@pytest.mark.django_db
def test_a_block_posts_signed_json_and_succeeds_on_2xx(webhook, investigating_case, t2):
    action = services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    assert execution.action_run(action_id=action.pk) == execution.SUCCEEDED
    [request] = webhook.requests
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/vigil/containment"
    assert headers["Content-Type"] == "application/json"
    assert verify(SECRET, headers["X-Vigil-Timestamp"], body, headers["X-Vigil-Signature"])
    assert not verify("wrong-secret", headers["X-Vigil-Timestamp"], body, headers["X-Vigil-Signature"])
    assert headers["Idempotency-Key"] == f"vigil-action-{action.pk}-execute"
    payload = json.loads(body)
    assert payload["event"] == "containment.execute"
    assert payload["action"]["target"] == "203.0.113.77" and payload["action"]["kind"] == "block_ip"
    assert payload["case"]["reference"] == investigating_case.reference
    action.refresh_from_db()
    assert action.status == ContainmentAction.Status.SUCCEEDED and action.result["status_code"] == 200


@pytest.mark.django_db
@pytest.mark.parametrize("code", [500, 503, 404, 302])
def test_non_2xx_answers_are_retried(webhook, investigating_case, t2, code):
    webhook.answers = [code]
    action = services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    assert execution.action_run(action_id=action.pk) == execution.RETRY
    action.refresh_from_db()
    assert f"HTTP {code}" in action.last_error
    assert execution.action_run(action_id=action.pk) == execution.SUCCEEDED
    assert len(webhook.requests) == 2


@pytest.mark.django_db
def test_timeouts_are_retried(webhook, investigating_case, t2, containment_settings):
    containment_settings.CONTAINMENT_WEBHOOK_TIMEOUT = 0.2
    webhook.delay = 1.0
    action = services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    assert execution.action_run(action_id=action.pk) == execution.RETRY
    action.refresh_from_db()
    assert action.last_error.startswith(
        "The webhook receiver was slow: it did not answer within 0.2 s (timeout)."
    )


@pytest.mark.django_db
def test_a_slow_receiver_is_reported_as_slow_on_the_action_page_after_the_last_attempt(
    webhook, investigating_case, t2, containment_settings, client
):
    containment_settings.CONTAINMENT_WEBHOOK_TIMEOUT = 0.2
    containment_settings.CONTAINMENT_MAX_ATTEMPTS = 2
    webhook.delay = 0.6
    action = services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    outcomes = [execution.action_run(action_id=action.pk) for _ in range(2)]
    assert outcomes == [execution.RETRY, execution.FAILED]
    headers = {r["headers"]["Idempotency-Key"] for r in webhook.requests}
    assert len(webhook.requests) == 2 and headers == {f"vigil-action-{action.pk}-execute"}

    client.force_login(t2)
    page = client.get(f"/cases/{investigating_case.pk}/containment/").content.decode()
    assert "The webhook receiver was slow: it did not answer within 0.2 s (timeout)." in page
    assert "Vigil delivered the request" in page


@pytest.mark.django_db
def test_revert_posts_a_revert_event(webhook, investigating_case, t2):
    action = services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    execution.action_run(action_id=action.pk)
    services.action_revert(action=action, by=t2)
    assert execution.action_run(action_id=action.pk, phase=execution.REVERT) == execution.SUCCEEDED
    payload = json.loads(webhook.requests[-1]["body"])
    assert payload["event"] == "containment.revert"
    assert webhook.requests[-1]["headers"]["Idempotency-Key"] == f"vigil-action-{action.pk}-revert"


def test_missing_configuration_is_a_permanent_error(settings):
    settings.CONTAINMENT_WEBHOOK_URL = ""
    with pytest.raises(ConnectorError) as exc:
        WebhookConnector()._post(object(), "execute")
    assert exc.value.permanent


@pytest.mark.django_db
def test_the_case_timeline_never_carries_the_webhook_url(
    webhook, investigating_case, t2, l1, manager, client
):
    # Probed live: the "succeeded" event kept the action's result, webhook URL included, and
    # every role read it in GET /api/v1/cases/{id}/ and .../timeline/.
    action = services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    assert execution.action_run(action_id=action.pk) == execution.SUCCEEDED
    assert webhook.url not in json.dumps(
        list(CaseEvent.objects.filter(case=investigating_case).values("data"))
    )
    client.force_login(l1)
    timeline = client.get(f"/api/v1/cases/{investigating_case.pk}/timeline/")
    assert timeline.status_code == 200 and webhook.url not in timeline.content.decode()
    client.force_login(manager)
    detail = client.get(f"/api/v1/actions/{action.pk}/").json()
    assert detail["result"]["webhook"] == webhook.url  # managers still read it on the action


@pytest.mark.django_db
def test_an_unreachable_receivers_error_hides_its_path_from_all_but_managers(
    webhook, investigating_case, t2, manager, client, containment_settings
):
    # requests spells the URL apart in its error ("host='127.0.0.1', port=9): ... with url:
    # /hooks/T0K3N?x=1"), so replacing the whole URL left the secret path in the message.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    containment_settings.CONTAINMENT_WEBHOOK_URL = f"http://127.0.0.1:{port}/hooks/T0K3N-path?sig=s3cr3t"
    action = services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    assert execution.action_run(action_id=action.pk) == execution.RETRY
    action.refresh_from_db()
    assert "/hooks/T0K3N-path?sig=s3cr3t" in action.last_error
    client.force_login(t2)
    for path in (f"/api/v1/actions/{action.pk}/", f"/api/v1/cases/{investigating_case.pk}/timeline/"):
        body = client.get(path).content.decode()
        assert "T0K3N" not in body and "s3cr3t" not in body, path
    client.force_login(manager)
    assert "/hooks/T0K3N-path?sig=s3cr3t" in client.get(f"/api/v1/actions/{action.pk}/").json()["last_error"]
