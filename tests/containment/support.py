"""Test-only connectors, importable by a worker subprocess as "tests.containment.support:Name".

State that must survive across processes (attempt counters, "first run" markers) lives in
files under $VIGIL_TEST_CONNECTOR_DIR, which the tests point at a temporary folder.
"""

import os
import time
from pathlib import Path

from containment.connectors.base import ConnectorError
from containment.connectors.edl import EdlConnector


def _state_dir() -> Path:
    folder = Path(os.environ.get("VIGIL_TEST_CONNECTOR_DIR", "/tmp/vigil-test-connectors"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _bump(name: str) -> int:
    path = _state_dir() / name
    count = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(count))
    return count


class FlakyEdlConnector(EdlConnector):
    """Fails with a transient error on the first two calls per action, then blocks."""

    failures = 2

    def execute(self, action):
        calls = _bump(f"flaky-{action.pk}")
        if calls <= self.failures:
            raise ConnectorError(f"firewall API timed out (call {calls})")
        return super().execute(action)


class BrokenConnector(EdlConnector):
    """Always fails; `permanent` decides whether retrying could help."""

    permanent = False

    def execute(self, action):
        _bump(f"broken-{action.pk}")
        raise ConnectorError("connection refused", permanent=self.permanent)

    def revert(self, action):
        raise ConnectorError("unblock refused by the firewall", permanent=True)


class PermanentlyBrokenConnector(BrokenConnector):
    permanent = True


class CountingEdlConnector(EdlConnector):
    """Counts its calls (to prove a duplicate delivery did not run it twice)."""

    def execute(self, action):
        _bump(f"calls-{action.pk}")
        return super().execute(action)


class SlowOnceEdlConnector(EdlConnector):
    """Blocks, then on the first call per action signals "started" and hangs (the test
    kills the worker meanwhile); later calls return at once."""

    def execute(self, action):
        calls = _bump(f"slow-{action.pk}")
        result = super().execute(action)
        if calls == 1:
            (_state_dir() / f"started-{action.pk}").write_text("1")
            time.sleep(120)
        return result
