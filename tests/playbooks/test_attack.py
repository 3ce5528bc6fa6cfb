"""The ATT&CK catalogue: lookups, normalisation, and that the committed file is current."""

import importlib.util
import json

import pytest

from playbooks import attack
from tests.conftest import REPO_ROOT


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("T1591002", "T1591.002"),
        ("t1591.002", "T1591.002"),
        (" T1591 ", "T1591"),
        ("T159", None),
        ("T1591.02", None),
        ("TA0043", None),
        ("", None),
    ],
)
def test_normalize_technique_id(raw, expected):
    assert attack.normalize_technique_id(raw) == expected


def test_lookup_knows_the_seed_technique_and_its_parent():
    info = attack.lookup("T1591.002")
    assert info.name == "Business Relationships"
    assert info.full_name == "Gather Victim Org Information: Business Relationships"
    assert info.parent == "T1591"
    assert info.tactic_ids == ("TA0043",)
    assert [t.name for t in info.tactics] == ["Reconnaissance"]
    assert attack.lookup("T1591").name == "Gather Victim Org Information"
    assert attack.lookup("T1591002") == info
    assert attack.lookup("T1999.999") is None
    assert attack.lookup("garbage") is None


def test_tactics():
    assert attack.tactic("TA0043").name == "Reconnaissance"
    assert attack.tactic_by_name("reconnaissance").id == "TA0043"
    assert attack.tactic_by_name("Command and Control").id == "TA0011"
    assert attack.tactic_by_name("Made up") is None
    assert [t.id for t in attack.all_tactics()][:2] == ["TA0043", "TA0042"]  # kill-chain order
    assert len(attack.all_tactics()) == 14


def test_the_committed_catalogue_is_what_the_script_builds():
    spec = importlib.util.spec_from_file_location(
        "build", REPO_ROOT / "scripts" / "build_attack_catalogue.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build()
    committed = json.loads(attack.CATALOGUE_PATH.read_text(encoding="utf-8"))
    assert built == committed
    assert committed["attack_version"] == "18.1"
    assert len(committed["techniques"]) > 600
    assert all(not t["id"].startswith("T1591.00") or t["parent"] == "T1591" for t in committed["techniques"])
