"""Analyst pages: the playbook list and the checklist page; 403 for users without a role."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from playbooks.services import import_playbook_text, playbook_version_new_draft
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LIST = reverse("playbooks:list")
DETAIL = reverse("playbooks:detail", args=["T1591.002"])


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def make_playbook(seed_text, technique_id: str):
    compact = technique_id.replace(".", "")
    text = seed_text.replace("T1591.002", technique_id).replace("T1591002", compact)
    return import_playbook_text(text, filename=f"{technique_id}.md", publish=True, by=None).version


@pytest.mark.parametrize("url", [LIST, DETAIL])
def test_pages_refuse_users_without_a_role_and_redirect_anonymous(seed_playbook, client, outsider, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert login(client, outsider).get(url).status_code == 403


@pytest.mark.parametrize("url", [LIST, DETAIL])
def test_every_analyst_role_can_read(seed_playbook, client, l1, t2, manager, url):
    for user in (l1, t2, manager):
        client.logout()
        assert login(client, user).get(url).status_code == 200


def test_list_shows_technique_name_tactic_version_and_case_count(seed_playbook, make_case, client, l1):
    make_case()
    make_case()
    response = login(client, l1).get(LIST)
    row = response.context["playbooks"][0]
    assert (row.technique_id, row.case_count, row.current_version().number) == ("T1591.002", 2, 1)
    html = response.content.decode()
    assert "Gather Victim Org Information: Business Relationships" in html
    assert "Reconnaissance" in html
    assert f'href="{DETAIL}"' in html
    assert "Edit in the playbook editor" not in html  # analysts do not edit


def test_list_filters_by_query_and_tactic(seed_playbook, seed_text, client, l1):
    make_playbook(seed_text, "T1003.001")  # tactic row still says Reconnaissance (warned)
    login(client, l1)
    assert [p.technique_id for p in client.get(LIST, {"q": "T1003"}).context["playbooks"]] == ["T1003.001"]
    assert len(client.get(LIST, {"tactic": "TA0043"}).context["playbooks"]) == 2
    assert client.get(LIST, {"tactic": "TA0040"}).context["playbooks"] == []


def test_list_queries_do_not_grow_with_playbooks_or_cases(seed_playbook, seed_text, make_case, client, l1):
    login(client, l1)
    client.get(LIST)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    for n in range(1, 6):
        make_playbook(seed_text, f"T1591.00{n}" if n != 2 else "T1592")
    make_case()
    make_case()
    with CaptureQueriesContext(connection) as six:
        response = client.get(LIST)
    assert len(response.context["playbooks"]) == 6
    assert len(six) == len(one), [q["sql"] for q in six.captured_queries]
    assert len(one) <= 6


def test_list_page_query_budget(seed_playbook, client, l1, django_assert_max_num_queries):
    login(client, l1)
    with django_assert_max_num_queries(8):
        client.get(LIST)


def test_detail_renders_each_section_as_a_checklist(seed_playbook, client, l1):
    response = login(client, l1).get(DETAIL)
    html = response.content.decode()
    assert [(s["key"], len(s["items"])) for s in response.context["sections"]] == [
        ("log_source", 4),
        ("key_indicator", 3),
        ("question", 4),
        ("l1_step", 3),
        ("escalation_criterion", 4),
        ("t2_action", 3),
        ("containment_step", 4),
    ]
    assert html.count('<ol class="checklist">') == 7
    assert "Does the activity come from legitimate or known IPs?" in html
    assert "there&#x27;s evidence of access-related anomalies" in html  # escaped, not marked safe
    assert "Disable account" in html and "Block IP" in html  # the items' containment kinds (ActionKey)
    assert "not in the catalogue" not in html


def test_detail_of_a_draft_and_unknown_versions(seed_playbook, client, l1, manager):
    playbook_version_new_draft(version=seed_playbook, by=manager)
    login(client, l1)
    draft = client.get(DETAIL, {"version": 2})
    assert draft.context["version"].number == 2
    assert "cases opened now use the published version" in draft.content.decode()
    assert client.get(DETAIL, {"version": 7}).status_code == 404
    assert client.get(DETAIL, {"version": "x"}).status_code == 404
    assert client.get(reverse("playbooks:detail", args=["T1592"])).status_code == 404
    assert client.get(reverse("playbooks:detail", args=["nope"])).status_code == 404
    assert client.get(reverse("playbooks:detail", args=["T1591002"])).status_code == 200


def test_an_organisation_technique_shows_a_visible_warning(seed_text, client, l1):
    make_playbook(seed_text, "T1999.001")
    html = login(client, l1).get(reverse("playbooks:detail", args=["T1999.001"])).content.decode()
    assert "T1999.001 is not in the ATT&amp;CK 18.1 catalogue" in html
