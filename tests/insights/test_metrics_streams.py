"""The metrics queries on two connections at once (insights/metrics/streams.py): the same
tables as on one, every extra connection closed afterwards, and one connection wherever
another could not see the caller's rows (an open transaction, SQLite)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from insights.metrics.period import PeriodForm
from insights.metrics.queries import metrics_tables
from insights.metrics.streams import run_tasks
from tests.insights.test_metrics import story  # noqa: F401 - the metrics tests' fixture


def _thread_after_a_pause() -> int:
    time.sleep(0.05)  # long enough for a second stream to take the next task
    return threading.get_ident()


def _thread_and_zone() -> tuple[int, str]:
    return _thread_after_a_pause(), timezone.get_current_timezone_name()


@pytest.mark.django_db
def test_one_connection_inside_a_transaction(settings):
    """A test's transaction (as ATOMIC_REQUESTS would): another connection would not see
    its uncommitted rows, so every task runs on the caller's."""
    settings.VIGIL_METRICS_CONNECTIONS = 2
    assert set(run_tasks([_thread_after_a_pause] * 4)) == {threading.get_ident()}


@pytest.mark.django_db
def test_results_in_the_order_of_the_tasks_and_a_failure_raised(settings):
    settings.VIGIL_METRICS_CONNECTIONS = 2
    assert run_tasks([lambda: 1, lambda: 2, lambda: 3]) == [1, 2, 3]

    def fails():
        raise ValueError("no such table")

    with pytest.raises(ValueError, match="no such table"):
        run_tasks([lambda: 1, fails, lambda: 3])


def _backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def _tables_as_dicts() -> list[dict]:
    form = PeriodForm({})
    assert form.is_valid()
    return [table.as_dict() for table in metrics_tables(form.period(), timezone.now())]


@pytest.mark.postgres_or_redis
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent streams are PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_two_connections_give_the_tables_of_one_and_close_after(settings, story):  # noqa: F811
    before = _backends()
    settings.VIGIL_METRICS_CONNECTIONS = 2
    with timezone.override("Pacific/Kiritimati"):
        threads, zones = zip(*run_tasks([_thread_and_zone] * 4), strict=True)
    assert len(set(threads)) == 2
    assert set(zones) == {"Pacific/Kiritimati"}  # the caller's, on both streams
    # A user's time zone (the per-day tables truncate by it) far either side of UTC: at
    # any hour, today is another date in one of them than in UTC.
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        with timezone.override(zone):
            settings.VIGIL_METRICS_CONNECTIONS = 1
            in_order = _tables_as_dicts()
            settings.VIGIL_METRICS_CONNECTIONS = 2
            assert _tables_as_dicts() == in_order
    assert _backends() == before  # the second stream's connection is closed


@pytest.mark.django_db(transaction=True)
def test_one_connection_where_a_second_would_not_help(settings):
    """No transaction open, and still in order: on SQLite whatever the setting (a second
    connection is not worth it), on PostgreSQL when the setting says one."""
    settings.VIGIL_METRICS_CONNECTIONS = 2 if connection.vendor == "sqlite" else 1
    assert not connection.in_atomic_block
    assert set(run_tasks([_thread_after_a_pause] * 2)) == {threading.get_ident()}
