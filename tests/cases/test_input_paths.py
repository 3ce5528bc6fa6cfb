"""One input path: the HTML forms and the API resolve each reference with the same function
(cases.resolvers), so they accept the same values and refuse the others with the same
field error: duplicate_of, assignee, escalation criteria, a containment playbook item."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent, CaseStep
from cases.models.cases import CaseQuerySet
from containment.models import ContainmentAction
from playbooks.models import Playbook, PlaybookItem, PlaybookVersion

from .workflow_support import answer_suspicious, claimed, criterion, escalated

pytestmark = pytest.mark.django_db
NOTE = "Same alert as the other case."


def html_post(user, path: str, data: dict):
    client = Client()
    client.force_login(user)
    return client.post(path, data)


def api_post(user, path: str, data: dict):
    client = APIClient()
    client.force_authenticate(user)
    return client.post(path, data, format="json")


def api_patch(user, path: str, data: dict):
    client = APIClient()
    client.force_authenticate(user)
    return client.patch(path, data, format="json")


def html_errors(response, action: str, field: str) -> list[str]:
    assert response.status_code == 400
    return response.context["forms"][action].errors[field]


def api_errors(response, field: str) -> list[str]:
    assert response.status_code == 400, response.json()
    return response.json()["errors"][field]


# --- duplicate_of ------------------------------------------------------------------------


def _close_as_duplicate(path: str, user, case: Case, duplicate_of: str):
    if path == "html":
        return html_post(
            user,
            f"/cases/{case.pk}/close/",
            {"close-resolution": "duplicate", "close-note": NOTE, "close-duplicate_of": duplicate_of},
        )
    return api_post(
        user,
        f"/api/v1/cases/{case.pk}/close/",
        {"resolution": "duplicate", "note": NOTE, "duplicate_of": duplicate_of},
    )


def test_both_paths_close_a_duplicate_of_a_case_given_by_reference_or_id(seed_playbook, make_case, l1):
    original = claimed(make_case(), l1)
    by_html, by_api = claimed(make_case(), l1), claimed(make_case(), l1)
    assert _close_as_duplicate("html", l1, by_html, original.reference.lower()).status_code == 302
    assert _close_as_duplicate("api", l1, by_api, str(original.pk)).status_code == 200
    duplicates = Case.objects.filter(pk__in=[by_html.pk, by_api.pk]).values_list("duplicate_of", flat=True)
    assert list(duplicates) == [original.pk, original.pk]


@pytest.mark.parametrize("which", ["unknown", "invisible", "not a number"])
def test_both_paths_refuse_an_unknown_or_invisible_duplicate_of_alike(
    seed_playbook, make_case, l1, monkeypatch, which
):
    hidden = make_case()
    if which == "invisible":
        # A visibility rule that hides one case from L1 (the guard every lookup must pass).
        visible_to = CaseQuerySet.visible_to
        monkeypatch.setattr(
            CaseQuerySet, "visible_to", lambda qs, user: visible_to(qs, user).exclude(pk=hidden.pk)
        )
    given = {"invisible": hidden.reference, "unknown": "CASE-2099-999999", "not a number": "²"}[which]
    case = claimed(make_case(), l1)
    html = html_errors(_close_as_duplicate("html", l1, case, given), "close", "duplicate_of")
    api = api_errors(_close_as_duplicate("api", l1, case, given), "duplicate_of")
    assert html == api == [f"No case {given}."]
    assert Case.objects.get(pk=case.pk).status == Case.Status.TRIAGE


# --- assignee ----------------------------------------------------------------------------


def test_both_paths_assign_by_username_and_refuse_the_wrong_role_alike(
    seed_playbook, make_case, l1, t2, manager
):
    case = escalated(make_case(), l1)  # a T2-tier case
    html = html_errors(
        html_post(manager, f"/cases/{case.pk}/assign/", {"assign-assignee": l1.username}),
        "assign",
        "assignee",
    )
    api = api_errors(
        api_post(manager, f"/api/v1/cases/{case.pk}/assign/", {"assignee": l1.username}), "assignee"
    )
    assert html == api == [f"{l1.username} cannot work T2-tier cases."]
    unknown_html = html_errors(
        html_post(manager, f"/cases/{case.pk}/assign/", {"assign-assignee": "nobody"}), "assign", "assignee"
    )
    unknown_api = api_errors(
        api_post(manager, f"/api/v1/cases/{case.pk}/assign/", {"assignee": "nobody"}), "assignee"
    )
    assert unknown_html == unknown_api == ["No such user."]
    assert (
        html_post(manager, f"/cases/{case.pk}/assign/", {"assign-assignee": t2.username}).status_code == 302
    )
    assert Case.objects.get(pk=case.pk).assignee == t2


# --- escalation criteria -----------------------------------------------------------------


def _escalate(path: str, user, case: Case, criteria: list[int]):
    note = "Probing from an unknown IP; see answers."
    if path == "html":
        return html_post(
            user, f"/cases/{case.pk}/escalate/", {"escalate-note": note, "escalate-criteria": criteria}
        )
    return api_post(user, f"/api/v1/cases/{case.pk}/escalate/", {"note": note, "criteria": criteria})


def test_both_paths_refuse_an_unknown_criterion_alike(seed_playbook, make_case, l1):
    case = claimed(make_case(), l1)
    answer_suspicious(case, l1)
    question = case.steps.filter(section="question").first()
    html = html_errors(_escalate("html", l1, case, [question.pk]), "escalate", "criteria")
    api = api_errors(_escalate("api", l1, case, [question.pk]), "criteria")
    assert html == api == [f"Not an escalation criterion of this case: {question.pk}"]
    assert Case.objects.get(pk=case.pk).status == Case.Status.TRIAGE


@pytest.mark.parametrize("path", ["html", "api"])
def test_criteria_set_on_escalation_record_agreement_with_the_suggestion(seed_playbook, make_case, l1, path):
    """case_escalate sets criteria through the step service: as if ticked by hand."""
    case = claimed(make_case(), l1)
    answer_suspicious(case, l1)
    exfiltration = criterion(case, "exfiltration")
    CaseStep.objects.filter(pk=exfiltration.pk).update(
        suggestion={"answer": "checked", "reason": "big upload"}
    )
    response = _escalate(path, l1, case, [criterion(case, "compromised_account").pk, exfiltration.pk])
    assert response.status_code in (200, 302)
    exfiltration.refresh_from_db()
    assert (exfiltration.value, exfiltration.agreed_with_suggestion) == ("checked", True)
    event = CaseEvent.objects.filter(case=case, verb="step_updated", data__step=exfiltration.pk).last()
    assert event.data["agreed_with_suggestion"] is True and event.data["answer_source"] == "analyst"
    assert Case.objects.get(pk=case.pk).status == Case.Status.ESCALATED


# --- containment playbook item -----------------------------------------------------------


@pytest.fixture
def other_playbooks_item(db):
    playbook = Playbook.objects.create(technique_id="T1566.001")
    version = PlaybookVersion.objects.create(
        playbook=playbook, number=1, technique_id="T1566.001", name="Spearphishing attachment"
    )
    return PlaybookItem.objects.create(
        version=version, section="containment_step", order=1, text="Quarantine the mail", action="manual"
    )


def _request_step(path: str, user, case: Case, item_id: int):
    target = "Follow the case's playbook"
    if path == "html":
        data = {"kind": "manual", "target": target, "playbook_item": item_id}
        return html_post(user, f"/cases/{case.pk}/containment/request/", data)
    return api_post(
        user,
        f"/api/v1/cases/{case.pk}/actions/",
        {"kind": "manual", "target": target, "playbook_item": item_id},
    )


def test_both_paths_take_the_cases_playbook_item_and_refuse_another_playbooks_alike(
    seed_playbook, make_case, l1, t2, other_playbooks_item
):
    from tests.containment.conftest import walk_to_investigating

    case = walk_to_investigating(make_case(), l1=l1, t2=t2)
    refused_html = _request_step("html", t2, case, other_playbooks_item.pk)
    assert refused_html.status_code == 400
    html = refused_html.context["form"].errors["playbook_item"]
    api = api_errors(_request_step("api", t2, case, other_playbooks_item.pk), "playbook_item")
    assert html == api == [f"Item {other_playbooks_item.pk} is not in this case's playbook."]
    assert not ContainmentAction.objects.exists()

    own = case.steps.filter(section="containment_step").first().item
    assert _request_step("api", t2, case, own.pk).status_code == 201
    assert ContainmentAction.objects.get().playbook_item == own


# --- containment manual step owner ---------------------------------------------------------


def test_both_paths_give_a_manual_step_to_a_team_member_and_refuse_others_alike(
    seed_playbook, make_case, l1, t2, manager, outsider
):
    from containment import services
    from tests.containment.conftest import walk_to_investigating

    case = walk_to_investigating(make_case(), l1=l1, t2=t2)
    step = services.action_request(case=case, kind="manual", target="Call the partner", by=t2)
    for username, message in [(outsider.username, "Not a SOC team member."), ("nobody", "No such user.")]:
        html = html_post(t2, f"/containment/actions/{step.pk}/step/", {f"step{step.pk}-owner": username})
        assert html.status_code == 400 and message in html.context["error"]
        api = api_errors(api_patch(t2, f"/api/v1/actions/{step.pk}/", {"owner": username}), "owner")
        assert api == [message]
    given = html_post(t2, f"/containment/actions/{step.pk}/step/", {f"step{step.pk}-owner": manager.username})
    assert given.status_code == 302
    step.refresh_from_db()
    assert step.owner == manager
    assert api_patch(t2, f"/api/v1/actions/{step.pk}/", {"owner": None}).json()["owner"] is None
