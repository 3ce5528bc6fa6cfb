"""Single alerts from one ingest token or from several, through one and the same client, and
one JSON line (the shape loadgen.py prints) for tests/bench/bench_ingest.sh.

    python tests/bench/multi_token.py LOADGEN --tokens-file FILE --label L -c 8 -n 1500 \
        --url URL --template TEMPLATE [--warmup 20] [--max-seconds 90]

Both sides of the one-token/several-tokens comparison run through this driver, so the
number of tokens is the only thing that differs: one process, one aiohttp session, `c`
request loops, loop k sending `Authorization: Token <token k mod T>` (8 tokens at c=8: one
SIEM per loop; at c=32: four loops each). The template, its rendering and the percentiles
are loadgen.py's own (imported from LOADGEN), the warm-up and the timed phase work as there.

The driver this replaces started one loadgen.py process per token (c/T requests in flight
each, started one after another, each timed from its own start) and divided all alerts by
the longest process's time, while the one-token side was one loadgen.py: the two sides
differed in the client (eight event loops competing with the server for two CPUs, staggered
starts, tails with fewer requests in flight), not only in the tokens.
"""

import argparse
import asyncio
import importlib.util
import json
import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import aiohttp


def load_loadgen(path: str):
    spec = importlib.util.spec_from_file_location("loadgen", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("loadgen", help="path of loadgen.py (its Template and percentile are used)")
    parser.add_argument("--tokens-file", required=True, help="one ingest token per line")
    parser.add_argument("--label", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--template", required=True)
    parser.add_argument("-c", "--concurrency", type=int, required=True)
    parser.add_argument("-n", "--requests", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=0, help="requests sent first and not counted")
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--timeout", type=float, default=30.0, help="per-request timeout in seconds")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace, loadgen) -> dict:
    tokens = [t.strip() for t in Path(args.tokens_file).read_text(encoding="ascii").splitlines() if t.strip()]
    template = loadgen.Template(args.template, uuid.uuid4().hex[:10])
    headers = [{"Content-Type": "application/json", "Authorization": f"Token {t}"} for t in tokens]
    latencies: list[float] = []
    codes: Counter = Counter()
    state = {"issued": 0, "limit": 0, "deadline": 0.0}
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:

        async def one(i: int, header: dict, counted: bool) -> None:
            started = time.perf_counter()
            try:
                async with session.post(
                    args.url, data=template.render(i).encode(), headers=header
                ) as response:
                    await response.read()
                    code = response.status
            except Exception as exc:  # network errors, timeouts: counted, as loadgen.py does
                code = f"exc:{type(exc).__name__}"
            if counted:
                codes[str(code)] += 1
                if isinstance(code, int) and 200 <= code < 300:
                    latencies.append((time.perf_counter() - started) * 1000)

        async def loop(k: int) -> None:
            header = headers[k % len(headers)]
            while state["issued"] < state["limit"] and time.monotonic() < state["deadline"]:
                i = state["issued"]
                state["issued"] += 1
                await one(i, header, counted=i >= args.warmup)

        async def phase(limit: int) -> float:
            state["limit"], state["deadline"] = limit, time.monotonic() + args.max_seconds
            started = time.perf_counter()
            await asyncio.gather(*(loop(k) for k in range(args.concurrency)))
            return time.perf_counter() - started

        if args.warmup:
            await phase(args.warmup)
        elapsed = await phase(args.warmup + args.requests)

    ok = len(latencies)
    latencies.sort()

    def pct(q: float) -> float | None:
        value = loadgen.percentile(latencies, q)
        return round(value, 2) if value is not None else None

    return {
        "label": args.label,
        "url": args.url,
        "concurrency": args.concurrency,
        "tokens": len(tokens),
        "batch": 0,
        "requests_sent": sum(codes.values()),
        "requests_ok": ok,
        "alerts_ok": ok,
        "elapsed_s": round(elapsed, 3),
        "requests_per_s": round(ok / elapsed, 1) if elapsed else None,
        "alerts_per_s": round(ok / elapsed, 1) if elapsed else None,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": round(statistics.fmean(latencies), 2) if ok else None,
        "errors": {k: v for k, v in codes.items() if not (k.isdigit() and 200 <= int(k) < 300)},
    }


def main() -> int:
    args = parse_args(sys.argv[1:])
    result = asyncio.run(run(args, load_loadgen(args.loadgen)))
    print(
        f"{args.label}: {result['requests_ok']}/{result['requests_sent']} ok over {result['tokens']} token(s) "
        f"in {result['elapsed_s']}s, {result['alerts_per_s']} alerts/s, p50 {result['p50_ms']} "
        f"p95 {result['p95_ms']} ms, errors {result['errors']}",
        file=sys.stderr,
    )
    print(json.dumps(result), flush=True)
    return 0 if result["requests_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
