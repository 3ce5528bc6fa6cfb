"""Finds the code that writes a `status` directly, for the lifecycle tests.

The lifecycles' law is that a case's or an action's status changes only through
soc.lifecycle.Lifecycle (tests/cases/test_lifecycle_table.py and
tests/containment/test_lifecycle_table.py). This walks the syntax tree of every project
module (not the tests, not the migrations) and reports each place that writes a status
some other way:

- an assignment to an attribute named ``status`` (``case.status = ...``, also inside a
  tuple target);
- ``setattr(obj, "status", ...)``;
- a queryset ``update(status=...)`` / ``update(**{"status": ...})``, and a
  ``bulk_update(..., ["status", ...])``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO_ROOT

FIELD = "status"
SKIPPED_DIRS = {"tests", "migrations", ".venv", "node_modules", "static", "templates", "docs"}


@dataclass(frozen=True)
class StatusWrite:
    path: str  # relative to the repository
    line: int
    how: str
    receiver: str  # the name the written expression starts from (a model, a variable)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.how} on {self.receiver}"


def project_modules() -> list[Path]:
    """Every .py file of the project's packages (top-level folders with an __init__.py)."""
    modules = []
    for package in sorted(p for p in REPO_ROOT.iterdir() if (p / "__init__.py").exists()):
        if package.name in SKIPPED_DIRS:
            continue
        for path in sorted(package.rglob("*.py")):
            if not SKIPPED_DIRS.intersection(path.relative_to(REPO_ROOT).parts):
                modules.append(path)
    return modules


def _root_name(node: ast.AST) -> str:
    """`Case.objects.filter(...).update` -> "Case"; `locked` -> "locked"."""
    while True:
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return node.id if isinstance(node, ast.Name) else type(node).__name__


def _targets(node: ast.AST):
    if isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            yield from _targets(element)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)
    else:
        yield node


def _is_status_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value == FIELD


def _writes(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                for leaf in _targets(target):
                    if isinstance(leaf, ast.Attribute) and leaf.attr == FIELD:
                        yield node.lineno, "assignment to .status", _root_name(leaf.value)
        elif isinstance(node, ast.Call):
            func = node.func
            is_setattr = isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2
            if is_setattr and _is_status_literal(node.args[1]):
                yield node.lineno, "setattr(..., 'status')", _root_name(node.args[0])
            if not isinstance(func, ast.Attribute):
                continue
            if func.attr == "update":
                for keyword in node.keywords:
                    if keyword.arg == FIELD or (
                        keyword.arg is None
                        and isinstance(keyword.value, ast.Dict)
                        and any(_is_status_literal(k) for k in keyword.value.keys)
                    ):
                        yield node.lineno, "update(status=...)", _root_name(func.value)
            elif func.attr == "bulk_update":
                fields = [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "fields")]
                for listed in fields:
                    if isinstance(listed, ast.List | ast.Tuple) and any(map(_is_status_literal, listed.elts)):
                        yield node.lineno, "bulk_update(..., ['status'])", _root_name(func.value)


def status_writes() -> list[StatusWrite]:
    found = []
    for path in project_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        relative = path.relative_to(REPO_ROOT).as_posix()
        found += [StatusWrite(relative, line, how, receiver) for line, how, receiver in _writes(tree)]
    return found
