"""Indicators in alert text: linked by the enrichment task after ingestion (role "extracted")."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.ingest.base import NativeAlert
from cases.models import AlertObservable, CaseObservable
from cases.services.extraction import alert_extract_observables
from cases.services.intake import ingest_alert
from enrichment.tasks import enrich_alert

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 4, 13, 41, 7, tzinfo=UTC)
TEXT = "Beacon to hxxps://Evil-Login[.]com/a from 192.0.2.44; sample 44d88612fea8a8f36de82e1278abb02f"


def native(ref="x-1", **kw):
    values = {
        "source_ref": ref,
        "title": "Suspicious download",
        "description": TEXT,
        "observed_at": T0,
        "technique_ids": ["T1591.002"],
        "observables": [("ip", "198.51.100.9", "source")],
    }
    values.update(kw)
    return NativeAlert(**values)


def roles(alert) -> dict[tuple[str, str], str]:
    return {
        (link.observable.type, link.observable.value): link.role
        for link in AlertObservable.objects.filter(alert=alert).select_related("observable")
    }


EXTRACTED = {
    ("url", "https://evil-login.com/a"),
    ("ip", "192.0.2.44"),
    ("hash", "44d88612fea8a8f36de82e1278abb02f"),
}


def test_ingestion_stores_declared_observables_and_the_task_adds_the_extracted_ones(
    ingest_source, seed_playbook
):
    source, _ = ingest_source
    result = ingest_alert(source=source, alert=native())
    assert roles(result.alert) == {("ip", "198.51.100.9"): "source"}

    enrich_alert.apply(args=[result.alert.pk]).get()

    found = roles(result.alert)
    assert {key for key, role in found.items() if role == "extracted"} >= EXTRACTED
    case_links = CaseObservable.objects.filter(case=result.case).select_related("observable")
    assert {(c.observable.type, c.observable.value) for c in case_links} >= EXTRACTED | {
        ("ip", "198.51.100.9")
    }
    assert all(c.first_seen_at == c.last_seen_at == T0 for c in case_links)


def test_extraction_is_idempotent_and_keeps_a_declared_role(ingest_source, seed_playbook):
    source, _ = ingest_source
    result = ingest_alert(
        source=source, alert=native(observables=[("ip", "192.0.2.44", "source")], description=TEXT)
    )
    found = alert_extract_observables(alert=result.alert)
    links = AlertObservable.objects.filter(alert=result.alert).count()
    extracted = {key for key, role in roles(result.alert).items() if role == "extracted"}
    assert extracted >= EXTRACTED - {("ip", "192.0.2.44")}
    assert found == len(extracted) + 1 == links  # the declared IP was found too
    assert alert_extract_observables(alert=result.alert) == found
    assert AlertObservable.objects.filter(alert=result.alert).count() == links
    assert roles(result.alert)[("ip", "192.0.2.44")] == "source"
    assert CaseObservable.objects.filter(case=result.case, observable__value="192.0.2.44").count() == 1


def test_extraction_widens_the_case_span_and_never_narrows_it(ingest_source, seed_playbook):
    source, _ = ingest_source
    early = ingest_alert(source=source, alert=native("x-1"))
    alert_extract_observables(alert=early.alert)
    later = ingest_alert(source=source, alert=native("x-2", observed_at=T0 + timedelta(hours=2)))
    assert later.case.pk == early.case.pk  # joined through the declared source IP
    earlier = ingest_alert(source=source, alert=native("x-3", observed_at=T0 - timedelta(hours=1)))
    alert_extract_observables(alert=later.alert)
    alert_extract_observables(alert=earlier.alert)
    span = CaseObservable.objects.get(case=early.case, observable__value="192.0.2.44")
    assert (span.first_seen_at, span.last_seen_at) == (T0 - timedelta(hours=1), T0 + timedelta(hours=2))


def test_text_without_indicators_links_nothing(ingest_source, seed_playbook, django_assert_num_queries):
    source, _ = ingest_source
    result = ingest_alert(source=source, alert=native(description="Nothing to see here"))
    with django_assert_num_queries(0):
        assert alert_extract_observables(alert=result.alert) == 0
    assert enrich_alert.apply(args=[10**9]).get() is None  # a deleted alert
    assert roles(result.alert) == {("ip", "198.51.100.9"): "source"}


def test_case_page_lists_extracted_indicators_once_the_worker_ran(client, l1, ingest_source, seed_playbook):
    source, _ = ingest_source
    result = ingest_alert(source=source, alert=native())
    client.force_login(l1)
    url = reverse("cases:detail", kwargs={"pk": result.case.pk})
    before = client.get(url)
    assert before.status_code == 200
    assert "evil-login.com" not in before.content.decode()
    enrich_alert.apply(args=[result.alert.pk]).get()
    page = client.get(url).content.decode()
    assert "https://evil-login.com/a" in page and "192.0.2.44" in page


def test_extraction_takes_a_constant_number_of_queries(
    ingest_source, seed_playbook, django_assert_num_queries
):
    source, _ = ingest_source
    few = ingest_alert(source=source, alert=native("x-1", description="from 192.0.2.1"))
    many = ingest_alert(
        source=source,
        alert=native("x-2", description=" ".join(f"192.0.2.{n} evil{n}.example.org" for n in range(2, 30))),
    )
    with CaptureQueriesContext(connection) as one:
        assert alert_extract_observables(alert=few.alert) == 1
    with django_assert_num_queries(len(one.captured_queries)):
        assert alert_extract_observables(alert=many.alert) == 50  # extract.MAX_EXTRACTED
