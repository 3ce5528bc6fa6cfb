"""The team's line (CONTRIBUTING.md): a module past 400 lines becomes a package.

Migrations are generated and the tests are free to grow; every other module of every
project app, the settings included, is held to it.
"""

from pathlib import Path

from django.conf import settings

from .test_layers import LAYERS

ROOT = Path(settings.BASE_DIR)
MAX_LINES = 400


def project_modules() -> list[Path]:
    return sorted(
        path for app in LAYERS for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts
    )


def test_no_module_is_past_the_line():
    modules = project_modules()
    assert ROOT / "cases" / "models" / "cases.py" in modules  # the walk found the apps
    long = [
        f"{path.relative_to(ROOT)}: {lines} lines"
        for path in modules
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    ]
    assert not long, f"split these into packages (at most {MAX_LINES} lines a module):\n" + "\n".join(long)
