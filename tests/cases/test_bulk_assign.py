"""The case list's bulk "assign": a choice of the analysts the acting user may assign to
(README, "Assigning"), by username, validated on the server: a user outside that list, a
raw id, or an analyst who cannot work a selected case's tier is a 400 with the error beside
the field, the selection and the choice kept, and nothing assigned."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cases.models import Case
from cases.services.bulk import eligible_assignees
from soc.roles import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def bulk_assign(client, cases, assignee):
    data = {"bulk-action": "assign", "bulk-cases": [c.pk for c in cases], "bulk-assignee": assignee}
    return client.post(reverse("cases:bulk"), data)


def assignee_options(html: str) -> dict[str, str]:
    select = re.search(r'<select name="bulk-assignee"[^>]*>(.*?)</select>', html, re.S).group(1)
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))


def field_error(html: str, name: str) -> str:
    found = re.search(rf'id="id_bulk-{name}-error">([^<]*)<', html)
    return found.group(1) if found else ""


@pytest.fixture
def people(django_user_model, l1, l1_other, t2, manager, outsider):
    gone = make_user(django_user_model, "gone_l1", Role.L1, is_active=False)
    return {"l1": l1, "l1_other": l1_other, "t2": t2, "manager": manager, "outsider": outsider, "gone": gone}


def test_the_choice_lists_the_eligible_analysts_by_username_with_their_role(client, people):
    client.force_login(people["l1"])
    options = assignee_options(client.get(reverse("cases:list")).content.decode())
    assert options == {
        "": "Choose an analyst",
        "alice_l1": "alice_l1 (L1 Analyst)",
        "bob_t2": "bob_t2 (T2 Analyst)",
        "carol_manager": "carol_manager (SOC Manager)",
        "dave_l1": "dave_l1 (L1 Analyst)",
    }  # no inactive user, nobody without a role


def test_an_analyst_who_assigns_nothing_gets_no_choice(people):
    assert list(eligible_assignees(people["outsider"])) == []
    assert {u.username for u in eligible_assignees(people["manager"])} >= {"alice_l1", "bob_t2"}


@pytest.mark.parametrize(
    "choice, because",
    [
        ("mallory", "Choose an analyst from the list"),  # no role: may not be given cases
        ("gone_l1", "Choose an analyst from the list"),  # inactive
        ("nobody-at-all", "Choose an analyst from the list"),
        ("PK", "Choose an analyst from the list"),  # a raw user id is not a choice
        ("", "This field is required for this action."),
    ],
)
def test_a_bad_or_forbidden_choice_is_a_400_beside_the_field(
    choice, because, client, seed_playbook, make_case, people
):
    cases = [make_case(), make_case()]
    if choice == "PK":
        choice = str(people["l1_other"].pk)
    client.force_login(people["l1"])
    response = bulk_assign(client, cases, choice)
    assert response.status_code == 400
    html = response.content.decode()
    assert because in field_error(html, "assignee")
    assert Case.objects.filter(assignee__isnull=False).count() == 0
    for case in cases:  # the selection is kept
        assert re.search(rf'value="{case.pk}"[^>]*id="select-{case.pk}"[^>]*checked', html)
    assert re.search(r'<option value="assign" selected>', html)


def test_an_assignee_who_cannot_work_a_selected_tier_is_refused_for_all(
    client, seed_playbook, make_case, people
):
    from tests.cases.workflow_support import escalated

    l1_case = make_case()
    t2_case = escalated(make_case(), people["l1"])
    client.force_login(people["manager"])
    response = bulk_assign(client, [l1_case, t2_case], "dave_l1")
    assert response.status_code == 400
    error = field_error(response.content.decode(), "assignee")
    assert "dave_l1 cannot work T2-tier cases" in error and t2_case.reference in error
    assert not Case.objects.filter(assignee=people["l1_other"]).exists()


def test_a_good_choice_assigns_every_selected_case(client, seed_playbook, make_case, people):
    cases = [make_case(), make_case()]
    client.force_login(people["l1"])
    response = bulk_assign(client, cases, "bob_t2")
    assert response.status_code == 302
    assert set(Case.objects.filter(assignee=people["t2"]).values_list("pk", flat=True)) == {
        c.pk for c in cases
    }
