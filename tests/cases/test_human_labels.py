"""What an analyst reads is words, not keys: no snake_case value ("disable_account",
"wide_prefix"), no humanised field name ("Sla due"), no empty-choice dashes ("---------")
in the visible text of the pages they work on. Attribute values, scripts and usernames
(which may contain underscores) are not visible text and are left out."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from containment.services.actions import action_request
from soc.text import shorten
from tests.containment.conftest import walk_to_investigating

pytestmark = pytest.mark.django_db

SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
RAW_LABELS = re.compile(r"-{5,}|\bSla\b")


class VisibleText(HTMLParser):
    """The text a browser shows: data outside <script>, <style> and <template>."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def raw_keys(html: str, usernames: set[str]) -> set[str]:
    text = visible_text(html)
    found = {word for word in SNAKE_CASE.findall(text) if word not in usernames}
    return found | set(RAW_LABELS.findall(text))


@pytest.fixture
def worked_case(seed_playbook, make_case, l1, t2, settings):
    settings.CONTAINMENT_QUEUE = ""
    settings.CONTAINMENT_LDAP = {**settings.CONTAINMENT_LDAP, "URL": "ldap://127.0.0.1:9", "BASE_DN": "dc=x"}
    case = walk_to_investigating(make_case(), l1=l1, t2=t2)
    action_request(case=case, kind="disable_account", target="m.keller", reason="used by the scraper", by=t2)
    action_request(case=case, kind="block_ip", target="203.0.113.77", reason="scraping", by=t2)
    return case


def test_the_pages_analysts_and_managers_work_on_show_words_not_keys(
    client, worked_case, l1, t2, manager, django_user_model
):
    usernames = set(django_user_model.objects.values_list("username", flat=True))
    pages = {
        t2: [
            reverse("cases:detail", args=[worked_case.pk]),
            reverse("cases:timeline", args=[worked_case.pk]),
            reverse("containment:case_panel", args=[worked_case.pk]),
            reverse("cases:list"),
            reverse("cases:dashboard"),
        ],
        manager: [
            reverse("containment:approvals"),
            reverse("cases:list"),
            reverse("cases:detail", args=[worked_case.pk]),
            reverse("insights:metrics"),
        ],
        l1: [reverse("cases:list"), reverse("cases:dashboard")],
    }
    found = {}
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            keys = raw_keys(response.content.decode(), usernames)
            if keys:
                found[f"{user.username} {url}"] = sorted(keys)
    assert not found, found


def test_the_checker_finds_a_raw_key():
    assert raw_keys("<p>disable_account / wide_prefix</p><script>var a_b = 1</script>", set()) == {
        "disable_account",
        "wide_prefix",
    }
    assert raw_keys("<label>Sla due <select><option>---------</option></select></label>", set()) == {
        "Sla",
        "---------",
    }
    assert raw_keys("<p>claimed by alice_l1</p>", {"alice_l1"}) == set()


def test_every_page_names_its_favicon_and_the_file_is_shipped(client, l1):
    client.force_login(l1)
    html = client.get(reverse("cases:dashboard")).content.decode()
    assert re.search(r'<link rel="icon" href="[^"]*img/favicon\.svg"', html)
    admin_login = client.get("/admin/login/").content.decode()
    assert "img/favicon.svg" in admin_login
    path = finders.find("img/favicon.svg")
    assert path and Path(path).read_text(encoding="utf-8").lstrip().startswith("<svg")


@pytest.mark.parametrize(
    ("value", "width", "expected"),
    [
        ("Initiate the partner notification process", 30, "Initiate the partner…"),
        ("short", 30, "short"),
        ("a\n  spaced   title", 30, "a spaced title"),
        ("x" * 40, 10, "x" * 9 + "…"),
    ],
)
def test_shorten_cuts_prose_at_a_word_never_mid_word(value, width, expected):
    assert shorten(value, width) == expected
    assert len(shorten(value, width)) <= width
