"""Alert content is attacker-controlled: it is escaped on every page that shows it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseObservable, Observable
from cases.services import workflow as wf
from cases.services.comments import comment_add

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("xss")</script>'
IMG = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(document.cookie)"
ANCHOR = f'<a href="{JS_URL}">click</a>'


@pytest.fixture
def hostile(seed_playbook, make_case, l1):
    case = make_case(
        title=f"Burst {SCRIPT} {IMG}",
        description=f"Details {IMG} {ANCHOR} {SCRIPT}",
        raw={"message": SCRIPT, "link": JS_URL, "html": IMG, "nested": {"a": ANCHOR}},
        tags=[SCRIPT],
    )
    # An observable value and an enrichment summary carrying markup too.
    observable = Observable.objects.create(
        type="user", value=f"{IMG}{SCRIPT}", enrichment={"ip_reputation": {"verdict": IMG, "summary": SCRIPT}}
    )
    now = timezone.now()
    CaseObservable.objects.create(case=case, observable=observable, first_seen_at=now, last_seen_at=now)
    wf.case_claim(case=case, by=l1)
    comment_add(case=case, body=f"{SCRIPT} {IMG} [x]({JS_URL})", by=l1)
    return case


def assert_escaped(html: str, *, expect_text: bool = True) -> None:
    assert "<script>alert" not in html
    assert "<img src=x onerror" not in html
    assert "onerror=alert(1)>" not in html.replace("onerror=alert(1)&gt;", "")
    assert 'href="javascript:' not in html.lower()
    if expect_text:
        # Shown as text, not dropped.
        assert "&lt;script&gt;alert(" in html


@pytest.mark.parametrize(
    "page", ["dashboard", "dashboard_queues", "list", "detail", "timeline", "recommendation", "step"]
)
def test_pages_escape_alert_content(client, hostile, l1, page):
    client.force_login(l1)
    if page in ("detail", "timeline", "recommendation"):
        url = reverse(f"cases:{page}", args=[hostile.pk])
    elif page == "step":
        url = reverse("cases:step", args=[hostile.pk, hostile.steps.first().pk])
    else:
        url = reverse(f"cases:{page}")
    html = client.get(url).content.decode()
    assert_escaped(html, expect_text=page not in ("recommendation", "step", "timeline"))


def test_the_alert_page_shows_the_raw_payload_as_escaped_json(client, hostile, l1):
    client.force_login(l1)
    alert = hostile.alerts.get()
    html = client.get(reverse("cases:alert", args=[hostile.pk, alert.pk])).content.decode()
    assert "<script>alert(" not in html
    assert "&quot;message&quot;: &quot;&lt;script&gt;alert(\\&quot;xss\\&quot;)&lt;/script&gt;&quot;" in html
    assert "&quot;link&quot;: &quot;javascript:alert(document.cookie)&quot;" in html
    assert "Details &lt;img src=x onerror=alert(1)&gt; &lt;a href=&quot;javascript:" in html
    # The observable and its enrichment on the case page, escaped.
    html = client.get(reverse("cases:detail", args=[hostile.pk])).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;" in html
    assert "<script>alert(" not in html
    assert "Burst &lt;script&gt;" in html


def test_the_list_search_input_escapes_the_query(client, hostile, l1):
    client.force_login(l1)
    html = client.get(reverse("cases:list"), {"q": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)</script>" not in html


@pytest.mark.parametrize("model", ["case", "alert", "observable", "caseevent"])
def test_admin_pages_escape_alert_content(client, hostile, admin_user, model):
    client.force_login(admin_user)
    obj = {
        "case": hostile,
        "alert": hostile.alerts.get(),
        "observable": hostile.observables.get(value__startswith="<img"),
        "caseevent": hostile.events.get(verb="alert_joined"),
    }[model]
    for url in (
        reverse(f"admin:cases_{model}_changelist"),
        reverse(f"admin:cases_{model}_change", args=[obj.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x onerror" not in html, url
        assert 'href="javascript:' not in html.lower(), url
