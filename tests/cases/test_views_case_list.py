"""The case list: working status/severity filters, bulk actions on selected rows, saved
filters per user, the header's search box."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case, SavedFilter
from cases.services import workflow as wf
from sla.services import policies as sla_policies
from tests.cases.workflow_support import answer_benign

pytestmark = pytest.mark.django_db


def bulk(client, cases, action, **fields):
    data = {"bulk-action": action, "bulk-cases": [c.pk for c in cases]}
    data.update({f"bulk-{k}": v for k, v in fields.items()})
    return client.post(reverse("cases:bulk"), data)


def test_status_and_severity_filters_render_checkboxes_that_work(client, seed_playbook, make_case, l1):
    low = make_case(title="Low one", severity=1)
    high = make_case(title="High one", severity=4)
    wf.case_claim(case=high, by=l1)
    client.force_login(l1)
    html = client.get(reverse("cases:list")).content.decode()
    assert 'type="checkbox" name="status" value="triage"' in html
    assert 'type="checkbox" name="severity" value="4"' in html
    html = client.get(reverse("cases:list"), {"status": ["triage"], "severity": ["4"]}).content.decode()
    assert high.reference in html and low.reference not in html
    assert "Sla due" not in html and "SLA due" in html


def test_bulk_claim_claims_every_selected_case(client, seed_playbook, make_case, l1, l1_other):
    a, b, c = make_case(), make_case(), make_case()
    wf.case_claim(case=c, by=l1_other)
    client.force_login(l1)
    response = bulk(client, [a, b, c], "claim")
    assert response.status_code == 302
    assert set(Case.objects.filter(assignee=l1).values_list("pk", flat=True)) == {a.pk, b.pk}
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(c.reference in m and "already claimed" in m for m in messages)


def test_bulk_close_needs_resolution_and_reason(client, seed_playbook, make_case, l1):
    a, b = make_case(), make_case()
    client.force_login(l1)
    response = bulk(client, [a, b], "close", resolution="false_positive")
    assert response.status_code == 400
    assert "This field is required for this action." in response.content.decode()
    assert not Case.objects.filter(status=Case.Status.CLOSED).exists()
    for case in (a, b):
        wf.case_claim(case=case, by=l1)
        answer_benign(case, l1)
    response = bulk(client, [a, b], "close", resolution="false_positive", reason="Scanner of our partner.")
    assert response.status_code == 302
    assert Case.objects.filter(status=Case.Status.CLOSED).count() == 2


def test_bulk_assign_and_merge(client, seed_playbook, make_case, manager, l1):
    a, b = make_case(), make_case()
    client.force_login(manager)
    bulk(client, [a, b], "assign", assignee=l1.username)
    assert Case.objects.filter(assignee=l1).count() == 2
    response = bulk(client, [a, b], "merge", target=a.reference)
    assert response.status_code == 302
    b.refresh_from_db()
    assert (b.status, b.resolution, b.duplicate_of_id) == ("closed", "duplicate", a.pk)
    assert Case.objects.get(pk=a.pk).alerts.count() == 2


def test_bulk_actions_cannot_reach_cases_the_user_may_not_see(client, seed_playbook, make_case, outsider):
    case = make_case()
    client.force_login(outsider)
    assert bulk(client, [case], "claim").status_code == 403


def test_saved_filters_belong_to_their_user(client, seed_playbook, make_case, l1, l1_other):
    client.force_login(l1)
    response = client.post(
        reverse("cases:saved_filter_create"), {"name": "My triage", "query": "status=triage&page=3"}
    )
    assert response.status_code == 302
    saved = SavedFilter.objects.get(user=l1)
    assert saved.query == "status=triage"
    assert "My triage" in client.get(reverse("cases:list")).content.decode()
    # The same name twice: the form says so, the page keeps the name.
    response = client.post(reverse("cases:saved_filter_create"), {"name": "My triage", "query": ""})
    assert response.status_code == 400
    assert "already have a saved filter" in response.content.decode()
    client.force_login(l1_other)
    assert "My triage" not in client.get(reverse("cases:list")).content.decode()
    assert client.post(reverse("cases:saved_filter_delete", args=[saved.pk])).status_code == 404


def test_header_search_finds_by_reference_title_observable_and_source_ref(
    client, seed_playbook, make_case, l1, outsider
):
    case = make_case(title="Partner directory scraped", source_ref="SIEM-4711")
    other = make_case(title="Something else")
    client.force_login(l1)
    url = reverse("cases:search")
    response = client.get(url, {"q": case.reference.lower()})
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    for text in ("directory scraped", "203.0.113.77", "SIEM-4711"):
        html = client.get(url, {"q": text}).content.decode()
        assert case.reference in html and other.reference not in html, text
    assert 'id="header-search"' in client.get(reverse("cases:dashboard")).content.decode()
    client.force_login(outsider)
    assert client.get(url, {"q": "SIEM-4711"}).status_code == 403


def test_the_list_query_count_does_not_grow_with_saved_filters(
    client, seed_playbook, make_case, l1, django_assert_max_num_queries
):
    make_case()
    client.force_login(l1)
    for n in range(5):
        SavedFilter.objects.create(user=l1, name=f"f{n}", query=f"severity={n}")
    sla_policies()  # created from the settings on first use, then cached
    with django_assert_max_num_queries(11):
        client.get(reverse("cases:list"))
