"""HTML pages: dashboard, case list, case page (steps in place, transitions, timeline), profile."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from cases.models import ApiToken, Case, CaseEvent, CaseStep, Observable
from cases.models.tokens import hash_token
from cases.services import workflow as wf
from cases.services.comments import comment_add
from tests.cases.workflow_support import (
    accessibility_problems,
    answer_suspicious,
    escalated,
    investigating,
    question,
    step,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def case(seed_playbook, make_case):
    return make_case()


def detail(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


# --- dashboard ------------------------------------------------------------------------


def queue_order(html: str) -> list[str]:
    return re.findall(r'<section class="card queue" id="queue-(\w+)"', html)


def test_dashboard_shows_the_queues_with_counts(client, case, make_case, l1, t2):
    other = make_case(title="Second case", severity=4)
    escalated(other, l1)
    client.force_login(l1)
    html = client.get(reverse("cases:dashboard")).content.decode()
    assert queue_order(html) == ["triage", "mine", "escalated", "containment"]
    assert 'aria-label="1 cases"' in html  # triage: the new case; escalated: the other
    assert case.reference in html and other.reference in html
    assert 'hx-trigger="every 5s"' in html
    client.force_login(t2)
    html = client.get(reverse("cases:dashboard")).content.decode()
    assert queue_order(html) == ["escalated", "mine", "containment", "triage"]


def test_the_queues_partial_is_just_the_queues(client, case, l1):
    client.force_login(l1)
    response = client.get(reverse("cases:dashboard_queues"), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="queues"')
    assert "<html" not in html
    assert case.reference in html
    wf.case_claim(case=case, by=l1)
    html = client.get(reverse("cases:dashboard_queues"), **HTMX).content.decode()
    mine = html[html.index('id="queue-mine"') : html.index('id="queue-escalated"')]
    assert case.reference in mine


def test_the_dashboard_shows_the_running_sla_stage(client, case, l1, t2):
    """A case past its acknowledge target shows that stage breached; once escalated, the
    T2 pickup stage runs instead (never the L1 claim shown as "met")."""
    Case.objects.filter(pk=case.pk).update(opened_at=datetime.now(UTC) - timedelta(days=2))
    client.force_login(l1)
    page = client.get(reverse("cases:dashboard")).content.decode()
    assert "Acknowledge" in page and "breached" in page
    now = datetime.now(UTC)
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.ESCALATED,
        tier=Case.Tier.T2,
        acknowledged_at=now - timedelta(days=2),
        escalated_at=now,
        assignee=None,
    )
    client.force_login(t2)
    page = client.get(reverse("cases:dashboard")).content.decode()
    assert "T2 pickup after escalation" in page and "due in" in page and ">met<" not in page


def test_dashboard_queries_do_not_grow_with_cases(
    client, seed_playbook, make_case, l1, django_assert_max_num_queries
):
    client.force_login(l1)
    make_case()
    client.get(reverse("cases:dashboard"))  # warm the session and permission caches
    with django_assert_max_num_queries(12):
        client.get(reverse("cases:dashboard"))
    for _ in range(20):
        wf.case_claim(case=make_case(), by=l1)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("cases:dashboard")).status_code == 200


# --- case list ------------------------------------------------------------------------


@pytest.fixture
def listed(seed_playbook, make_case, l1, l1_other):
    a = make_case(title="Directory burst", severity=4)
    b = make_case(title="Partner login failures", severity=2, technique_ids=["T1110"])
    c = make_case(title="Lookalike sender", severity=3)
    wf.case_claim(case=a, by=l1)
    wf.case_claim(case=c, by=l1_other)
    return a, b, c


def refs(response) -> set[str]:
    return {case.reference for case in response.context["page"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=triage", {0, 2}),
        ("status=new", {1}),
        ("severity=4&severity=3", {0, 2}),
        ("technique=T1591", {0, 2}),
        ("technique=T1110", {1}),
        ("assignee=me", {0}),
        ("assignee=dave_l1", {2}),
        ("assignee=none", {1}),
        ("tier=l1", {0, 1, 2}),
        ("q=lookalike", {2}),
        ("q=2001:db8::1", {1}),
        ("observable=2001:db8::2", {2}),
        ("open=false", set()),
    ],
)
def test_case_list_filters(client, listed, l1, query, expected):
    client.force_login(l1)
    response = client.get(reverse("cases:list") + "?" + query)
    assert refs(response) == {listed[i].reference for i in expected}


def test_case_list_sorts_and_pages(client, listed, l1, seed_playbook, make_case):
    client.force_login(l1)
    response = client.get(reverse("cases:list") + "?o=-severity")
    assert response.context["page"][0].reference == listed[0].reference
    for _ in range(50):
        make_case()
    response = client.get(reverse("cases:list"))
    assert response.context["page"].paginator.num_pages == 2
    assert "Next page" in response.content.decode()
    assert len(client.get(reverse("cases:list") + "?page=2").context["page"]) == 3


def test_case_list_htmx_returns_the_results_only(client, listed, l1):
    client.force_login(l1)
    html = client.get(reverse("cases:list") + "?q=lookalike", **HTMX).content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert listed[2].reference in html


def test_case_list_runs_a_constant_number_of_queries(
    client, seed_playbook, make_case, l1, django_assert_max_num_queries
):
    client.force_login(l1)
    make_case()
    client.get(reverse("cases:list"))
    with django_assert_max_num_queries(11) as small:
        client.get(reverse("cases:list") + "?q=burst&o=-severity")
    for _ in range(40):
        wf.case_claim(case=make_case(), by=l1)
    with django_assert_max_num_queries(11) as large:
        client.get(reverse("cases:list") + "?q=burst&o=-severity")
    assert len(large.captured_queries) == len(small.captured_queries)


# --- case page ------------------------------------------------------------------------


def test_case_page_shows_header_alerts_observables_and_playbook(client, case, make_case, l1):
    # The same IP in a case of another technique (so it does not correlate into this one).
    make_case(observables=[("ip", "203.0.113.77", "source")], technique_ids=["T1110"])
    client.force_login(l1)
    html = client.get(detail(case)).content.decode()
    assert case.reference in html
    assert "T1591.002" in html and "(version 1)" in html
    alert = case.alerts.get()
    assert reverse("cases:alert", args=[case.pk, alert.pk]) in html
    assert "Raw payload" in client.get(reverse("cases:alert", args=[case.pk, alert.pk])).content.decode()
    assert "seen in 1 other case" in html
    assert "?observable=203.0.113.77" in html
    # The questions first, then the other sections in work order.
    positions = [
        html.index(f'id="section-{key}"')
        for key in ("question", "log_source", "key_indicator", "l1_step", "escalation_criterion")
    ]
    assert positions == sorted(positions)
    assert "Vigil recommends: Escalate" in html


def test_case_page_shows_suggestions_and_enrichment(client, case, l1):
    q = question(case, "related_activity")
    CaseStep.objects.filter(pk=q.pk).update(
        suggestion={"answer": "yes", "reason": "Seen in 3 cases", "evidence": [{"summary": "CASE-9 same IP"}]}
    )
    Observable.objects.filter(value="203.0.113.77").update(
        enrichment={"ip_reputation": {"verdict": "malicious", "summary": "On the blocklist feed"}}
    )
    client.force_login(l1)
    html = client.get(detail(case)).content.decode()
    assert "Assistant suggests: <strong>Yes</strong> — Seen in 3 cases" in html
    assert "CASE-9 same IP" in html
    assert "ip reputation: malicious" in html
    assert "On the blocklist feed" in html


def test_a_step_saves_in_place_with_htmx(client, case, l1):
    wf.case_claim(case=case, by=l1)
    q = question(case, "ip_reputation")
    client.force_login(l1)
    url = reverse("cases:step", args=[case.pk, q.pk])
    response = client.post(url, {"value": "no", "note": "Unknown VPS range"}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "case-changed"
    html = response.content.decode()
    assert html.lstrip().startswith(f'<form id="step-{q.pk}"')
    assert "by alice_l1" in html
    q.refresh_from_db()
    assert (q.value, q.note) == ("no", "Unknown VPS range")


def test_a_step_saves_without_javascript(client, case, l1):
    wf.case_claim(case=case, by=l1)
    criterion = step(case, "escalation_criterion")
    client.force_login(l1)
    url = reverse("cases:step", args=[case.pk, criterion.pk])
    # The hidden "unchecked" comes first; a ticked box sends "checked" after it.
    response = client.post(url, {"value": ["unchecked", "checked"], "note": ""})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#step-{criterion.pk}")
    criterion.refresh_from_db()
    assert criterion.value == "checked"
    client.post(url, {"value": ["unchecked"], "note": ""})
    criterion.refresh_from_db()
    assert criterion.value == "unchecked"


def test_a_refused_step_update_says_why(client, case, l1, l1_other):
    q = question(case, "ip_reputation")
    client.force_login(l1)
    url = reverse("cases:step", args=[case.pk, q.pk])
    html = client.post(url, {"value": "yes"}, **HTMX).content.decode()
    assert 'role="alert"' in html and "claim it first" in html
    wf.case_claim(case=case, by=l1)
    html = client.post(url, {"value": "bogus"}, **HTMX).content.decode()
    assert 'role="alert"' in html
    client.force_login(l1_other)
    assert client.post(url, {"value": "yes"}, **HTMX).status_code == 403
    q.refresh_from_db()
    assert q.value == ""


def test_recommendation_and_timeline_fragments(client, case, l1):
    wf.case_claim(case=case, by=l1)
    client.force_login(l1)
    html = client.get(reverse("cases:recommendation", args=[case.pk]), **HTMX).content.decode()
    assert html.lstrip().startswith('<div id="recommendation"')
    html = client.get(reverse("cases:timeline", args=[case.pk]), **HTMX).content.decode()
    assert html.lstrip().startswith('<section class="card" id="timeline"')
    assert "alice_l1" in html and "Claimed" in html


def test_transitions_through_the_page(client, case, l1, t2):
    client.force_login(l1)
    url = lambda action: reverse("cases:transition", args=[case.pk, action])  # noqa: E731
    response = client.post(url("claim"), {"claim-version": case.version}, follow=True)
    assert "claimed." in response.content.decode()
    case.refresh_from_db()
    assert case.status == "triage"
    # Escalating too early explains what is missing, and changes nothing.
    response = client.post(url("escalate"), {"escalate-note": ""}, follow=True)
    html = response.content.decode()
    assert "Not answered" in html and "hand-off note" in html.lower()
    answer_suspicious(case, l1)
    case.refresh_from_db()
    response = client.post(
        url("escalate"), {"escalate-version": case.version, "escalate-note": "Probing from a VPS."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "escalated"
    # T2 sees the L1 summary at the top.
    client.force_login(t2)
    html = client.get(detail(case)).content.decode()
    assert "L1 summary" in html and "Probing from a VPS." in html
    client.post(url("claim"), {"claim-version": case.version})
    case.refresh_from_db()
    client.post(url("resolve"), {"resolve-summary": "Blocked.", "resolve-resolution": "true_positive"})
    client.post(url("close"), {"close-note": "Done."})
    case.refresh_from_db()
    assert case.status == "closed"


def test_a_stale_page_cannot_overwrite_a_newer_state(client, case, l1, l1_other):
    client.force_login(l1_other)
    stale_version = case.version
    wf.case_claim(case=case, by=l1)
    response = client.post(
        reverse("cases:transition", args=[case.pk, "claim"]), {"claim-version": stale_version}, follow=True
    )
    assert "already claimed by alice_l1" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee == l1


def test_unknown_transition_is_404(client, case, l1):
    client.force_login(l1)
    assert client.post(reverse("cases:transition", args=[case.pk, "explode"])).status_code == 404


def test_comments_render_sanitized_markdown(client, case, l1):
    client.force_login(l1)
    url = reverse("cases:comment_add", args=[case.pk])
    body = "**Checked** <script>alert(1)</script> [x](javascript:alert(1))"
    response = client.post(url, {"body": body}, **HTMX)
    html = response.content.decode()
    assert "<strong>Checked</strong>" in html
    assert "<script>alert(1)" not in html
    assert "javascript:" not in html.split('id="comment-')[1]
    assert client.post(url, {"body": "plain"}).status_code == 302
    assert case.comments.count() == 2


def test_the_timeline_lists_every_event_in_order(client, case, l1, t2):
    case = investigating(case, l1, t2)
    comment_add(case=case, body="Looking at it.", by=t2)
    client.force_login(t2)
    html = client.get(detail(case)).content.decode()
    timeline = html[html.index('id="timeline"') :]
    texts = ["Case opened", "Alert joined", "Claimed", "→ No", "Escalated to T2", "Commented: Looking at it."]
    positions = [timeline.index(text) for text in texts]
    assert positions == sorted(positions)
    assert timeline.count('<li class="event') == case.events.count()


def test_containment_panel_is_embedded_for_every_analyst(client, case, l1, t2):
    """T2 acts on containment; L1 still sees its status read-only on the case page."""
    case = investigating(case, l1, t2)
    panel = reverse("containment:case_panel", args=[case.pk])
    for user in (t2, l1):
        client.force_login(user)
        html = client.get(detail(case)).content.decode()
        assert 'id="containment-panel"' in html
        assert f'hx-get="{panel}"' in html


def test_case_page_query_count_is_fixed_with_200_alerts(
    client, seed_playbook, ingest_alert_factory, l1, django_assert_max_num_queries
):
    first = ingest_alert_factory().case
    wf.case_claim(case=first, by=l1)
    client.force_login(l1)
    client.get(detail(first))
    with django_assert_max_num_queries(15) as one:
        client.get(detail(first))
    for n in range(199):
        result = ingest_alert_factory(
            observables=[("ip", "203.0.113.77", "source"), ("ip", f"198.51.100.{n % 250 + 1}", "destination")]
        )
        assert result.case.pk == first.pk
    comment_add(case=first, body="hello", by=l1)
    assert first.alerts.count() == 200
    with django_assert_max_num_queries(15) as many:
        response = client.get(detail(first))
    # One page of alerts, newest first; the raw payloads are on each alert's own page.
    html = response.content.decode()
    assert html.count('<li id="alert-') == 25
    assert "Page 1 of 8" in html
    newest = first.alerts.order_by("-observed_at", "-pk").first()
    assert html.index(f'id="alert-{newest.pk}"') < html.index(
        '<li id="alert-', html.index(f'id="alert-{newest.pk}"') + 1
    )
    assert len(many.captured_queries) == len(one.captured_queries)


# --- profile --------------------------------------------------------------------------


def test_profile_creates_a_token_shown_once_and_revokes_it(client, l1, l1_other):
    client.force_login(l1)
    response = client.post(reverse("cases:token_create"), {"name": "SOAR"})
    assert response.status_code == 201
    token = ApiToken.objects.get(user=l1)
    plain = re.search(r'id="new-token" value="(vgu_[^"]+)"', response.content.decode()).group(1)
    assert token.token_hash == hash_token(plain)
    assert response["Cache-Control"] == "no-store"
    html = client.get(reverse("cases:profile")).content.decode()
    assert "SOAR" in html and plain not in html
    # Someone else's token is not even found.
    client.force_login(l1_other)
    assert client.post(reverse("cases:token_revoke", args=[token.pk])).status_code == 404
    client.force_login(l1)
    assert client.post(reverse("cases:token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.post(reverse("cases:token_create"), {"name": ""}).status_code == 400


# --- accessibility --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["l1", "t2", "manager"])
def test_every_control_is_labelled_and_every_button_named(client, case, l1, t2, manager, request, persona):
    user = request.getfixturevalue(persona)
    other = Case.objects.create(
        reference="CASE-2026-999999", title="spare", opened_at=case.opened_at, status="new"
    )
    if persona == "l1":
        wf.case_claim(case=case, by=l1)
    elif persona == "t2":
        investigating(case, l1, t2)
    else:
        wf.case_assign(case=other, to=l1, by=manager)
    client.force_login(user)
    pages = [
        reverse("cases:dashboard"),
        reverse("cases:list"),
        detail(case),
        detail(other),
        reverse("cases:profile"),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert accessibility_problems(html) == [], url
    assert CaseEvent.objects.exists()


def test_events_of_other_apps_show_their_summary(client, case, l1):
    from cases.services import events

    failure = events.containment_action(
        case,
        action_id=1,
        kind="block_ip",
        kind_label="Block IP",
        target="203.0.113.77",
        status="failed",
        event="failed",
        error="firewall timeout",
    )
    events.record(failure)
    client.force_login(l1)
    html = client.get(reverse("cases:timeline", args=[case.pk])).content.decode()
    assert "Containment: Block IP 203.0.113.77: failed — error: firewall timeout" in html
