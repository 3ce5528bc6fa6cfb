"""Single sign-on and the second factor in chromium: a person at the login page."""

import re
import time

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.accounts.oidc_support import oidc_provider, sso  # noqa: F401 - fixtures
from tests.accounts.support import totp_code
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _pick_provider_user(page, subject: str):
    # The provider's own page: one button per known user.
    page.get_by_role("button", name=subject).click()


def test_an_analyst_signs_in_through_the_identity_provider(page, sso):  # noqa: F811
    page.goto("/cases/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/cases/$"))

    page.get_by_role("link", name="Sign in with single sign-on").click()
    expect(page).to_have_url(re.compile(re.escape(sso) + r"/oauth2/authorize"))
    _pick_provider_user(page, "sub-t2-alice")

    expect(page).to_have_url(re.compile(r"/cases/$"))
    expect(page.get_by_role("link", name="alice.sso")).to_be_visible()


def test_a_user_without_a_vigil_group_sees_why_they_are_refused(page, sso):  # noqa: F811
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with single sign-on").click()
    _pick_provider_user(page, "sub-marketing")

    expect(page.get_by_role("heading", name="Single sign-on refused")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("none of its groups gives a Vigil role")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


@pytest.mark.second_factor
def test_a_manager_sets_up_the_authenticator_then_signs_in_with_a_code(page, manager):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Set up a second factor")).to_be_visible()
    assert page.get_by_label("Key", exact=True).input_value()
    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Second factor")).to_be_visible()
    device.refresh_from_db()
    page.get_by_label("Code").fill(totp_code(device, at=time.time() + 30))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
