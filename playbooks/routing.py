"""The published playbooks' coverage, cached per process for intake's hot path.

Intake routes every alert by coverage (coverage.py) before it locks anything, so reading
the playbook table on each request would cost a round trip. The list is small and
changes rarely: each process keeps it and re-reads it at most every
VIGIL_PLAYBOOK_COVERAGE_TTL_SECONDS; the playbook services forget it at once, and again on
commit, when they publish or change coverage in this process. A case still pins the
version published at its opening: intake reads that id inside its own transaction.
"""

import threading
import time

from django.conf import settings
from django.db import transaction

from .coverage import Coverage

_lock = threading.Lock()
_coverage: tuple[Coverage, ...] | None = None
_checked_at = 0.0


def current_coverage() -> tuple[Coverage, ...]:
    """Every published playbook's Coverage (at most TTL seconds old)."""
    global _coverage, _checked_at
    ttl = getattr(settings, "VIGIL_PLAYBOOK_COVERAGE_TTL_SECONDS", 5)
    coverage = _coverage
    if coverage is not None and time.monotonic() - _checked_at < ttl:
        return coverage
    from .services import published_coverage

    with _lock:
        fresh = tuple(published_coverage())
        _coverage, _checked_at = fresh, time.monotonic()
        return fresh


def forget() -> None:
    global _coverage
    with _lock:
        _coverage = None


def invalidate() -> None:
    """Forget the cached coverage now and once the current transaction commits."""
    forget()
    transaction.on_commit(forget)
