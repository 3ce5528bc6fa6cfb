"""Run loadgen.py once per ingest token, all at the same time, and print one combined
JSON line (the shape loadgen prints): the load of several SIEMs posting at once.

    python tests/bench/multi_token.py LOADGEN --tokens-file FILE -c 8 -n 1500 -- [loadgen args]

Concurrency and requests are split evenly over the tokens (one loadgen process each, its
own `Authorization: Token ...` header). alerts/s = all alerts / the longest run's time;
p50 is the median of the runs' medians, p95 and p99 the worst run's.
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path


def main() -> None:
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    own, rest = argv[:split], argv[split + 1 :]
    parser = argparse.ArgumentParser()
    parser.add_argument("loadgen")
    parser.add_argument("--tokens-file", required=True)
    parser.add_argument("-c", "--concurrency", type=int, required=True)
    parser.add_argument("-n", "--requests", type=int, required=True)
    parser.add_argument("--label", required=True)
    args = parser.parse_args(own)
    tokens = [t.strip() for t in Path(args.tokens_file).read_text(encoding="ascii").splitlines() if t.strip()]
    per_c = max(1, args.concurrency // len(tokens))
    per_n = max(1, args.requests // len(tokens))
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                args.loadgen,
                "--label",
                f"{args.label}-{i}",
                "-H",
                f"Authorization: Token {token}",
                "-c",
                str(per_c),
                "-n",
                str(per_n),
                *rest,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for i, token in enumerate(tokens)
    ]
    runs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    elapsed = max(r["elapsed_s"] for r in runs)
    alerts = sum(r["alerts_ok"] for r in runs)
    errors: dict[str, int] = {}
    for r in runs:
        for code, n in r["errors"].items():
            errors[code] = errors.get(code, 0) + n
    print(
        json.dumps(
            {
                "label": args.label,
                "concurrency": per_c * len(tokens),
                "tokens": len(tokens),
                "requests_ok": sum(r["requests_ok"] for r in runs),
                "alerts_ok": alerts,
                "elapsed_s": elapsed,
                "alerts_per_s": round(alerts / elapsed, 1) if elapsed else None,
                "p50_ms": statistics.median(r["p50_ms"] for r in runs if r["p50_ms"] is not None),
                "p95_ms": max(r["p95_ms"] or 0 for r in runs),
                "p99_ms": max(r["p99_ms"] or 0 for r in runs),
                "errors": errors,
            }
        )
    )


if __name__ == "__main__":
    main()
