"""The permission matrix: each role x each transition (HTML and API) and each page.

Roles: l1 (alice), t2 (bob), manager (carol), outsider (mallory, no role), anonymous.
A case in triage belongs to alice; a case under investigation belongs to bob.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import Case
from cases.services import workflow as wf
from tests.cases.workflow_support import answer_suspicious, investigating, question, step

pytestmark = pytest.mark.django_db

OK, DENIED, CONFLICT = "ok", 403, 409


def new(case, l1, t2):
    return case


def triage(case, l1, t2):
    case = wf.case_claim(case=case, by=l1)
    answer_suspicious(case, l1)
    return case


def escalated(case, l1, t2):
    return wf.case_escalate(case=triage(case, l1, t2), by=l1, note="hand-off")


def under_investigation(case, l1, t2):
    return investigating(case, l1, t2)


def resolved(case, l1, t2):
    return wf.case_resolve(case=investigating(case, l1, t2), by=t2, summary="done")


# (name, state, action, API body, HTML form data, {role: expected}); the HTML forms are
# prefixed with the action name.
MATRIX = [
    ("claim new", new, "claim", {}, {}, {"l1": OK, "t2": OK, "manager": OK, "outsider": DENIED}),
    (
        "claim escalated",
        escalated,
        "claim",
        {},
        {},
        {"l1": DENIED, "t2": OK, "manager": OK, "outsider": DENIED},
    ),
    (
        "unassign triage",
        triage,
        "unassign",
        {},
        {},
        {"l1": OK, "t2": DENIED, "manager": OK, "outsider": DENIED},
    ),
    (
        "close triage",
        triage,
        "close",
        {"resolution": "false_positive", "note": "n", "reason": "r"},
        {"resolution": "false_positive", "note": "n", "reason": "r"},
        {"l1": OK, "t2": DENIED, "manager": OK, "outsider": DENIED},
    ),
    (
        "escalate triage",
        triage,
        "escalate",
        {"note": "n"},
        {"note": "n"},
        {"l1": OK, "t2": DENIED, "manager": OK, "outsider": DENIED},
    ),
    (
        "assign triage",
        triage,
        "assign",
        {"assignee": "dave_l1"},
        "dave_l1",
        {"l1": OK, "t2": DENIED, "manager": OK, "outsider": DENIED},
    ),
    (
        "return investigating",
        under_investigation,
        "return",
        {"note": "n"},
        {"note": "n"},
        {"l1": DENIED, "t2": OK, "manager": OK, "outsider": DENIED},
    ),
    (
        "assign investigating",
        under_investigation,
        "assign",
        {"assignee": "erin_t2"},
        "erin_t2",
        {"l1": DENIED, "t2": OK, "manager": OK, "outsider": DENIED},
    ),
    (
        "resolve investigating",
        under_investigation,
        "resolve",
        {"summary": "s"},
        {"summary": "s", "resolution": "true_positive"},
        {"l1": DENIED, "t2": OK, "manager": OK, "outsider": DENIED},
    ),
    (
        "close resolved",
        resolved,
        "close",
        {},
        {},
        {"l1": DENIED, "t2": OK, "manager": OK, "outsider": DENIED},
    ),
    (
        "reopen resolved",
        resolved,
        "reopen",
        {"note": "n"},
        {"note": "n"},
        {"l1": DENIED, "t2": OK, "manager": OK, "outsider": DENIED},
    ),
    # The claim means something: a second T2 (erin) reads and comments, bob moves his case.
    (
        "resolve someone else's investigation",
        under_investigation,
        "resolve",
        {"summary": "s"},
        {"summary": "s", "resolution": "true_positive"},
        {"t2_other": DENIED},
    ),
    (
        "return someone else's investigation",
        under_investigation,
        "return",
        {"note": "n"},
        {"note": "n"},
        {"t2_other": DENIED},
    ),
    (
        "assign someone else's investigation",
        under_investigation,
        "assign",
        {"assignee": "erin_t2"},
        "erin_t2",
        {"t2_other": DENIED},
    ),
    ("close escalated", escalated, "close", {}, {}, {"l1": CONFLICT, "t2": CONFLICT, "manager": CONFLICT}),
    ("escalate new", new, "escalate", {"note": "n"}, {"note": "n"}, {"l1": CONFLICT, "manager": CONFLICT}),
]

CASES = [
    pytest.param(name, state, action, body, form, role, expected, id=f"{name}-{role}")
    for name, state, action, body, form, expectations in MATRIX
    for role, expected in expectations.items()
]


@pytest.fixture
def setup(seed_playbook, make_case, l1, l1_other, t2, t2_other, manager, outsider):
    return make_case()


def _html_data(case: Case, action: str, form) -> dict:
    if isinstance(form, str):  # assign: the form posts the username, as the API takes it
        form = {"assignee": form}
    return {f"{action}-{key}": value for key, value in {**form, "version": case.version}.items()}


@pytest.mark.parametrize(("name", "state", "action", "body", "form", "role", "expected"), CASES)
def test_api_transition_matrix(setup, l1, t2, request, name, state, action, body, form, role, expected):
    case = state(setup, l1, t2)
    before = Case.objects.get(pk=case.pk)
    api = APIClient()
    api.force_authenticate(request.getfixturevalue(role))
    response = api.post(f"/api/v1/cases/{case.pk}/{action}/", body, format="json")
    after = Case.objects.get(pk=case.pk)
    if expected == OK:
        assert response.status_code == 200, response.json()
        assert after.version == before.version + 1
    else:
        assert response.status_code == expected, response.json()
        assert after.version == before.version
        if expected == CONFLICT:
            assert response.json()["current_status"] == before.status
            assert "allowed" in response.json()


@pytest.mark.parametrize(("name", "state", "action", "body", "form", "role", "expected"), CASES)
def test_html_transition_matrix(
    client, setup, l1, t2, request, name, state, action, body, form, role, expected
):
    case = state(setup, l1, t2)
    before = Case.objects.get(pk=case.pk)
    client.force_login(request.getfixturevalue(role))
    response = client.post(
        reverse("cases:transition", args=[case.pk, action]), _html_data(case, action, form)
    )
    after = Case.objects.get(pk=case.pk)
    if expected == DENIED:
        assert response.status_code == 403
    else:
        # Accepted: back to the case page. Refused for the state or the input: the page
        # again with the submitted form and its errors (400, or 409 for a conflict).
        if expected == OK:
            assert response.status_code == 302
            assert response["Location"] == reverse("cases:detail", args=[case.pk])
        else:
            assert response.status_code in (400, 409)
    assert (after.version == before.version + 1) == (expected == OK)


@pytest.mark.parametrize("action", ["claim", "escalate", "close", "resolve", "return", "assign", "reopen"])
def test_anonymous_gets_the_login_page_or_401(client, setup, action):
    response = client.post(reverse("cases:transition", args=[setup.pk, action]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert APIClient().post(f"/api/v1/cases/{setup.pk}/{action}/").status_code == 401


# --- steps ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "state", "expected"),
    [
        ("question", triage, {"l1": OK, "l1_other": DENIED, "t2": DENIED, "manager": OK, "outsider": DENIED}),
        (
            "t2_action",
            under_investigation,
            {"l1": DENIED, "t2": OK, "t2_other": DENIED, "manager": OK, "outsider": DENIED},
        ),
    ],
)
@pytest.mark.parametrize("channel", ["api", "html"])
def test_step_matrix(client, setup, l1, t2, request, section, state, expected, channel):
    case = state(setup, l1, t2)
    target = question(case, "ip_reputation") if section == "question" else step(case, section)
    value = "yes" if section == "question" else "done"
    for role, outcome in expected.items():
        user = request.getfixturevalue(role)
        if channel == "api":
            api = APIClient()
            api.force_authenticate(user)
            response = api.patch(
                f"/api/v1/cases/{case.pk}/steps/{target.pk}/", {"value": value}, format="json"
            )
            assert response.status_code == (200 if outcome == OK else outcome), role
        else:
            client.force_login(user)
            response = client.post(reverse("cases:step", args=[case.pk, target.pk]), {"value": value})
            assert response.status_code == (302 if outcome == OK else outcome), role
        if outcome == OK:
            # Reset so the next role's write is a change again.
            target.refresh_from_db()
            type(target).objects.filter(pk=target.pk).update(value="")


# --- pages ----------------------------------------------------------------------------

PAGES = ["dashboard", "dashboard_queues", "list", "detail", "recommendation", "timeline", "step"]


def _page_url(name: str, case: Case) -> str:
    if name in ("detail", "recommendation", "timeline"):
        return reverse(f"cases:{name}", args=[case.pk])
    if name == "step":
        return reverse("cases:step", args=[case.pk, case.steps.first().pk])
    return reverse(f"cases:{name}")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("role", "status"), [("l1", 200), ("t2", 200), ("manager", 200), ("outsider", 403)])
def test_page_matrix(client, setup, request, page, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(_page_url(page, setup)).status_code == status


@pytest.mark.parametrize("page", [*PAGES, "profile"])
def test_pages_need_a_login(client, setup, page):
    url = reverse("cases:profile") if page == "profile" else _page_url(page, setup)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_comment_needs_the_permission(client, setup, outsider, l1):
    client.force_login(outsider)
    assert client.post(reverse("cases:comment_add", args=[setup.pk]), {"body": "hi"}).status_code == 403
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.post(f"/api/v1/cases/{setup.pk}/comments/", {"body": "hi"}, format="json").status_code == 403
    assert setup.comments.count() == 0


def test_profile_is_for_every_logged_in_user(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("cases:profile")).status_code == 200


@pytest.mark.parametrize(
    ("role", "approve", "edit_playbooks", "work_t2"),
    [
        ("l1", False, False, False),
        ("t2", False, False, True),
        ("manager", True, True, True),
        ("outsider", False, False, False),
    ],
)
def test_role_capabilities(request, role, approve, edit_playbooks, work_t2):
    """L1 cannot approve containment or edit playbooks; T2 cannot edit playbooks."""
    user = request.getfixturevalue(role)
    assert user.has_perm("containment.approve_action") is approve
    assert user.has_perm("playbooks.edit_playbooks") is edit_playbooks
    assert user.has_perm("cases.work_t2") is work_t2


# --- the claim on containment ---------------------------------------------------------


@pytest.fixture
def containment_off_broker(monkeypatch):
    monkeypatch.setattr("containment.services.common.dispatch_on_commit", lambda *a, **k: None)


@pytest.mark.parametrize(
    ("role", "expected"), [("t2", 201), ("t2_other", 403), ("manager", 201), ("l1", 403)]
)
def test_only_the_assignee_or_a_manager_requests_containment_api(
    setup, l1, t2, request, role, expected, containment_off_broker
):
    case = under_investigation(setup, l1, t2)
    api = APIClient()
    api.force_authenticate(request.getfixturevalue(role))
    response = api.post(
        f"/api/v1/cases/{case.pk}/actions/", {"kind": "block_ip", "target": "203.0.113.77"}, format="json"
    )
    assert response.status_code == expected, response.json()


@pytest.mark.parametrize(("role", "expected"), [("t2", 200), ("t2_other", 403), ("manager", 200)])
def test_only_the_assignee_or_a_manager_requests_containment_html(
    client, setup, l1, t2, request, role, expected, containment_off_broker
):
    from containment.models import ContainmentAction

    case = under_investigation(setup, l1, t2)
    client.force_login(request.getfixturevalue(role))
    response = client.post(
        reverse("containment:request", args=[case.pk]),
        {"kind": "block_ip", "target": "203.0.113.77", "expires_in": ""},
    )
    created = ContainmentAction.objects.filter(case=case).exists()
    assert created == (expected == 200)
    if expected == 403:
        assert response.status_code == 403 or "only they or a SOC manager" in response.content.decode()
        # The panel offers no request form to a T2 who does not hold the case.
        panel = client.get(reverse("containment:case_panel", args=[case.pk])).content.decode()
        assert 'name="kind"' not in panel


@pytest.mark.parametrize(
    ("role", "expected"),
    [("l1", DENIED), ("t2", OK), ("t2_other", DENIED), ("manager", OK), ("outsider", DENIED)],
)
def test_only_the_assignee_or_a_manager_moves_a_case_to_containment_html(
    client, setup, l1, t2, request, role, expected
):
    """(On the API a case enters containment when an action is requested: tested below.)"""
    case = under_investigation(setup, l1, t2)
    client.force_login(request.getfixturevalue(role))
    response = client.post(
        reverse("cases:transition", args=[case.pk, "contain"]), _html_data(case, "contain", {})
    )
    after = Case.objects.get(pk=case.pk)
    assert response.status_code == (302 if expected == OK else 403)
    assert (after.status == Case.Status.CONTAINMENT) == (expected == OK)


def test_another_t2_still_reads_and_comments_on_a_claimed_case(client, setup, l1, t2, t2_other):
    case = under_investigation(setup, l1, t2)
    client.force_login(t2_other)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    api = APIClient()
    api.force_authenticate(t2_other)
    assert (
        api.post(f"/api/v1/cases/{case.pk}/comments/", {"body": "seen it too"}, format="json").status_code
        == 201
    )


@pytest.fixture
def ldap_configured(settings):
    """A directory is configured (account disabling is offered only then); nothing here
    reaches it: the actions stay off the broker."""
    settings.CONTAINMENT_LDAP = {**settings.CONTAINMENT_LDAP, "URL": "ldap://127.0.0.1:9", "BASE_DN": "dc=x"}


def _approved_disable(case, t2, manager):
    from containment import services
    from containment.models import ContainmentAction

    action = services.action_request(case=case, kind="disable_account", target="m.keller", by=t2)
    services.action_approve(action=action, by=manager)
    from django.utils import timezone

    ContainmentAction.objects.filter(pk=action.pk).update(
        status=ContainmentAction.Status.SUCCEEDED,
        finished_at=timezone.now(),
        result={"webhook": "https://hooks.corp.example/secret-path", "status_code": 200},
        last_error="POST https://hooks.corp.example/secret-path timed out once",
    )
    return action


@pytest.mark.parametrize(("role", "expected"), [("t2", 403), ("manager", 200)])
def test_reverting_an_approved_action_needs_the_same_approval(
    setup, l1, t2, manager, request, role, expected, containment_off_broker, ldap_configured
):
    case = under_investigation(setup, l1, t2)
    action = _approved_disable(case, t2, manager)
    api = APIClient()
    api.force_authenticate(request.getfixturevalue(role))
    assert api.post(f"/api/v1/actions/{action.pk}/revert/").status_code == expected


def test_the_revert_button_is_offered_only_to_an_approver(
    client, setup, l1, t2, manager, containment_off_broker, ldap_configured
):
    case = under_investigation(setup, l1, t2)
    _approved_disable(case, t2, manager)
    panel_url = reverse("containment:case_panel", args=[case.pk])
    client.force_login(t2)
    assert 'name="revert"' not in client.get(panel_url).content.decode()
    client.force_login(manager)
    assert 'name="revert"' in client.get(panel_url).content.decode()


@pytest.mark.parametrize(("role", "sees"), [("l1", False), ("t2", False), ("manager", True)])
def test_connector_configuration_is_shown_only_to_managers(
    client, setup, l1, t2, manager, request, role, sees, settings, containment_off_broker, ldap_configured
):
    settings.CONTAINMENT_WEBHOOK_URL = "https://hooks.corp.example/secret-path"
    case = under_investigation(setup, l1, t2)
    action = _approved_disable(case, t2, manager)
    user = request.getfixturevalue(role)
    api = APIClient()
    api.force_authenticate(user)
    data = api.get(f"/api/v1/actions/{action.pk}/").json()
    listing = api.get(f"/api/v1/cases/{case.pk}/actions/").content.decode()
    client.force_login(user)
    panel = client.get(reverse("containment:case_panel", args=[case.pk])).content.decode()
    for text in (str(data), listing, panel):
        assert ("secret-path" in text) == sees, text[:300]
