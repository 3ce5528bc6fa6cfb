"""The playbook vocabularies are named, not spelled: code compares a step's section with
`Section.QUESTION`, keys an answer by `AssistKey.IP_REPUTATION` and routes `ActionKey.BLOCK_IP`,
never the bare strings "question", "ip_reputation" or "block_ip" (playbooks.registry).

A bare string passes every test until the vocabulary changes, then silently matches
nothing. The checker reads the source with `ast` and flags any string literal spelled like
a member, but for docstrings, the registry that declares them and the settings package
(it is read before the apps load, so it cannot import them). A string of another
vocabulary that happens to share a spelling is listed in OTHER_VOCABULARIES with what it
is; templates are checked for comparisons of a section, kind or assist key with a literal.
"""

import ast
import re
from pathlib import Path

from django.conf import settings

from playbooks.registry import ActionKey, AssistKey, Section

from .test_layers import LAYERS, project_modules

ROOT = Path(settings.BASE_DIR)
MEMBERS = {
    member.value: f"{type(member).__name__}.{member.name}"
    for enum in (Section, AssistKey, ActionKey)
    for member in enum
}
DECLARED_IN = {"playbooks/registry.py"}

# (module, spelling): what the string is there, when it is not the playbook's member.
OTHER_VOCABULARIES = {
    ("enrichment/assistant/alert_reading.py", "exfiltration"): "a fact kind read off an alert",
    ("enrichment/assistant/answers.py", "exfiltration"): "the Analysis signal read for E1",
    ("enrichment/evaluation.py", "question"): "a scenario label's kind (question, criterion, recommendation)",
    ("containment/connectors/__init__.py", "manual"): "the manual connector's name",
    ("containment/connectors/manual.py", "manual"): "the manual connector's name",
    ("containment/models.py", "manual"): "the manual connector's name (ContainmentAction.connector)",
    (
        "containment/services/execution.py",
        "manual",
    ): "the manual connector's name (ContainmentAction.connector)",
    ("containment/policy.py", "disable_account"): "a sensitivity reason (Sensitivity.DISABLE_ACCOUNT)",
    ("playbooks/exporters.py", "manual"): "a CACAO command type in the exported workflow",
}
TEMPLATE_COMPARISON = re.compile(r"""\.(section|kind|assist|action)\s*(==|!=)\s*["']""")


def docstring_nodes(tree: ast.AST) -> set[int]:
    nodes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                nodes.add(id(first.value))
    return nodes


def bare_members(source: str, path: str) -> list[str]:
    """`path:line: "spelling" (use Enum.MEMBER)` for each string literal spelled like a member."""
    tree = ast.parse(source, filename=path)
    docstrings = docstring_nodes(tree)
    return [
        f"{path}:{node.lineno}: {node.value!r} (use {MEMBERS[node.value]})"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in MEMBERS
        and id(node) not in docstrings
        and (path, node.value) not in OTHER_VOCABULARIES
    ]


def checked_modules():
    for relative, _app in project_modules():
        if relative not in DECLARED_IN and not relative.startswith("soc/settings/"):
            yield relative


def test_no_module_spells_a_playbook_member():
    found = [line for path in checked_modules() for line in bare_members((ROOT / path).read_text(), path)]
    assert not found, "name the member instead of spelling it:\n" + "\n".join(sorted(found))


def test_each_other_vocabulary_entry_still_exists():
    """An entry whose string is gone would let the member in later unnoticed."""
    stale = [
        f"{path}: {spelling!r}"
        for path, spelling in OTHER_VOCABULARIES
        if not any(
            isinstance(node, ast.Constant) and node.value == spelling
            for node in ast.walk(ast.parse((ROOT / path).read_text()))
        )
    ]
    assert not stale, "remove these OTHER_VOCABULARIES entries:\n" + "\n".join(stale)


def project_templates() -> list[Path]:
    folders = [ROOT / "templates", *(ROOT / app / "templates" for app in LAYERS)]
    return sorted(path for folder in folders for path in folder.rglob("*.html"))


def test_no_template_compares_a_vocabulary_with_a_literal():
    templates = project_templates()
    assert ROOT / "templates/cases/case_detail.html" in templates  # the walk found them
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}"
        for path in templates
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if TEMPLATE_COMPARISON.search(line)
    ]
    assert not found, "give the object a property (CaseStep.is_criterion):\n" + "\n".join(found)


SYNTHETIC = '''
"""Docstrings may say "question" and "block_ip"."""

ANSWERS = {"question": 1}


def route(step, kind):
    """Routes a block_ip."""
    if kind == "block_ip":
        return step.section == Section.QUESTION
    return "not a member"
'''


def test_the_checker_finds_bare_members_with_file_and_line():
    assert bare_members(SYNTHETIC, "cases/synthetic.py") == [
        "cases/synthetic.py:4: 'question' (use Section.QUESTION)",
        "cases/synthetic.py:9: 'block_ip' (use ActionKey.BLOCK_IP)",
    ]


def test_the_template_check_finds_a_literal_comparison():
    assert TEMPLATE_COMPARISON.search('{% if step.section == "escalation_criterion" %}')
    assert TEMPLATE_COMPARISON.search("{% if s.kind != 'manual' %}")
    assert not TEMPLATE_COMPARISON.search("{% if step.is_criterion %}")
