"""What soc.internals' shortcuts buy: CPU time of the intake service in this process, with
the shortcuts on and off (as on unverified library versions), alternating run by run.

    DATABASE_URL=postgres://.../vigil_bench .venv/bin/python tests/bench/shortcut_cpu.py

Needs a database with the seed playbooks (the benchmark's, after bin/vigil bench-ingest).
Process CPU time leaves out PostgreSQL and the other engineers' load, so it holds on a
shared machine where wall-clock rates do not. Prints the median per configuration.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import query_counts

from cases.ingest.tokens import ingest_source_create
from cases.services.intake import ingest_alert, ingest_alerts
from soc import internals

FLAGS = ("DJANGO", "KOMBU_REDIS", "DJANGO_REDIS")
ROUNDS = {500: 6, 1: 300}


def main() -> None:
    source, _token = ingest_source_create(name=f"bench-shortcuts-{query_counts.RUN}")
    ingest_alert(source=source, alert=query_counts.native(0))  # warm caches
    numbers = iter(range(100_000, 10**9))

    def run(shortcuts: bool, size: int) -> float:
        for flag in FLAGS:
            setattr(internals, flag, shortcuts)
        alerts = [query_counts.native(next(numbers)) for _ in range(size)]
        started = time.process_time()
        if size == 1:
            ingest_alert(source=source, alert=alerts[0])
        else:
            ingest_alerts(source=source, alerts=alerts)
        return time.process_time() - started

    for size, rounds in ROUNDS.items():
        times: dict[bool, list[float]] = {True: [], False: []}
        for n in range(rounds):
            for shortcuts in (True, False) if n % 2 == 0 else (False, True):
                times[shortcuts].append(run(shortcuts, size))
        on, off = (statistics.median(times[s]) * 1000 for s in (True, False))
        print(
            f"{size} alert(s): shortcuts {on:.2f} ms CPU, public path {off:.2f} ms (+{(off / on - 1) * 100:.0f}%)"
        )
    for flag in FLAGS:
        setattr(internals, flag, True)


if __name__ == "__main__":
    main()
