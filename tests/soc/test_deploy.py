"""Production settings: refuse to start without SECRET_KEY, and pass `check --deploy`."""

import os
import secrets
import subprocess
import sys

from tests.conftest import REPO_ROOT


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    # Set for this process by tests/e2e (Playwright); a deployment never has it.
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**overrides: str) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "vigil.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://vigil.example.com",
        **overrides,
    }


def test_check_deploy_reports_nothing_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_flags_debug_on():
    # The same command must be able to fail, or the test above proves nothing.
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env(DEBUG="1"))

    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = manage("check", **production_env(SECRET_KEY=""))

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
