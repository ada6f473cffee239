"""``python -m bench``: every benchmark, each a ratio against a ceiling measured in the same run on the same server."""

from __future__ import annotations

import argparse
import os
import platform
import time
from dataclasses import dataclass

from bench import bench_palmares, commands, connections, growth, rebuild
from bench.db import bench_server, drop_created, server_facts
from bench.harness import Row, print_table, save
from forum.database import Database


@dataclass(frozen=True)
class Sizes:
    commands: int
    rebuild_events: int
    rebuild_organisations: int
    organisations: tuple[int, ...]
    log_sizes: tuple[int, ...]


FULL = Sizes(
    commands=1000,
    rebuild_events=200_000,
    rebuild_organisations=100,
    organisations=(10, 100, 1000),
    log_sizes=(10_000, 100_000, 1_000_000),
)
QUICK = Sizes(
    commands=200,
    rebuild_events=20_000,
    rebuild_organisations=20,
    organisations=(10, 100),
    log_sizes=(2_000, 10_000, 50_000),
)


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part.replace("_", "")) for part in text.split(","))


def _audit_chain(server: Database, quick: bool) -> list[Row]:
    """The audit chain's benchmark (``bench/bench_chain.py``, written with ``forum.audit``)."""
    from bench import bench_chain

    return bench_chain.rows(server, quick)


def _audit_replay(server: Database, quick: bool) -> list[Row]:
    """Replay at a past instant and audit trail pages, 10k vs 1M events in the log (``bench/bench_replay.py``)."""
    from bench import bench_replay

    return bench_replay.rows(server, quick)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run in well under a minute")
    parser.add_argument(
        "--only",
        type=_numbers,
        default=(1, 2, 3, 4, 5, 6, 7),
        help="benchmarks to run, e.g. 1,3 (5: the audit chain; 7: audit replay and trail)",
    )
    parser.add_argument("--commands", type=int, help="commands timed in benchmark 1")
    parser.add_argument("--rebuild-events", type=int, help="events in the log rebuilt by benchmark 2")
    parser.add_argument("--organisations", type=_numbers, help="active organisations in benchmark 3, e.g. 10,100")
    parser.add_argument("--log-sizes", type=_numbers, help="log sizes of benchmark 4, e.g. 10000,100000")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases afterwards")
    parser.add_argument("--output", help="file name under bench/results/ (default: the run's time)")
    args = parser.parse_args()
    base = QUICK if args.quick else FULL
    sizes = Sizes(
        commands=args.commands or base.commands,
        rebuild_events=args.rebuild_events or base.rebuild_events,
        rebuild_organisations=base.rebuild_organisations,
        organisations=args.organisations or base.organisations,
        log_sizes=args.log_sizes or base.log_sizes,
    )

    server = bench_server()
    benchmarks = {
        1: ("one command vs a raw insert", lambda: commands.run(server, commands=sizes.commands)),
        2: (
            "projector rebuild vs decoding alone",
            lambda: rebuild.run(server, events=sizes.rebuild_events, organisations=sizes.rebuild_organisations),
        ),
        3: ("connections held", lambda: connections.run(server, organisations=sizes.organisations)),
        4: ("growth with the log", lambda: growth.run(server, sizes=sizes.log_sizes)),
        5: ("audit chain", lambda: _audit_chain(server, args.quick)),
        6: ("public palmarès under load, recording a score", lambda: bench_palmares.rows(server, args.quick)),
        7: ("audit replay and trail", lambda: _audit_replay(server, args.quick)),
    }
    load_before = os.getloadavg()
    started = time.perf_counter()
    rows: list[Row] = []
    try:
        for number in args.only:
            label, run = benchmarks[number]
            print(f"[{number}] {label}…", flush=True)
            rows += run()
    finally:
        if not args.keep:
            drop_created(server)
    elapsed = time.perf_counter() - started
    print_table(rows)
    context = {
        "quick": args.quick,
        "sizes": vars(sizes),
        "seconds": round(elapsed, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_before": load_before,  # other work on the machine: absolute figures move, ratios less
            "load_average_after": os.getloadavg(),
        },
        "server": server_facts(server),
    }
    path = save(rows, context, args.output)
    print(f"{len(rows)} results in {elapsed:.0f} s, written to {path}")


if __name__ == "__main__":
    main()
