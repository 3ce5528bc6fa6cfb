"""Shared by the notifications tests: a local HTTP server standing in for the SOC webhook."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

SECRET = "notify-secret"


class _Receiver(BaseHTTPRequestHandler):
    received: list = []
    answer = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.received.append((dict(self.headers), body))
        self.send_response(_Receiver.answer)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver(settings):
    """The webhook relay: records what it receives and answers `answer`."""
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Receiver.received, _Receiver.answer = [], 200
    settings.VIGIL_NOTIFY_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/hook"
    settings.VIGIL_NOTIFY_WEBHOOK_SECRET = SECRET
    yield _Receiver
    server.shutdown()
