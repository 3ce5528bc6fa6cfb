"""manage.py seed_demo: the four demo users with their roles, development only."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from soc.roles import Role, is_l1, is_manager, is_t2

EXPECTED = {
    # username: (group, is_staff, is_superuser)
    "l1": (Role.L1.value, False, False),
    "t2": (Role.T2.value, False, False),
    "manager": (Role.MANAGER.value, True, False),
    "admin": (None, True, True),
}


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


@pytest.fixture(autouse=True)
def no_password_variables(monkeypatch):
    for name in ("", "_L1", "_T2", "_MANAGER", "_ADMIN"):
        monkeypatch.delenv(f"VIGIL_DEMO_PASSWORD{name}", raising=False)


@pytest.mark.django_db
def test_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG off"):
        seed()

    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_creates_the_four_users_with_their_roles_and_prints_working_passwords(debug_on):
    output = seed()

    users = {u.username: u for u in get_user_model().objects.all()}
    assert set(users) == set(EXPECTED)
    for username, (group, is_staff, is_superuser) in EXPECTED.items():
        user = users[username]
        assert list(user.groups.values_list("name", flat=True)) == ([group] if group else [])
        assert (user.is_staff, user.is_superuser) == (is_staff, is_superuser)
        password = re.search(rf"^{username}\s+password: (\S+)", output, re.MULTILINE)[1]
        assert authenticate(username=username, password=password) == user

    assert is_l1(users["l1"]) and not is_t2(users["l1"])
    assert is_t2(users["t2"]) and not is_manager(users["t2"])
    assert is_manager(users["manager"])


@pytest.mark.django_db
def test_random_passwords_differ_per_user(debug_on):
    output = seed()

    passwords = re.findall(r"password: (\S+)", output)
    assert len(passwords) == 4
    assert len(set(passwords)) == 4
    assert all(len(p) >= 12 for p in passwords)


@pytest.mark.django_db
def test_passwords_come_from_the_environment(debug_on, monkeypatch):
    monkeypatch.setenv("VIGIL_DEMO_PASSWORD", "shared-demo-pass-1")
    monkeypatch.setenv("VIGIL_DEMO_PASSWORD_ADMIN", "admin-only-pass-2")

    seed()

    assert authenticate(username="l1", password="shared-demo-pass-1") is not None
    assert authenticate(username="manager", password="shared-demo-pass-1") is not None
    assert authenticate(username="admin", password="admin-only-pass-2") is not None


@pytest.mark.django_db
def test_keep_existing_leaves_passwords_alone_and_a_plain_rerun_resets_them(debug_on, monkeypatch):
    monkeypatch.setenv("VIGIL_DEMO_PASSWORD", "first-pass-1")
    seed()
    monkeypatch.setenv("VIGIL_DEMO_PASSWORD", "second-pass-2")

    output = seed("--keep-existing")

    assert "password unchanged" in output
    assert authenticate(username="t2", password="first-pass-1") is not None
    assert get_user_model().objects.count() == 4

    seed()
    assert authenticate(username="t2", password="second-pass-2") is not None


@pytest.mark.django_db
@pytest.mark.second_factor
def test_users_who_need_a_second_factor_get_a_printed_key_and_recovery_codes(debug_on, client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.accounts.support import totp_code

    output = seed()

    assert re.search(r"^\s+second factor: key [A-Z2-7]+\s+otpauth://totp/", output, re.MULTILINE)
    assert set(TOTPDevice.objects.values_list("user__username", flat=True)) == {"manager", "admin"}
    password = re.search(r"^manager\s+password: (\S+)", output, re.MULTILINE)[1]
    codes = re.findall(r"recovery codes: (.+)$", output, re.MULTILINE)
    assert len(codes) == 2 and len(codes[0].split()) == 10
    client.post("/accounts/login/", {"username": "manager", "password": password})
    device = TOTPDevice.objects.get(user__username="manager")
    assert client.post("/accounts/second-factor/", {"code": totp_code(device)}).status_code == 302
    assert client.get("/").status_code == 200
