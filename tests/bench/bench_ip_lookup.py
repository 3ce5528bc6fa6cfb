"""Benchmark: IP lookups against 100,000 known networks (intel.lookup's in-memory index).

    .venv/bin/python -m tests.bench.bench_ip_lookup [--entries 100000] [--lookups 100000]
                                                   [--database-url URL] [--seed 1]

By default it migrates a throwaway SQLite database in a temporary folder, so it never
touches var/ or a shared database; pass --database-url (e.g. a PostgreSQL database of
your own) to measure there. It bulk-creates the entries (a realistic mix: 60% single
IPv4 addresses from feeds, 25% /24s, 10% /16-/22, 5% IPv6 /32-/64, across the three
lists), then reports:
- the time to build the index (the first lookup after a change pays it),
- the cost of the version-stamp query each process runs at most every
  VIGIL_INTEL_INDEX_TTL_SECONDS,
- per-lookup latency (mean, p50, p99, max) of `match_ip` and `is_internal` for random
  addresses, half of them inside known entries. Target: < 1 ms per lookup.
This is a command, not a timed test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def make_entries(count: int, rng: random.Random) -> list[tuple[str, str]]:
    lists = ["malicious"] * 6 + ["benign"] * 3 + ["internal"]
    seen: set[str] = set()
    entries: list[tuple[str, str]] = []
    while len(entries) < count:
        roll = rng.random()
        if roll < 0.60:
            cidr = str(ipaddress.IPv4Address(rng.getrandbits(32)))
        elif roll < 0.85:
            cidr = str(ipaddress.ip_network((rng.getrandbits(24) << 8, 24)))
        elif roll < 0.95:
            length = rng.randint(16, 22)
            cidr = str(ipaddress.ip_network((rng.getrandbits(32), length), strict=False))
        else:
            length = rng.choice([32, 40, 48, 56, 64])
            value = (0x2001_0DB8 << 96) | rng.getrandbits(96)
            cidr = str(ipaddress.ip_network((value, length), strict=False))
        if cidr in seen:
            continue
        seen.add(cidr)
        entries.append((cidr, rng.choice(lists)))
    return entries


def probe_addresses(entries: list[tuple[str, str]], count: int, rng: random.Random) -> list[str]:
    probes = []
    for i in range(count):
        if i % 2:
            probes.append(str(ipaddress.IPv4Address(rng.getrandbits(32))))
            continue
        network = ipaddress.ip_network(rng.choice(entries)[0])
        offset = rng.randrange(network.num_addresses) if network.num_addresses > 1 else 0
        probes.append(str(network.network_address + offset))
    return probes


def time_calls(function, values: list[str]) -> list[float]:
    clock = time.perf_counter_ns
    samples = []
    for value in values:
        start = clock()
        function(value)
        samples.append((clock() - start) / 1e6)
    return samples


def report(name: str, samples: list[float]) -> None:
    print(
        f"{name:<14} n={len(samples)}  mean {statistics.fmean(samples):.4f} ms  "
        f"p50 {percentile(samples, 0.50):.4f} ms  p99 {percentile(samples, 0.99):.4f} ms  "
        f"max {max(samples):.3f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=100_000)
    parser.add_argument("--database-url", help="Measure on this database instead of a temporary SQLite file.")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    workdir = tempfile.TemporaryDirectory(prefix="vigil-bench-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{Path(workdir.name) / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "soc.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["VIGIL_INTEL_INDEX_TTL_SECONDS"] = "3600"  # steady state: no stamp checks mid-run
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

    import django

    django.setup()
    from django.core.management import call_command

    from intel import lookup
    from intel.models import KnownNetwork

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    entries = make_entries(args.entries, rng)

    started = time.perf_counter()
    KnownNetwork.objects.filter(source="bench").delete()
    KnownNetwork.objects.bulk_create(
        [
            KnownNetwork(cidr=cidr, list=list_name, source="bench", label="bench")
            for cidr, list_name in entries
        ],
        batch_size=5000,
    )
    print(
        f"loaded {len(entries)} known networks in {time.perf_counter() - started:.2f} s "
        f"({os.environ['DATABASE_URL'].split(':', 1)[0]})"
    )

    lookup.invalidate()
    started = time.perf_counter()
    index = lookup.get_index()
    print(
        f"index build     {time.perf_counter() - started:.3f} s for {index.size} entries (stamp query included)"
    )

    stamps = []
    for _ in range(20):
        started = time.perf_counter()
        lookup._current_stamp()
        stamps.append((time.perf_counter() - started) * 1000)
    print(f"version stamp   mean {statistics.fmean(stamps):.2f} ms (run at most once per TTL per process)")

    probes = probe_addresses(entries, args.lookups, rng)
    hits = sum(1 for p in probes[:2000] if lookup.match_ip(p))
    report("match_ip", time_calls(lookup.match_ip, probes))
    report("is_internal", time_calls(lookup.is_internal, probes))
    report("overlapping", time_calls(lookup.overlapping_entries, probes[:10000]))
    print(f"hit rate        {hits / 2000:.0%} of probes match at least one entry")

    KnownNetwork.objects.filter(source="bench").delete()
    workdir.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
