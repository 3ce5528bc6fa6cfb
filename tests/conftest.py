"""Shared fixtures: personas, the seed playbook, and the service gate.

Personas (STYLE 7): l1, t2, manager (SOC Manager, staff), outsider (a logged-in user
with no role), admin_user (superuser). Each area adds its own fixtures in its folder.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from soc.roles import Role

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"
SEED_PLAYBOOK = SHARED_DIR / "seeds" / "T1591.002-business-relationships.md"
SAMPLES_DIR = SHARED_DIR / "samples"
PASSWORD = "correct-horse-battery-staple"


def require_service(available: bool, reason: str) -> None:
    """Skip a test whose real service is missing, or fail it when CI demands services."""
    if available:
        return
    if settings.VIGIL_REQUIRE_SERVICES:
        pytest.fail(f"required service missing (VIGIL_REQUIRE_SERVICES=1): {reason}", pytrace=False)
    pytest.skip(reason)


def make_user(django_user_model, username: str, role: Role | None = None, **extra):
    user = django_user_model.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.com", **extra
    )
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    return user


@pytest.fixture
def l1(django_user_model):
    return make_user(django_user_model, "alice_l1", Role.L1)


@pytest.fixture
def l1_other(django_user_model):
    return make_user(django_user_model, "dave_l1", Role.L1)


@pytest.fixture
def t2(django_user_model):
    return make_user(django_user_model, "bob_t2", Role.T2)


@pytest.fixture
def t2_other(django_user_model):
    return make_user(django_user_model, "erin_t2", Role.T2)


@pytest.fixture
def manager(django_user_model):
    return make_user(django_user_model, "carol_manager", Role.MANAGER, is_staff=True)


@pytest.fixture
def outsider(django_user_model):
    return make_user(django_user_model, "mallory", None)


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(
        username="root_admin", password=PASSWORD, email="root@example.com"
    )


@pytest.fixture(autouse=True)
def _fresh_reference_index():
    """intel.lookup keeps a per-process in-memory IP index; every test starts it cold so
    reference data from an earlier (rolled back) test never leaks in."""
    from intel.lookup import invalidate

    invalidate()
    yield
    invalidate()


@pytest.fixture
def seed_text() -> str:
    return SEED_PLAYBOOK.read_text(encoding="utf-8")


@pytest.fixture
def seed_playbook(db, seed_text):
    """The reference playbook T1591.002, imported and published as version 1."""
    from playbooks.services import import_playbook_text

    result = import_playbook_text(seed_text, filename=SEED_PLAYBOOK.name, publish=True, by=None)
    return result.version
