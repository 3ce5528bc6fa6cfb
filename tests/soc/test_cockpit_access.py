"""The cockpit's forms and endpoints from the outside: each role that may not use one gets
403 (and nothing changes), each bad input gets 400 with a field error (never a 500).

Covers the approvals inbox (list, approve, reject), the case list's bulk actions and
merge, observables by hand (add, flags), notification preferences and mark read, saved
filters, the metrics CSV and the case report."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case, SavedFilter
from containment.models import ContainmentAction
from containment.services import action_request
from tests.containment.conftest import walk_to_investigating

pytestmark = pytest.mark.django_db

PERSONAS = ("l1", "t2_other", "manager", "outsider")


@pytest.fixture
def world(seed_playbook, make_case, l1, t2, t2_other, manager, outsider, settings):
    settings.CONTAINMENT_LDAP = {**settings.CONTAINMENT_LDAP, "URL": "ldap://127.0.0.1:9", "BASE_DN": "dc=x"}
    settings.CONTAINMENT_SECOND_T2_APPROVAL = False
    case = walk_to_investigating(make_case(), l1=l1, t2=t2)
    action = action_request(case=case, kind="disable_account", target="m.keller", by=t2, reason="hijack")
    people = {"l1": l1, "t2": t2, "t2_other": t2_other, "manager": manager, "outsider": outsider}
    return {"case": case, "other": make_case(), "action": action, **people}


def as_(client, world, persona):
    client.force_login(world[persona])
    return client


# --- who may --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, status", [("l1", 403), ("t2_other", 403), ("outsider", 403), ("manager", 200)]
)
def test_the_approvals_inbox_is_for_approvers(client, world, persona, status):
    assert as_(client, world, persona).get(reverse("containment:approvals")).status_code == status


@pytest.mark.parametrize("decision", ["approve", "reject"])
@pytest.mark.parametrize(
    "persona, status", [("l1", 403), ("t2_other", 403), ("outsider", 403), ("manager", 302)]
)
def test_approve_and_reject_from_the_inbox(client, world, persona, status, decision):
    action = world["action"]
    url = reverse("containment:approvals_decide", args=[action.pk, decision])
    response = as_(client, world, persona).post(url, {"reason": "no"})
    assert response.status_code == status
    action.refresh_from_db()
    expected = {"approve": "queued", "reject": "rejected"}[decision] if status == 302 else "proposed"
    assert action.status == expected or (status == 302 and action.status in ("approved", "queued", "running"))


def test_an_unknown_decision_is_refused_not_a_500(client, world):
    url = reverse("containment:approvals_decide", args=[world["action"].pk, "maybe"])
    assert as_(client, world, "manager").post(url).status_code in (400, 403, 404)
    assert ContainmentAction.objects.get(pk=world["action"].pk).status == "proposed"


@pytest.mark.parametrize("action", ["claim", "assign", "close", "merge"])
def test_bulk_actions_refuse_a_user_without_a_role(client, world, action):
    data = {
        "bulk-action": action,
        "bulk-cases": [world["other"].pk, world["case"].pk],
        "bulk-assignee": "alice_l1",
        "bulk-resolution": "false_positive",
        "bulk-reason": "x",
        "bulk-target": world["other"].reference,
    }
    assert as_(client, world, "outsider").post(reverse("cases:bulk"), data).status_code == 403
    assert Case.objects.get(pk=world["other"].pk).status == Case.Status.NEW


@pytest.mark.parametrize("persona, status", [("outsider", 403), ("l1", 302)])
def test_adding_an_observable_needs_a_working_role(client, world, persona, status):
    url = reverse("cases:observable_add", args=[world["other"].pk])
    response = as_(client, world, persona).post(
        url, {"observable-type": "ip", "observable-value": "198.51.100.7"}
    )
    assert response.status_code == status
    assert world["other"].observables.filter(value="198.51.100.7").exists() == (status != 403)


def test_observable_flags_need_a_working_role(client, world):
    observable = world["other"].observables.first()
    url = reverse("cases:observable_update", args=[world["other"].pk, observable.pk])
    data = {f"flag{observable.pk}-is_ioc": "on", f"flag{observable.pk}-tlp": "red"}
    assert as_(client, world, "outsider").post(url, data).status_code == 403
    observable.refresh_from_db()
    assert not observable.is_ioc


@pytest.mark.parametrize("persona, status", [("outsider", 403), ("l1", 302)])
def test_saved_filters_need_the_case_list(client, world, persona, status):
    response = as_(client, world, persona).post(
        reverse("cases:saved_filter_create"), {"name": "mine", "query": "status=new"}
    )
    assert response.status_code == status
    assert SavedFilter.objects.filter(name="mine").exists() == (status == 302)


def test_a_saved_filter_of_someone_else_is_not_found(client, world):
    saved = SavedFilter.objects.create(user=world["manager"], name="theirs", query="")
    url = reverse("cases:saved_filter_delete", args=[saved.pk])
    assert as_(client, world, "l1").post(url).status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()


@pytest.mark.parametrize(
    "persona, status", [("l1", 403), ("t2_other", 403), ("outsider", 403), ("manager", 200)]
)
def test_the_metrics_csv_is_for_managers(client, world, persona, status):
    url = reverse("insights:metrics-csv", args=["volume"])
    response = as_(client, world, persona).get(url)
    assert response.status_code in ((200, 404) if status == 200 else (status,))


@pytest.mark.parametrize("persona, status", [("outsider", 403), ("l1", 200), ("manager", 200)])
def test_the_case_report_follows_case_visibility(client, world, persona, status):
    url = reverse("api-case-report", args=[world["case"].pk])
    assert as_(client, world, persona).get(url, {"format": "md"}).status_code == status


def test_notifications_are_each_users_own(client, world):
    from notifications.models import Notification
    from notifications.services import notifications_derive

    notifications_derive(now=world["case"].opened_at.replace(year=2100))
    theirs = Notification.objects.filter(user=world["manager"]).first()
    assert theirs is not None
    as_(client, world, "l1").post(reverse("notifications:read"), {"id": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- bad input: 400 with the field's error, never a 500 --------------------------------


def error_beside(html: str, field_id: str) -> bool:
    return f'id="{field_id}-error"' in html


@pytest.mark.parametrize(
    "fields, field_id",
    [
        ({"bulk-action": "nuke"}, "id_bulk-action"),
        ({"bulk-action": "claim", "bulk-cases": ["abc"]}, None),
        ({"bulk-action": "claim", "bulk-cases": ["999999"]}, None),
        ({"bulk-action": "assign", "bulk-assignee": "'; drop table"}, "id_bulk-assignee"),
        (
            {"bulk-action": "close", "bulk-resolution": "true_positive", "bulk-reason": "x"},
            "id_bulk-resolution",
        ),
        ({"bulk-action": "close", "bulk-resolution": "false_positive", "bulk-reason": ""}, "id_bulk-reason"),
        ({"bulk-action": "merge", "bulk-target": "CASE-1999-999999"}, "id_bulk-target"),
        ({"bulk-action": "merge", "bulk-target": "x" * 5000}, "id_bulk-target"),
    ],
)
def test_bulk_bad_input_is_a_400(client, world, fields, field_id):
    data = {"bulk-cases": [world["other"].pk, world["case"].pk], **fields}
    response = as_(client, world, "manager").post(reverse("cases:bulk"), data)
    assert response.status_code == 400
    if field_id:
        assert error_beside(response.content.decode(), field_id), field_id


def test_merging_into_a_case_that_is_not_selected_is_refused(client, world, make_case):
    third = make_case()
    data = {
        "bulk-action": "merge",
        "bulk-cases": [world["other"].pk, third.pk],
        "bulk-target": world["case"].reference,
    }
    response = as_(client, world, "manager").post(reverse("cases:bulk"), data)
    assert response.status_code == 400
    assert Case.objects.get(pk=third.pk).duplicate_of_id is None


@pytest.mark.parametrize(
    "data, field_id",
    [
        ({"type": "bogus", "value": "1.2.3.4"}, "id_type"),
        ({"type": "ip", "value": "not an ip"}, "id_value"),
        ({"type": "cidr", "value": "198.51.100.0/20"}, "id_value"),
        ({"type": "ip", "value": ""}, "id_value"),
        ({"type": "url", "value": "x" * 5000}, "id_value"),
    ],
)
def test_adding_a_bad_observable_is_a_400_beside_the_field(client, world, data, field_id):
    url = reverse("cases:observable_add", args=[world["other"].pk])
    response = as_(client, world, "l1").post(url, {f"observable-{k}": v for k, v in data.items()})
    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, field_id.replace("id_", "id_observable-")), html[:0]
    if data["value"] and len(data["value"]) < 100:
        assert f'value="{data["value"]}"' in html  # what was typed is kept


def test_bad_observable_flags_are_a_400(client, world):
    observable = world["other"].observables.first()
    url = reverse("cases:observable_update", args=[world["other"].pk, observable.pk])
    data = {f"flag{observable.pk}-tlp": "purple", f"flag{observable.pk}-tags": "x" * 5000}
    assert as_(client, world, "l1").post(url, data).status_code == 400


@pytest.mark.parametrize(
    "data",
    [
        {"case_escalated": ["carrier_pigeon"]},
        {"tz-time_zone": "Mars/Olympus"},
        {"sla_breached": ["in_app"], "tz-time_zone": "../../etc/passwd"},
    ],
)
def test_bad_preferences_are_a_400_and_change_nothing(client, world, data):
    from notifications.services import preferences_of

    before = preferences_of(world["l1"])
    response = as_(client, world, "l1").post(reverse("notifications:preferences"), data)
    assert response.status_code == 400
    assert 'class="error' in response.content.decode()
    assert preferences_of(world["l1"]) == before


@pytest.mark.parametrize("ids", [["abc"], ["-1"], ["9" * 40], [""]])
def test_mark_read_with_bad_ids_is_a_400_and_marks_nothing(client, world, ids):
    from notifications.models import Notification

    unread = Notification.objects.filter(read_at__isnull=True).count()
    response = as_(client, world, "l1").post(reverse("notifications:read"), {"id": ids})
    assert response.status_code == 400
    assert Notification.objects.filter(read_at__isnull=True).count() == unread


@pytest.mark.parametrize("name", ["", "x" * 81])
def test_a_bad_saved_filter_name_is_a_400(client, world, name):
    response = as_(client, world, "l1").post(
        reverse("cases:saved_filter_create"), {"name": name, "query": "a=b"}
    )
    assert response.status_code == 400
    assert error_beside(response.content.decode(), "id_name")


@pytest.mark.parametrize(
    "query",
    [
        {"start": "yesterday"},
        {"start": "2026-02-30"},
        {"team": "abc"},
        {"start": "2026-03-02", "end": "2026-03-01"},
    ],
)
def test_bad_metrics_csv_periods_are_a_400(client, world, query):
    url = reverse("insights:metrics-csv", args=["volume"])
    assert as_(client, world, "manager").get(url, query).status_code == 400


@pytest.mark.parametrize("wanted", ["docx", "", "../md"])
def test_a_bad_report_format_is_a_400(client, world, wanted):
    url = reverse("api-case-report", args=[world["case"].pk])
    response = as_(client, world, "l1").get(url, {"format": wanted})
    assert response.status_code == 400
    assert "format" in response.json().get("errors", response.json())
