"""Configuration stays honest: docker-compose.yml sets only variables the settings read,
and README.md's configuration table documents every variable the settings read."""

import re

import pytest
import yaml

from tests.conftest import REPO_ROOT

# The settings package: one module per concern (soc/settings/__init__.py gathers them).
SETTINGS_SOURCE = "\n".join(
    path.read_text(encoding="utf-8") for path in sorted((REPO_ROOT / "soc" / "settings").glob("*.py"))
)
# env("X"), env.str("X", ...), env.db("DATABASE_URL"), env.cache("CACHE_URL"), ...
SETTINGS_VARIABLES = set(re.findall(r"\benv(?:\.\w+)?\(\s*\"(\w+)\"", SETTINGS_SOURCE))
COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
VIGIL_SERVICES = {
    name: service
    for name, service in COMPOSE["services"].items()
    if "build" in service or str(service.get("image", "")).startswith("vigil")
}


def environment_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "NAME=value" form
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return env


def test_the_settings_scan_finds_the_core_variables():
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "ALLOWED_HOSTS"} <= SETTINGS_VARIABLES


def test_compose_runs_web_worker_beat_on_postgres_and_redis():
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(COMPOSE["services"])
    assert {"web", "worker", "beat"} <= set(VIGIL_SERVICES)
    assert "gunicorn" in VIGIL_SERVICES["web"]["command"]
    assert VIGIL_SERVICES["worker"]["command"][3] == "worker"
    assert VIGIL_SERVICES["beat"]["command"][3] == "beat"


@pytest.mark.parametrize("name", ["postgres", "redis", "web", "worker", "beat"])
def test_every_long_running_service_has_a_healthcheck(name):
    healthcheck = COMPOSE["services"][name]["healthcheck"]
    assert healthcheck["test"]


@pytest.mark.parametrize("name", sorted(VIGIL_SERVICES))
def test_vigil_services_set_only_variables_the_settings_read(name):
    env = environment_of(VIGIL_SERVICES[name])

    unknown = set(env) - SETTINGS_VARIABLES
    assert not unknown, f"{name} sets {sorted(unknown)}, which soc/settings/ never reads"
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "ALLOWED_HOSTS"} <= set(env)
    assert env["DEBUG"] == "0"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["CELERY_BROKER_URL"].startswith("redis://")


def test_readme_documents_every_variable_the_settings_read():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\|\s*`(\w+)`", readme, re.MULTILINE))

    missing = SETTINGS_VARIABLES - documented
    assert not missing, f"README.md's configuration table lacks {sorted(missing)}"


def test_procfile_starts_web_a_real_worker_and_beat():
    lines = (REPO_ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    processes = dict(line.split(":", 1) for line in lines if line.strip() and not line.startswith("#"))
    commands = {name.strip(): command.split() for name, command in processes.items()}

    assert set(commands) == {"web", "worker", "containment", "beat"}
    assert "127.0.0.1:${VIGIL_PORT:-8000}" in commands["web"]
    assert commands["worker"][:4] == ["celery", "-A", "soc", "worker"]
    assert commands["containment"][:4] == ["celery", "-A", "soc", "worker"]
    assert commands["beat"][:4] == ["celery", "-A", "soc", "beat"]
    # Each worker consumes its own queue: a block never waits behind bulk refreshes.
    assert commands["worker"][commands["worker"].index("-Q") + 1] == "celery"
    assert (
        commands["containment"][commands["containment"].index("-Q") + 1]
        == "${CONTAINMENT_QUEUE:-containment}"
    )


def test_compose_runs_a_containment_worker_and_restarts_every_process():
    worker = VIGIL_SERVICES["containment-worker"]["command"]
    assert worker[:4] == ["celery", "-A", "soc", "worker"]
    assert worker[worker.index("-Q") + 1] == "containment"
    default = VIGIL_SERVICES["worker"]["command"]
    assert default[default.index("-Q") + 1] == "celery"
    for name in ("web", "worker", "containment-worker", "beat"):
        assert VIGIL_SERVICES[name]["restart"] == "unless-stopped"


def test_the_shipped_gunicorn_command_uses_the_redacting_configuration():
    web = VIGIL_SERVICES["web"]["command"]
    assert web[web.index("-c") + 1] == "soc/gunicorn.conf.py"
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert '"-c", "soc/gunicorn.conf.py"' in dockerfile


def test_compose_imports_the_shipped_playbooks_and_mounts_nothing_beside_the_clone():
    """A clone with nothing beside it: the migrate one-shot publishes the seed playbooks the
    image contains, and no service mounts a host path (only named volumes)."""
    migrate = " ".join(COMPOSE["services"]["migrate"]["command"])
    assert "import_playbooks --publish playbooks/seeds" in migrate
    assert sorted((REPO_ROOT / "playbooks" / "seeds").glob("T1591.002-*.md"))
    dockerignore = (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert not any(pattern.startswith("playbooks") for pattern in dockerignore)
    for name, service in COMPOSE["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source", "")
            assert source in COMPOSE["volumes"], f"{name} mounts {volume!r}, not a named volume"
