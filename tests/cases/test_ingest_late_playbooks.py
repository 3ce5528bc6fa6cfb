"""Late playbooks: cases opened before a covering playbook was published get it."""

from datetime import UTC, datetime

import pytest

from cases.ingest.base import NativeAlert
from cases.models import Case, CaseEvent
from cases.services.intake import ingest_alert
from cases.services.playbook_attach import attach_late_playbooks, case_attach_playbook
from playbooks.services import import_playbook_text, set_playbook_coverage
from soc.errors import Conflict, NotAllowed

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def alert(ref, technique, user="m.keller"):
    return NativeAlert(
        source_ref=ref,
        title=f"{technique} {ref}",
        observed_at=T0,
        technique_ids=[technique],
        observables=[("user", user, "user")],
    )


@pytest.fixture
def dispatched(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "soc.tasks.send_task_safely", lambda task, *a, **kw: sent.append((task.name, a)) or True
    )
    monkeypatch.setattr(
        "cases.receivers.send_task_safely", lambda task, *a, **kw: sent.append((task.name, a)) or True
    )
    return sent


def test_publishing_a_covering_playbook_attaches_it_to_open_cases_without_one(
    ingest_source, seed_text, manager, django_capture_on_commit_callbacks, dispatched
):
    source, _ = ingest_source
    own = ingest_alert(source=source, alert=alert("a", "T1591.002")).case
    brute = ingest_alert(source=source, alert=alert("b", "T1110.003", user="other")).case
    unrelated = ingest_alert(source=source, alert=alert("c", "T1059", user="x")).case
    assert own.needs_playbook and brute.needs_playbook
    with django_capture_on_commit_callbacks(execute=True):
        version = import_playbook_text(seed_text, filename="seed.md", publish=True, by=None).version
    assert ("cases.tasks.attach_late_playbooks", (version.pk,)) in dispatched
    # Coverage is set after the import here; the task (run now) sees it.
    set_playbook_coverage(version.playbook, ["T1110"], by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        attached = attach_late_playbooks(version=version)
    assert sorted(attached) == sorted([own.pk, brute.pk])
    for case in (own, brute):
        case.refresh_from_db()
        assert case.playbook_version == version and not case.needs_playbook
        assert case.correlation_group == "pb:T1591.002"
        assert case.steps.count() == version.items.count()
        event = case.events.get(verb=CaseEvent.Verb.PLAYBOOK_ATTACHED)
        assert event.data["automatic"] is True and event.actor is None
        assert ("enrichment.tasks.refresh_case", (case.pk,)) in dispatched
    unrelated.refresh_from_db()
    assert unrelated.playbook_version is None
    assert attach_late_playbooks(version=version) == []  # idempotent
    # A later alert of the attached case's group joins it.
    again = ingest_alert(source=source, alert=alert("d", "T1110.001", user="other"))
    assert again.case.pk == brute.pk


def test_the_task_attaches_inline_when_the_broker_is_down(
    ingest_source, seed_text, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("cases.receivers.send_task_safely", lambda task, *a: False)
    monkeypatch.setattr("soc.tasks.send_task_safely", lambda task, *a, **kw: True)
    source, _ = ingest_source
    case = ingest_alert(source=source, alert=alert("a", "T1591.002")).case
    with django_capture_on_commit_callbacks(execute=True):
        version = import_playbook_text(seed_text, filename="seed.md", publish=True, by=None).version
    case.refresh_from_db()
    assert case.playbook_version == version


def test_t2_and_managers_attach_by_hand_l1_and_outsiders_may_not(
    ingest_source, seed_playbook, l1, t2, manager, outsider, client, dispatched
):
    source, _ = ingest_source
    case = ingest_alert(source=source, alert=alert("a", "T1059")).case
    with pytest.raises(NotAllowed):
        case_attach_playbook(case=case, version=seed_playbook, by=l1)
    for user in (l1, outsider):
        client.force_login(user)
        assert client.post(f"/cases/{case.pk}/playbook/", {"version": "T1591.002"}).status_code == 403
        assert (
            client.post(f"/api/v1/cases/{case.pk}/playbook/", {"technique_id": "T1591.002"}).status_code
            == 403
        )
    client.force_login(l1)
    assert b"Attach a playbook" not in client.get(f"/cases/{case.pk}/").content
    client.force_login(t2)
    page = client.get(f"/cases/{case.pk}/")
    assert b"Attach a playbook" in page.content
    response = client.post(f"/cases/{case.pk}/playbook/", {"version": "T1591.002"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.playbook_version == seed_playbook and case.steps.count() == seed_playbook.items.count()
    event = case.events.get(verb="playbook_attached")
    assert event.actor == t2 and event.data["automatic"] is False
    with pytest.raises(Conflict):
        case_attach_playbook(case=case, version=seed_playbook, by=manager)
    other = ingest_alert(source=source, alert=alert("b", "T1059", user="y")).case
    assert other.pk != case.pk
    client.force_login(manager)
    bad = client.post(
        f"/api/v1/cases/{other.pk}/playbook/", {"technique_id": "T1059"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "technique_id" in bad.json()["errors"]
    ok = client.post(
        f"/api/v1/cases/{other.pk}/playbook/", {"technique_id": "T1591.002"}, content_type="application/json"
    )
    assert ok.status_code == 200
    assert Case.objects.get(pk=other.pk).playbook_version == seed_playbook
    again = client.post(
        f"/api/v1/cases/{other.pk}/playbook/", {"technique_id": "T1591.002"}, content_type="application/json"
    )
    assert again.status_code == 409


def test_widening_coverage_attaches_the_playbook_to_cases_of_the_new_techniques(
    ingest_source, seed_playbook, manager, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("cases.receivers.send_task_safely", lambda task, *a: False)  # inline
    monkeypatch.setattr("soc.tasks.send_task_safely", lambda task, *a, **kw: True)
    source, _ = ingest_source
    phishing = ingest_alert(source=source, alert=alert("p", "T1566.002")).case
    assert phishing.needs_playbook
    with django_capture_on_commit_callbacks(execute=True):
        set_playbook_coverage(seed_playbook.playbook, ["T1566"], by=manager)
    phishing.refresh_from_db()
    assert phishing.playbook_version == seed_playbook and phishing.correlation_group == "pb:T1591.002"


def test_on_a_claimed_case_only_the_assignee_or_a_manager_attaches_a_playbook(
    ingest_source, seed_playbook, t2, t2_other, manager, client, dispatched
):
    source, _ = ingest_source
    case = ingest_alert(source=source, alert=alert("c", "T1059", user="z.claimed")).case
    Case.objects.filter(pk=case.pk).update(assignee=t2)
    case.refresh_from_db()
    with pytest.raises(NotAllowed, match="assigned to"):
        case_attach_playbook(case=case, version=seed_playbook, by=t2_other)
    client.force_login(t2_other)
    assert b"Attach a playbook" not in client.get(f"/cases/{case.pk}/").content
    assert client.post(f"/cases/{case.pk}/playbook/", {"version": "T1591.002"}).status_code == 403
    api = client.post(
        f"/api/v1/cases/{case.pk}/playbook/", {"technique_id": "T1591.002"}, content_type="application/json"
    )
    assert api.status_code == 403
    assert Case.objects.get(pk=case.pk).playbook_version is None and not case.steps.exists()
    client.force_login(manager)
    ok = client.post(
        f"/api/v1/cases/{case.pk}/playbook/", {"technique_id": "T1591.002"}, content_type="application/json"
    )
    assert ok.status_code == 200
    assert Case.objects.get(pk=case.pk).playbook_version == seed_playbook
