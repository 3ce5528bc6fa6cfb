"""A clone that needs nothing beside it: `git clone` into a folder with no ../shared, then
the README's `bin/vigil run --port N` serves the login page, loads the shipped T1591.002
seed playbook, and starts its processes; nothing is read from outside the clone.

The clone reuses the virtualenv that runs the tests (its install stamp must match the
clone's pyproject.toml, as it does right after `bin/vigil test`), so the test measures
Vigil's own start-up, not PyPI. README's timings of a real first run (with installation)
were measured by hand; see "Two commands".
"""

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, require_service
from tests.soc.stack import free_port, http_ok, wait_for

pytestmark = pytest.mark.services

# Variables of the developer's or CI's environment: the clone must run on its defaults.
_DROP = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "VIGIL_SEED_DIR", "VIGIL_REQUIRE_SERVICES")


@pytest.fixture
def clone(tmp_path):
    """A git clone of this checkout's HEAD in a folder with nothing beside it."""
    folder = tmp_path / "vigil"
    git = shutil.which("git")
    require_service(git is not None, "git is not installed")
    subprocess.run([git, "clone", "--quiet", str(REPO_ROOT), str(folder)], check=True)
    assert not (folder.parent / "shared").exists()
    venv = Path(sys.prefix)
    stamp = venv / ".vigil-installed"
    want = hashlib.sha256((folder / "pyproject.toml").read_bytes()).hexdigest()
    require_service(
        stamp.exists() and stamp.read_text().strip() == want,
        f"the virtualenv {venv} was installed for another pyproject.toml (run bin/vigil test first)",
    )
    (folder / ".venv").symlink_to(venv, target_is_directory=True)
    return folder


def test_a_fresh_clone_without_shared_runs_bin_vigil_run_on_its_own_port(clone, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in _DROP}
    env["VIGIL_DEMO_PASSWORD"] = "fresh-clone-demo-password"
    log_path = tmp_path / "run.log"
    started = time.monotonic()
    with open(log_path, "w") as log:
        run = subprocess.Popen(
            [str(clone / "bin" / "vigil"), "run", "--port", str(port)],
            cwd=clone,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(
                lambda: run.poll() is None and http_ok(f"http://127.0.0.1:{port}/accounts/login/"),
                timeout=240,
                what=f"bin/vigil run to serve the login page:\n{log_path.read_text()[-3000:]}",
            )
            elapsed = time.monotonic() - started
            output = log_path.read_text()
            wait_for(
                lambda: "containment@" in log_path.read_text(), timeout=60, what="the containment worker"
            )
        finally:
            os.killpg(run.pid, signal.SIGTERM)
            try:
                run.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(run.pid, signal.SIGKILL)
                run.wait(timeout=10)
    print(f"fresh clone (installed virtualenv): login page after {elapsed:.1f}s")

    assert "loading 1 seed playbook(s): playbooks/seeds" in output
    assert f"http://127.0.0.1:{port}" in output
    with sqlite3.connect(clone / "var" / "vigil.sqlite3") as db:
        published = db.execute(
            "SELECT p.technique_id FROM playbooks_playbook p JOIN playbooks_playbookversion v"
            " ON v.playbook_id = p.id WHERE v.status = 'published'"
        ).fetchall()
    assert ("T1591.002",) in published
