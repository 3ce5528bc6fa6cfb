"""A readable diff between two versions of a playbook (difflib over one line per item)."""

import difflib
from dataclasses import dataclass

from .models import PlaybookItem, PlaybookVersion

_SECTION_ORDER = {key: n for n, (key, _label) in enumerate(PlaybookItem.Section.choices)}
_SECTION_LABELS = dict(PlaybookItem.Section.choices)


@dataclass(frozen=True)
class DiffLine:
    op: str  # " " same, "-" only in the old version, "+" only in the new one
    text: str


def version_lines(version: PlaybookVersion) -> list[str]:
    """Fields first, then one line per item in work order; keys shown in brackets."""
    lines = [
        f"Name: {version.name}",
        f"Tactic: {version.tactic} {version.tactic_id}".rstrip(),
    ]
    items = sorted(version.items.all(), key=lambda i: (_SECTION_ORDER.get(i.section, 99), i.order))
    for item in items:
        keys = ", ".join(k for k in (item.assist, item.action) if k)
        suffix = f" [{keys}]" if keys else ""
        lines.append(f"{_SECTION_LABELS.get(item.section, item.section)} {item.order}: {item.text}{suffix}")
    for row in (version.extra or {}).get("unknown_rows", []):
        lines.append(f"Other row {row['name']}: {row['value']}")
    return lines


def version_diff(old: PlaybookVersion, new: PlaybookVersion) -> list[DiffLine]:
    result = []
    for line in difflib.ndiff(version_lines(old), version_lines(new)):
        op = line[:1]
        if op in (" ", "-", "+"):
            result.append(DiffLine(op=op, text=line[2:]))
    return result
