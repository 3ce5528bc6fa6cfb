"""SLA stage clocks, the sync of the case columns, and the scan that records warnings and
breaches once each (built through the real workflow services)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.filters import CaseFilter
from cases.models import Case, CaseEvent
from cases.services import workflow as wf
from sla.models import SlaPolicy
from sla.services import policies, sla_policy_update, sla_scan, sla_sync
from sla.tasks import sla_tick
from tests.cases.workflow_support import escalated

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(seed_playbook, make_case):
    return make_case(severity=4)  # critical: acknowledge in 15 minutes by default


def _age(case: Case, minutes: float) -> Case:
    """Move the case's opening into the past (as if it had waited that long)."""
    opened = timezone.now() - timedelta(minutes=minutes)
    Case.objects.filter(pk=case.pk).update(opened_at=opened)
    case.refresh_from_db()
    return case


def test_policies_default_to_the_settings_and_live_in_the_database(settings):
    found = policies()
    assert set(found) == {1, 2, 3, 4}
    critical = SlaPolicy.objects.get(severity=4)
    assert critical.acknowledge_minutes == settings.VIGIL_SLA_MINUTES[4]
    assert critical.t2_pickup_minutes == settings.VIGIL_SLA_T2_PICKUP_MINUTES[0]
    assert SlaPolicy.objects.get(severity=1).resolution_minutes == settings.VIGIL_SLA_RESOLUTION_MINUTES[3]


def test_sync_sets_the_running_stage_and_its_due_time(case):
    sla_sync([case.pk])
    case.refresh_from_db()
    assert case.sla_stage == "acknowledge"
    assert case.sla_stage_due_at == case.sla_acknowledge_due_at == case.opened_at + timedelta(minutes=15)
    assert case.sla_resolution_due_at == case.opened_at + timedelta(minutes=240)


def test_escalated_case_runs_the_t2_pickup_clock_and_the_claim_measures_it(case, l1, t2):
    case = escalated(case, l1)
    sla_sync([case.pk])
    case.refresh_from_db()
    assert case.sla_stage == "t2_pickup"
    assert case.sla_t2_pickup_due_at == case.escalated_at + timedelta(minutes=30)
    wf.case_claim(case=case, by=t2)
    case.refresh_from_db()
    assert case.t2_picked_up_at is not None and case.t2_picked_up_at >= case.escalated_at
    sla_sync([case.pk])
    case.refresh_from_db()
    assert case.sla_stage == "containment"


def test_t2_pickup_is_shown_on_the_case_page(client, case, l1, t2):
    case = escalated(case, l1)
    wf.case_claim(case=case, by=t2)
    client.force_login(t2)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-stage="t2_pickup"' in html
    assert "T2 pickup after escalation" in html
    row = html.split('data-stage="t2_pickup"')[1].split("</tr>")[0]
    assert "met" in row


def test_warning_and_breach_are_recorded_once_each(case):
    _age(case, 13)  # 80% of 15 minutes has passed
    sla_sync([case.pk])
    assert sla_scan() == 1
    assert sla_scan() == 0
    event = case.events.get(verb="sla_warning")
    assert event.data["stage"] == "acknowledge"
    assert event.data["target"] == 15
    assert event.data["elapsed"] == pytest.approx(13, abs=0.2)
    assert "due" in event.data

    later = timezone.now() + timedelta(minutes=3)  # 16 minutes after the opening
    assert sla_scan(later) == 1
    assert sla_scan(later) == 0
    assert case.events.filter(verb="sla_breached").count() == 1
    assert case.events.filter(verb="sla_warning").count() == 1


def test_a_case_claimed_in_time_records_nothing_even_with_a_stale_alarm(case, l1):
    _age(case, 16)
    sla_sync([case.pk])  # alarm due (warning and breach)
    wf.case_claim(case=case, by=l1)  # claimed before the scan ran (late, but no longer running)
    assert sla_scan() == 0
    assert not case.events.filter(verb__startswith="sla_").exists()


def test_the_beat_task_syncs_new_cases_and_records_breaches(case):
    _age(case, 20)
    result = sla_tick()
    assert result["recorded"] == 2  # the warning, then the breach
    assert list(
        case.events.filter(verb__startswith="sla_").values_list("verb", flat=True).order_by("pk")
    ) == [
        "sla_warning",
        "sla_breached",
    ]
    assert sla_tick()["recorded"] == 0


def test_scan_cost_does_not_grow_with_the_number_of_cases(
    seed_playbook, make_case, django_assert_num_queries
):
    cases = [_age(make_case(severity=4), 20) for _ in range(5)]
    sla_sync([c.pk for c in cases])
    policies()
    with django_assert_num_queries(5):  # savepoint, select, insert events, update rows, release
        assert sla_scan() == 10


def test_working_hours_policy_moves_the_due_time(case, settings):
    settings.VIGIL_SLA_WORKING_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    settings.VIGIL_SLA_WORKING_HOURS = "00:00-23:59"
    policy = policies()[4]
    sla_policy_update(policy=policy, by=None, clock=SlaPolicy.Clock.WORKING)
    sla_sync([case.pk])
    case.refresh_from_db()
    assert case.sla_acknowledge_due_at >= case.opened_at + timedelta(minutes=15)


def test_list_filters_breached_and_breaching_within(seed_playbook, make_case):
    late = _age(make_case(severity=4), 20)
    soon = _age(make_case(severity=4), 10)  # due in 5 minutes
    later = make_case(severity=1)  # due in a day
    sla_sync([late.pk, soon.pk, later.pk])
    queryset = Case.objects.all()
    assert list(CaseFilter({"sla_breached": "true"}, queryset=queryset).qs) == [late]
    assert list(CaseFilter({"sla_breaching_within": "10"}, queryset=queryset).qs) == [soon]
    ordered = CaseFilter({"o": "sla_stage_due"}, queryset=queryset).qs
    assert list(ordered) == [late, soon, later]
    assert not CaseFilter({"sla_breaching_within": "-5"}, queryset=queryset).is_valid()


def test_policy_api_is_read_by_analysts_and_changed_by_managers(
    client, l1, manager, outsider, django_capture_on_commit_callbacks
):
    client.force_login(outsider)
    assert client.get("/api/v1/sla/policies/").status_code == 403
    client.force_login(l1)
    rows = client.get("/api/v1/sla/policies/").json()
    assert [row["severity"] for row in rows] == [4, 3, 2, 1]
    assert (
        client.patch(
            "/api/v1/sla/policies/4/", {"acknowledge_minutes": 5}, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(manager)
    bad = client.patch("/api/v1/sla/policies/4/", {"acknowledge_minutes": 0}, content_type="application/json")
    assert bad.status_code == 400 and "acknowledge_minutes" in str(bad.json())
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.patch(
            "/api/v1/sla/policies/4/",
            {"acknowledge_minutes": 5, "clock": "working"},
            content_type="application/json",
        )
    assert ok.status_code == 200, ok.content
    assert SlaPolicy.objects.get(severity=4).acknowledge_minutes == 5
    assert policies()[4].acknowledge_minutes == 5  # the cache was dropped


def test_managers_edit_policies_in_the_admin(client, manager, l1):
    policies()
    client.force_login(manager)
    assert client.get("/admin/sla/slapolicy/").status_code == 200
    client.force_login(l1)
    assert client.get("/admin/sla/slapolicy/").status_code in (302, 403)


def test_events_have_human_labels(case):
    _age(case, 20)
    sla_sync([case.pk])
    sla_scan()
    labels = {event.verb_label for event in CaseEvent.objects.filter(case=case, verb__startswith="sla_")}
    assert labels == {"SLA breach imminent", "SLA breached"}
