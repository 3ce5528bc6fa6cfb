"""Shared fixtures: personas, the seed playbook, and the service gate.

Personas (STYLE 7): l1, t2, manager (SOC Manager, staff), outsider (a logged-in user
with no role), admin_user (superuser). Each area adds its own fixtures in its folder.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from soc.roles import Role
from tests.lifecycle_support import moves  # noqa: F401 - the lifecycle tests' fixture

REPO_ROOT = Path(__file__).resolve().parent.parent
# Both ship inside the project (copies of ../shared/seeds and ../shared/samples), so a clone
# with nothing beside it runs every test.
SEED_PLAYBOOK = REPO_ROOT / "playbooks" / "seeds" / "T1591.002-business-relationships.md"
SAMPLES_DIR = REPO_ROOT / "tests" / "fixtures" / "samples"
PASSWORD = "correct-horse-battery-staple"


def require_service(available: bool, reason: str) -> None:
    """Skip a test whose real service is missing, or fail it when CI demands services."""
    if available:
        return
    if settings.VIGIL_REQUIRE_SERVICES:
        pytest.fail(f"required service missing (VIGIL_REQUIRE_SERVICES=1): {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """PBKDF2's deliberate slowness costs seconds per persona; tests need no brute-force cost."""
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    original = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()
    yield
    settings.PASSWORD_HASHERS = original
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()


@pytest.fixture(autouse=True)
def _closed_broker_circuits():
    """Each test starts with every broker circuit closed (soc.tasks): an outage simulated by
    one test must not keep the next one from publishing."""
    from soc.tasks import reset_broker_circuits

    reset_broker_circuits()
    yield
    reset_broker_circuits()


@pytest.fixture(autouse=True)
def _enrichment_sent_inline(settings):
    """Intake sends enrichment inline after commit, not through the relay thread, whose own
    database connection cannot see a test's uncommitted rows (tests/cases/test_ingest_relay.py
    and the broker outage test run the relay on committed rows)."""
    settings.VIGIL_ENRICHMENT_RELAY_MS = 0


@pytest.fixture(autouse=True)
def _second_factor_off_unless_asked(request, settings):
    """Tests sign personas in with force_login/login, which passes no second factor; the
    requirement (on for managers and admins by default) is off unless a test is marked
    `second_factor` (tests/accounts/ checks it, and the browser sign-in with TOTP)."""
    if request.node.get_closest_marker("second_factor") is None:
        settings.VIGIL_SECOND_FACTOR_ROLES = []


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (throttle counters live there; in CI it is Redis,
    which would otherwise carry them from one test, or one run, to the next)."""
    from django.core.cache import cache

    cache.clear()


# --- Platform: Celery on the configured broker (filesystem locally, Redis in CI) ---


def broker_reachable(app=None) -> tuple[bool, str]:
    """(reachable, description) of a Celery app's broker, answered within a few seconds."""
    from soc.celery import app as vigil_app

    app = app or vigil_app
    with app.connection_for_write() as conn:
        where = conn.as_uri()  # the password, if any, is masked
        try:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        except Exception as exc:
            return False, f"Celery broker {where} unreachable: {exc}"
    return True, f"Celery broker {where}"


@pytest.fixture(scope="session", autouse=True)
def _celery_test_broker(tmp_path_factory):
    """Move the filesystem broker into a temporary folder for the whole session, so messages
    sent by tests never reach the developer's var/broker (and a `bin/vigil run` worker)."""
    from soc.celery import app

    if not app.conf.broker_url.startswith("filesystem"):
        yield
        return
    folder = tmp_path_factory.mktemp("celery-broker")
    (folder / "control").mkdir()
    original = app.conf.broker_transport_options
    app.conf.broker_transport_options = {
        **original,
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
    }
    yield
    app.conf.broker_transport_options = original


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (solo pool, in a thread of this process) on the configured broker.

    Tasks run against the test database, so the test must be
    `@pytest.mark.django_db(transaction=True)`: the worker thread only sees committed rows.
    A broker that is down skips the test locally and fails it in CI.
    """
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    from soc.celery import app

    available, where = broker_reachable(app)
    require_service(available, where)
    # The default queue and the containment queue, as `bin/vigil run` consumes them.
    queues = sorted({app.conf.task_default_queue, settings.CONTAINMENT_QUEUE or app.conf.task_default_queue})
    # Messages that earlier tests sent without a worker must not run against this test's rows.
    with app.connection_for_write() as conn:
        for queue in queues:
            conn.default_channel.queue_purge(queue)

    def close_worker_connections(**kwargs):
        # Runs in the worker thread: no connection outlives the test database.
        connections.close_all()

    task_postrun.connect(close_worker_connections, weak=False)
    hijack = app.conf.worker_hijack_root_logger
    app.conf.worker_hijack_root_logger = False  # keep pytest's log capture
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=30, queues=queues
        ) as worker:
            yield worker
    finally:
        app.conf.worker_hijack_root_logger = hijack
        task_postrun.disconnect(close_worker_connections)


def make_user(django_user_model, username: str, role: Role | None = None, **extra):
    user = django_user_model.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.com", **extra
    )
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    return user


@pytest.fixture
def l1(django_user_model):
    return make_user(django_user_model, "alice_l1", Role.L1)


@pytest.fixture
def l1_other(django_user_model):
    return make_user(django_user_model, "dave_l1", Role.L1)


@pytest.fixture
def t2(django_user_model):
    return make_user(django_user_model, "bob_t2", Role.T2)


@pytest.fixture
def t2_other(django_user_model):
    return make_user(django_user_model, "erin_t2", Role.T2)


@pytest.fixture
def manager(django_user_model):
    return make_user(django_user_model, "carol_manager", Role.MANAGER, is_staff=True)


@pytest.fixture
def outsider(django_user_model):
    return make_user(django_user_model, "mallory", None)


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(
        username="root_admin", password=PASSWORD, email="root@example.com"
    )


@pytest.fixture(autouse=True)
def _fresh_reference_index():
    """intel.lookup keeps a per-process in-memory IP index; every test starts it cold so
    reference data from an earlier (rolled back) test never leaks in."""
    from intel.lookup import invalidate

    invalidate()
    yield
    invalidate()


@pytest.fixture(autouse=True)
def _fresh_playbook_coverage():
    """playbooks.routing caches the published coverage per process: cold for every test."""
    from playbooks.routing import forget

    forget()
    yield
    forget()


@pytest.fixture
def seed_text() -> str:
    return SEED_PLAYBOOK.read_text(encoding="utf-8")


@pytest.fixture
def seed_playbook(db, seed_text):
    """The reference playbook T1591.002, imported and published as version 1."""
    from playbooks.services import import_playbook_text

    result = import_playbook_text(seed_text, filename=SEED_PLAYBOOK.name, publish=True, by=None)
    return result.version


# --- Ingestion (cases.ingest / cases.services.intake) ---


@pytest.fixture
def ingest_source(db):
    """(IngestSource, token): an active source whose plain token the test can send."""
    from cases.ingest.tokens import ingest_source_create

    return ingest_source_create(name="siem-test")


def _native_alert(n: int, **overrides):
    from datetime import UTC, datetime

    from cases.ingest.base import NativeAlert

    values = {
        "source_ref": f"test-alert-{n}",
        "title": "Partner/Vendor Directory Burst from Unusual Source IP",
        "description": "186 requests to /partners/* from 203.0.113.77 using account m.keller.",
        "severity": 2,
        "technique_ids": ["T1591.002"],
        "observed_at": datetime.now(UTC),
        "observables": [("ip", "203.0.113.77", "source"), ("user", "m.keller", "user")],
        "tags": [],
        "raw": {},
    }
    values.update(overrides)
    if "observables" in overrides and "description" not in overrides:
        # The default text names the default entities; an alert about other ones must not
        # carry them in its text (enrichment links the indicators it finds there).
        values["description"] = "186 requests to /partners/* from an unusual source."
    return NativeAlert(**values)


@pytest.fixture
def ingest_alert_factory(ingest_source):
    """make(**NativeAlert fields) -> IntakeResult. Defaults: T1591.002, source IP
    203.0.113.77, user m.keller, observed now, a fresh source_ref per call; so calls
    without overrides correlate into one case. Pass `source=` for another IngestSource."""
    import itertools

    from cases.services.intake import ingest_alert

    counter = itertools.count(1)

    def make(source=None, **overrides):
        alert = _native_alert(next(counter), **overrides)
        return ingest_alert(source=source or ingest_source[0], alert=alert)

    return make


@pytest.fixture
def make_case(ingest_source):
    """make_case(**NativeAlert fields) -> Case, a new case per call, opened by ingesting
    one alert. The first call uses the defaults above (203.0.113.77, m.keller); later
    calls use their own source IP (2001:db8::N) and user (user-N) so they never
    correlate with each other, unless the caller overrides `observables`."""
    import itertools

    from cases.services.intake import ingest_alert

    counter = itertools.count(0)

    def make(source=None, **overrides):
        n = next(counter)
        if n and "observables" not in overrides:
            overrides["observables"] = [("ip", f"2001:db8::{n:x}", "source"), ("user", f"user-{n}", "user")]
        overrides.setdefault("source_ref", f"test-case-{n}")
        alert = _native_alert(n, **overrides)
        return ingest_alert(source=source or ingest_source[0], alert=alert).case

    return make
