"""The benchmarks' small harness: time things, compare them to a ceiling, print and save the results."""

from __future__ import annotations

import json
import statistics
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Timing:
    """``count`` operations measured one by one: their total and per-operation figures in seconds."""

    count: int
    total: float
    samples: tuple[float, ...] = ()

    @property
    def rate(self) -> float:
        return self.count / self.total if self.total else float("inf")

    def percentile(self, p: float) -> float:
        if not self.samples:
            return self.total / self.count
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples) if self.samples else self.total / self.count

    @property
    def p95(self) -> float:
        return self.percentile(95)


def measure(operation: Callable[[int], Any], count: int, *, warmup: int = 0) -> Timing:
    """Call ``operation(i)`` ``count`` times (after ``warmup`` untimed calls), timing each call."""
    for i in range(warmup):
        operation(-1 - i)
    samples = []
    for i in range(count):
        started = time.perf_counter()
        operation(i)
        samples.append(time.perf_counter() - started)
    return Timing(count, sum(samples), tuple(samples))


async def measure_async(operation: Callable[[int], Awaitable[Any]], count: int, *, warmup: int = 0) -> Timing:
    """``measure`` for a coroutine function."""
    for i in range(warmup):
        await operation(-1 - i)
    samples = []
    for i in range(count):
        started = time.perf_counter()
        await operation(i)
        samples.append(time.perf_counter() - started)
    return Timing(count, sum(samples), tuple(samples))


def combined(timings: list[Timing]) -> Timing:
    """Several rounds of the same measurement as one."""
    samples = tuple(s for t in timings for s in t.samples)
    return Timing(sum(t.count for t in timings), sum(t.total for t in timings), samples)


def timed(operation: Callable[[], Any], count: int = 1) -> Timing:
    """One call of ``operation`` that does ``count`` units of work (events, rows…)."""
    started = time.perf_counter()
    operation()
    return Timing(count, time.perf_counter() - started)


async def timed_async(operation: Callable[[], Awaitable[Any]], count: int = 1) -> Timing:
    """``timed`` for a coroutine function."""
    started = time.perf_counter()
    await operation()
    return Timing(count, time.perf_counter() - started)


def ratio(measured: float, ceiling: float) -> float:
    """How close ``measured`` comes to ``ceiling`` (both rates: higher is better); 1.0 means as fast as the ceiling."""
    return measured / ceiling if ceiling else float("nan")


def paired_ratio(measured: list[Timing], ceilings: list[Timing]) -> float:
    """The median of round-by-round ratios: each round's measurement against the ceiling timed next to it, so
    that other work on a shared machine, which comes and goes, weighs on both sides of each ratio alike."""
    return statistics.median(ratio(m.rate, c.rate) for m, c in zip(measured, ceilings, strict=True))


@dataclass
class Row:
    """One line of the table: what was measured, against what, and the goal it is held to."""

    benchmark: str
    case: str
    measured: str
    ceiling: str
    ratio: float | None
    goal: str
    met: bool | None
    figures: dict[str, float] = field(default_factory=dict)


def print_table(rows: list[Row]) -> None:
    header = ("benchmark", "case", "measured", "ceiling", "ratio", "goal", "met")
    cells = [
        (
            r.benchmark,
            r.case,
            r.measured,
            r.ceiling,
            "" if r.ratio is None else f"{r.ratio:.2f}",
            r.goal,
            "" if r.met is None else ("yes" if r.met else "NO"),
        )
        for r in rows
    ]
    widths = [max(len(str(c[i])) for c in [header, *cells]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    print(line)
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print(line)
    for cell in cells:
        print("  ".join(str(c).ljust(w) for c, w in zip(cell, widths, strict=True)))
    print(line)


def save(rows: list[Row], context: dict[str, Any], name: str | None = None) -> Path:
    """Write the run as JSON under bench/results/ (one file per run, named by its time)."""
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC)
    path = RESULTS / (name or f"{stamp:%Y%m%dT%H%M%SZ}.json")
    document = {
        "at": stamp.isoformat(timespec="seconds"),
        "commit": _commit(),
        **context,
        "results": [asdict(r) for r in rows],
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    except OSError:
        return "?"
    return out.stdout.strip() or "?"


def per_second(rate: float) -> str:
    return f"{rate:,.0f}/s"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"
