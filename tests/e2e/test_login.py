"""Signing in through the real login form in chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_l1_logs_in_through_the_form_and_sees_the_dashboard(page, l1, screenshot):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))

    page.get_by_label("Username").fill(l1.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Cases")).to_be_visible()
    expect(nav.get_by_role("link", name="Admin")).to_have_count(0)
    assert screenshot(page, "l1-dashboard").stat().st_size > 0


def test_a_wrong_password_keeps_the_analyst_out(page, l1):
    page.goto("/accounts/login/")

    page.get_by_label("Username").fill(l1.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_contain_text("didn't match")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_logging_out_ends_the_session(page, manager, login):
    login(page, manager)
    expect(page.get_by_role("link", name="Admin")).to_be_visible()

    page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
