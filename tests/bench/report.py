"""Summarise one benchmark run (tests/bench/bench_ingest.sh): rates, latencies, the
Vigil/floor ratios and the SQL statements per alert, against the issue's targets."""

import json
import sys
from pathlib import Path

TARGETS = {
    "single_c8_ratio": 0.5,  # Vigil single-alert ingest at c=8 >= 50% of the floor
    "single_c8_ratio_issue15": 0.6,  # issue 15's own target for the same ratio
    "one_token_vs_many": 0.1,  # one token's rate within 10% of several tokens', either way (issue 15)
    "batch_alerts_per_s": 2000,
    "queries_single": 15,
    "queries_batch_per_alert": 3,
}


def token_pairs(in_order: list[dict], c: str) -> list[tuple[float, float]]:
    """(one-token rate, several-token rate) of each back-to-back pair of runs at concurrency
    `c` (bench_ingest.sh runs them in alternating slices: a pair shares the machine's load)."""
    sequence = [r for r in in_order if r["label"].startswith("tokens") and r["label"].endswith(f"-{c}")]
    pairs = []
    for a, b in zip(sequence[::2], sequence[1::2], strict=False):
        if a["label"] == b["label"] or not (a["alerts_per_s"] and b["alerts_per_s"]):
            continue
        one, many = (a, b) if a["label"] == f"tokens1-{c}" else (b, a)
        pairs.append((one["alerts_per_s"], many["alerts_per_s"]))
    return pairs


def main(out: Path) -> None:
    by_label: dict[str, list[dict]] = {}
    in_order: list[dict] = []
    for line in (out / "loadgen.jsonl").read_text().splitlines():
        if line.strip():
            run = json.loads(line)
            by_label.setdefault(run["label"], []).append(run)
            in_order.append(run)
    # The median run of each label (by alerts/s); every run is kept in summary.json.
    runs = {}
    for label, all_runs in by_label.items():
        ordered = sorted(all_runs, key=lambda r: r["alerts_per_s"] or 0)
        runs[label] = {
            **ordered[len(ordered) // 2],
            "all_alerts_per_s": [r["alerts_per_s"] for r in all_runs],
        }
    queries = json.loads((out / "queries.json").read_text())

    def row(label: str) -> str:
        r = runs.get(label)
        if not r:
            return f"{label:<26} (missing)"
        return (
            f"{label:<26} {r['alerts_per_s'] or 0:>9.1f} alerts/s  p50 {r['p50_ms'] or 0:>8.1f} ms  "
            f"p95 {r['p95_ms'] or 0:>8.1f} ms  errors {r['errors'] or '-'}  runs {r['all_alerts_per_s']}"
        )

    kinds = [k.removeprefix("vigil-") for k in runs if k.startswith("vigil-")]
    token_ratios = {}
    print("\n== throughput (loadgen.py over HTTP, gunicorn sync workers, PostgreSQL; median run) ==")
    ratios = {}
    for kind in kinds:
        print(row(f"vigil-{kind}"))
        print(row(f"floor-{kind}"))
        v, f = runs.get(f"vigil-{kind}"), runs.get(f"floor-{kind}")
        if v and f and f["alerts_per_s"]:
            ratios[kind] = v["alerts_per_s"] / f["alerts_per_s"]
            print(f"{'  ratio vigil/floor':<26} {ratios[kind]:>9.2f}\n")

    if any(k.startswith("tokens") for k in runs):
        print("== one source or several (single alerts; Vigil only) ==")
        for c in ("c8", "c32"):
            one, many = (
                runs.get(f"tokens1-{c}"),
                next(
                    (
                        runs[k]
                        for k in runs
                        if k.startswith("tokens") and k.endswith(f"-{c}") and k != f"tokens1-{c}"
                    ),
                    None,
                ),
            )
            for r in (one, many):
                if r:
                    print(row(r["label"]))
            pairs = token_pairs(in_order, c)
            if pairs:
                # Alerts per second summed over the pairs: every slice weighs the same.
                token_ratios[c] = sum(one for one, _ in pairs) / sum(many for _, many in pairs)
                each = [round(one / many, 2) for one, many in pairs]
                print(f"{'  ratio one/several tokens':<26} {token_ratios[c]:>9.2f}  (pairs {each})\n")

    print("== SQL statements ==")
    for key, value in queries.items():
        print(f"  {key:<28} {value}")

    batch = next((runs[k] for k in runs if k.startswith("vigil-batch")), None)
    checks = {
        "single c=8 >= 50% of the floor": ratios.get("single-c8", 0) >= TARGETS["single_c8_ratio"],
        "single c=8 >= 60% of the floor (issue 15)": ratios.get("single-c8", 0)
        >= TARGETS["single_c8_ratio_issue15"],
        "one token within 10% of several, c=8 and c=32": bool(token_ratios)
        and all(abs(r - 1) <= TARGETS["one_token_vs_many"] for r in token_ratios.values()),
        "batches >= 2,000 alerts/s": bool(batch)
        and (batch["alerts_per_s"] or 0) >= TARGETS["batch_alerts_per_s"],
        "<= 15 SQL statements for a single alert (whole request)": queries["http_single_new_case"][
            "statements"
        ]
        <= TARGETS["queries_single"],
        "<= 3 SQL statements per alert in a batch (whole request)": queries["http_batch_statements_per_alert"]
        <= TARGETS["queries_batch_per_alert"],
    }
    print("\n== targets ==")
    for name, ok in checks.items():
        print(f"  [{'x' if ok else ' '}] {name}")
    (out / "summary.json").write_text(
        json.dumps(
            {
                "runs": runs,
                "ratios": ratios,
                "token_ratios": token_ratios,
                "queries": queries,
                "targets": checks,
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
