"""The labelled sets reworded without changing what they state must keep their labels: the
assistant reads what an alert says, not how one author wrote it. Each rewording is one that
real products do (thousands as 4.2k, counts in words, a subject in capitals, fields joined
by " | "); each found misses when first run (commits 514c21a, 6c54ee9, a13deaf).
"""

import json
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from .test_scenarios import AUTHORS_SETS

pytestmark = pytest.mark.django_db

SETS = ["scenarios", "scenarios_heldout", "scenarios_blind", *AUTHORS_SETS]
HERE = Path(__file__).parent
NUMBER_WORDS = "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen".split()  # noqa: SIM905


def thousands_rounded(text: str) -> str:
    """'4,212' -> '4.2k', '1,352,000' -> '1.4M'."""

    def rounded(match):
        n = int(match.group(0).replace(",", ""))
        return f"{n / 1e6:.1f}M" if n >= 1_000_000 else f"{n / 1000:.1f}k"

    return re.sub(r"\b\d{1,3}(?:,\d{3})+\b", rounded, text)


def small_counts_in_words(text: str) -> str:
    """'5 failed logins' -> 'five failed logins' (counts 2 to 15 before a word)."""
    return re.sub(
        r"(?<![\d.,:/\-#@\w])([2-9]|1[0-5])(?![\d.,:/\-%\w])(?= [a-z])",
        lambda m: NUMBER_WORDS[int(m.group(1)) - 2],
        text,
    )


def fields_piped(text: str) -> str:
    return re.sub(r"\.\s+(?=[A-Z0-9])", " | ", text)


REWORDINGS = {
    "thousands_rounded": (thousands_rounded, ("title", "description")),
    "small_counts_in_words": (small_counts_in_words, ("title", "description")),
    "description_in_capitals": (str.upper, ("description",)),
    "fields_piped": (fields_piped, ("description",)),
}


def reworded_set(name: str, rewording: str, into: Path) -> int:
    """Copy a labelled set with every alert's text reworded; the number of files changed."""
    rewrite, fields = REWORDINGS[rewording]
    into.mkdir(parents=True)
    changed = 0
    for file in sorted((HERE / name).glob("*.json")):
        if file.name.startswith("_"):
            shutil.copy(file, into / file.name)
            continue
        data = json.loads(file.read_text(encoding="utf-8"))
        before = json.dumps(data)
        for scenario in data if isinstance(data, list) else [data]:
            for alert in scenario["alerts"]:
                for field in fields:
                    if isinstance(alert.get(field), str):
                        alert[field] = rewrite(alert[field])
        if json.dumps(data) != before:
            (into / file.name).write_text(json.dumps(data), encoding="utf-8")
            changed += 1
    return changed


@pytest.mark.parametrize("rewording", sorted(REWORDINGS))
def test_a_rewording_keeps_every_label(seed_playbook, tmp_path, rewording):
    misses, changed = [], 0
    for name in SETS:
        folder = tmp_path / name
        count = reworded_set(name, rewording, folder)
        if not count:
            continue
        changed += count
        out = StringIO()
        call_command("evaluate_assistant", str(folder), "--min-accuracy", "0", stdout=out)
        table = out.getvalue()
        assert "ERROR" not in table, table
        misses += (
            [line.strip() for line in table.split("Misses:", 1)[1:][0].splitlines() if line.strip()]
            if "Misses:" in table
            else []
        )
    assert changed >= 20, f"{rewording} reworded only {changed} scenarios"
    assert not misses, "\n".join(misses)
