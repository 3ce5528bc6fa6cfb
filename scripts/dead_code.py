"""The dead-code check `bin/vigil test` runs next to ruff: vulture over the paths of
pyproject.toml's [tool.vulture], with two kinds of use vulture cannot see added to its
whitelist on every run, so they never need listing by hand:

- model fields: the ORM reads and writes them by name (querysets, forms, serializers'
  `fields`, the admin), so a field is a column, not dead code;
- attributes named in templates (`{{ case.sla_stage }}`, `{% if action.user_can_approve %}`);
- names the tests use;
- names in string literals: dotted paths in settings (middleware, backends, apps, Celery
  routes: the last component), getattr-style and framework references by name
  (django-filter's `method="filter_text"`), and DRF's SerializerMethodField convention
  (a field named in a string is read through `get_<name>`).

Everything else vulture cannot see used is listed, with its reason, in vulture_whitelist.py.
Exits with vulture's status (non-zero when it finds dead code).
"""

import ast
import keyword
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `.name` inside {{ ... }} and {% ... %}: an attribute, method or property a template reads.
TEMPLATE_TAG = re.compile(r"\{[{%](.*?)[%}]\}", re.S)
TEMPLATE_ATTRIBUTE = re.compile(r"\.([A-Za-z_]\w*)")
IDENTIFIER_PARTS = re.compile(r"[.:]")


def model_field_names() -> set[str]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "soc.settings")
    import django

    django.setup()
    from django.apps import apps

    names = set()
    for model in apps.get_models():
        if not Path(sys.modules[model.__module__].__file__).is_relative_to(ROOT):
            continue
        for field in model._meta.get_fields():
            names.add(field.name)
            names.add(getattr(field, "attname", field.name))
    return names


def template_attribute_names() -> set[str]:
    names = set()
    for folder in (ROOT / "templates", *ROOT.glob("*/templates")):
        for template in folder.rglob("*.html"):
            for tag in TEMPLATE_TAG.findall(template.read_text()):
                names.update(TEMPLATE_ATTRIBUTE.findall(tag))
    return names


def python_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def string_and_test_names() -> set[str]:
    """Identifiers in string literals anywhere (and `get_<name>` for each), and every name
    the tests use: code the tests call is not dead, though vulture does not read tests
    (their fixtures and helpers would all look unused)."""
    names = set()
    for file in python_files():
        in_tests = file.relative_to(ROOT).parts[0] == "tests"
        for node in ast.walk(ast.parse(file.read_text(), str(file))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 200:
                for part in IDENTIFIER_PARTS.split(node.value):
                    if part.isidentifier():
                        names.update((part, f"get_{part}"))
            elif in_tests and isinstance(node, ast.Name):
                names.add(node.id)
            elif in_tests and isinstance(node, ast.Attribute):
                names.add(node.attr)
    return names


def main() -> int:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["vulture"]
    used = sorted(model_field_names() | template_attribute_names() | string_and_test_names())
    with tempfile.NamedTemporaryFile("w", suffix="_whitelist.py", delete=False) as whitelist:
        whitelist.write("".join(f"_.{name}\n" for name in used if not keyword.iskeyword(name)))
    try:
        command = [sys.executable, "-m", "vulture", *config["paths"], whitelist.name]
        return subprocess.run(command, cwd=ROOT, check=False).returncode  # noqa: S603 (our own paths)
    finally:
        os.unlink(whitelist.name)


if __name__ == "__main__":
    sys.exit(main())
