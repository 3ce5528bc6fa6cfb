"""The layers (CONTRIBUTING.md, "Layers"): every import between the project's apps points
down, and none hides in a function.

The checker reads the source with `ast` (it imports nothing), so it sees module-level
imports, imports inside functions and methods, and `import x.y` as well as
`from x import y`; relative imports stay inside their app. It does not see string
references (`include("intel.urls")`, a task's name, a template's `{% url %}`).

The composition root may import every app: it is where the project is wired together,
not a layer. It is the project's settings, URLconf, Celery app and WSGI/ASGI entry points
(COMPOSITION_ROOT below); the API's URL modules only `include()` by string.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# Lowest first: an app may import only the apps before it.
LAYERS = [
    "soc",
    "accounts",
    "playbooks",
    "intel",
    "cases",
    "sla",
    "enrichment",
    "containment",
    "notifications",
    "insights",
]
RANK = {app: rank for rank, app in enumerate(LAYERS)}

# The settings package (soc/settings/) names apps only in strings, so it is checked too.
COMPOSITION_ROOT = {"soc/urls.py", "soc/celery.py", "soc/wsgi.py", "soc/asgi.py"}


@dataclass(frozen=True)
class CrossImport:
    path: str
    line: int
    importer: str
    imported: str
    module: str
    in_function: bool

    @property
    def backwards(self) -> bool:
        return RANK[self.imported] >= RANK[self.importer]

    def __str__(self) -> str:
        where = "in a function" if self.in_function else "at module level"
        return f"{self.path}:{self.line}: {self.importer} -> {self.imported} ({self.module}, {where})"


def cross_app_imports(source: str, path: str, app: str) -> list[CrossImport]:
    """The imports of other project apps in one module's source."""
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            modules = []
        for module in modules:
            top = module.split(".")[0]
            if top in RANK and top != app:
                found.append(CrossImport(path, node.lineno, app, top, module, in_function))
        inside = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(ast.parse(source, filename=path), False)
    return found


def project_modules():
    """(path relative to the repository, app) of every module of every project app, the
    migrations excluded (they name other apps' migrations by string)."""
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "migrations" not in path.parts and relative not in COMPOSITION_ROOT:
                yield relative, app


def all_cross_imports() -> list[CrossImport]:
    return [
        found
        for relative, app in project_modules()
        for found in cross_app_imports((ROOT / relative).read_text(), relative, app)
    ]


def test_every_project_app_has_a_layer():
    installed = {name.split(".")[0] for name in settings.INSTALLED_APPS}
    project = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert project <= installed
    assert project == set(LAYERS), "add the new app to LAYERS here and to CONTRIBUTING.md"


def test_no_import_points_up():
    backwards = [str(found) for found in all_cross_imports() if found.backwards]
    assert not backwards, "imports against the layers (CONTRIBUTING.md):\n" + "\n".join(backwards)


def test_no_import_of_another_app_hides_in_a_function():
    """None is allowed: downwards it can sit at the top of the module, and upwards it only
    hides a backwards arrow (a cycle) from the test above."""
    hidden = [str(found) for found in all_cross_imports() if found.in_function]
    assert not hidden, "move these imports to the top of their module:\n" + "\n".join(hidden)


def test_the_walk_reads_every_app():
    """A walk that silently read nothing would pass the tests above."""
    seen = {found.importer for found in all_cross_imports()}
    assert seen == set(LAYERS) - {"soc"}  # soc, the bottom, imports no other app


SYNTHETIC = """
from soc.errors import DomainError
import playbooks.models


def handler():
    from containment.models import ContainmentAction
    return ContainmentAction


class View:
    def get(self):
        import enrichment.tasks
        from . import siblings
"""


def test_a_backwards_import_is_detected_with_its_file_and_line():
    found = cross_app_imports(SYNTHETIC, "cases/synthetic.py", "cases")
    assert [str(f) for f in found if f.backwards] == [
        "cases/synthetic.py:7: cases -> containment (containment.models, in a function)",
        "cases/synthetic.py:13: cases -> enrichment (enrichment.tasks, in a function)",
    ]
    assert [(f.imported, f.in_function) for f in found if not f.backwards] == [
        ("soc", False),
        ("playbooks", False),
    ]


@pytest.mark.parametrize(
    ("app", "imported", "backwards"),
    [("intel", "cases", True), ("soc", "accounts", True), ("cases", "sla", True), ("cases", "intel", False)],
)
def test_the_direction_follows_the_layer_order(app, imported, backwards):
    (found,) = cross_app_imports(f"from {imported}.x import y\n", f"{app}/m.py", app)
    assert found.backwards is backwards
