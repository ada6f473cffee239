"""A real client over the live OpenAPI schema: schemathesis, every check, a fixed seed, against the 2019 demo.

The app is served by uvicorn on a loopback port with both 2019 programmes loaded through the application's
commands; schemathesis (the pinned ``fuzz`` extra) runs three times — anonymously, as the host's organiser and as a
juror — and must find no server error and no response outside the schema. Its budget is bounded by
``FORUM_FUZZ_EXAMPLES`` examples per operation (default below), deterministic, so a failure replays.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from domain.person import Person
from domain.values import Role
from forum.access import Actor
from forum.application import ForumApplication
from forum.database import Database
from forum.services import Services
from tests.serving import serving
from tests.settling import settle

pytestmark = pytest.mark.slow

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
EXAMPLES = int(os.environ.get("FORUM_FUZZ_EXAMPLES", "3"))
SEED = 20190902
HOST_ORGANISER = ("organisateur-somme@somme.demo.forum.local", "somme", Role.ORGANISER)
JUROR = ("jure-nord-elu@nord.demo.forum.local", "nord", Role.AGENT)
# Beyond the schema, domain rules refuse schema-valid input (a closed call, an unknown project…): with arbitrary
# data those answers are the right ones, so positive_data_acceptance counts them as accepted outcomes.
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "422"]
"""


class ServerErrors(logging.Handler):
    """Every exception the app logs while the fuzzer runs (the 500s' tracebacks)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        path = getattr(record, "path", "")
        self.records.append(f"{record.getMessage()} {path}\n{self.format(record)}")


@dataclass
class Served:
    url: str
    services: Services
    errors: ServerErrors
    tokens: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def served(db: Database, app: ForumApplication) -> Iterator[Served]:
    from forum.entrypoints import demo

    errors = ServerErrors()
    logging.getLogger("forum").addHandler(errors)
    logging.getLogger("uvicorn.error").addHandler(errors)
    try:
        with serving(db, app, "fuzzed server") as (url, services):
            demo.load(app, services.people)
            served = Served(url, services, errors)
            settle(url, timeout=60.0)  # the fuzzer then meets the demo's organisations, forums and palmarès
            for label, (email, organisation, role) in {"organiser": HOST_ORGANISER, "juror": JUROR}.items():
                actor = Actor(str(Person.id_for(email)), organisation, frozenset({role}))
                served.tokens[label] = services.auth.issue_token(actor, f"schemathesis {label}").token
            yield served
    finally:
        logging.getLogger("forum").removeHandler(errors)
        logging.getLogger("uvicorn.error").removeHandler(errors)


def fuzz(served: Served, who: str, report: Path) -> tuple[int, str]:
    """One schemathesis run as ``who`` (anonymous, organiser, juror); its exit code and its output."""
    config = report.with_suffix(".toml")
    config.write_text(CONFIG)
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "run",
        f"{served.url}/api/schema/openapi.json",
        "--checks",
        "all",
        "--seed",
        str(SEED),
        "--generation-deterministic",
        "--max-examples",
        str(EXAMPLES),
        "--phases",
        "examples,coverage,fuzzing",
        "--workers",
        "1",  # CPython 3.11.7's ast.parse is not thread-safe (hypothesis parses lambdas: SystemError "AST constructor
        # recursion depth mismatch"): one worker per process; the identities run as processes side by side
        "--no-shrink",
        "--request-timeout",
        "30",
        "--no-color",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
    ]
    if who != "anonymous":
        command += ["--header", f"Authorization: Bearer {served.tokens[who]}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False, cwd=report.parent)
    report.with_suffix(".txt").write_text(result.stdout + result.stderr)  # the whole run, kept with pytest's tmp
    return result.returncode, result.stdout + result.stderr


# Any failed check, any server error in the log, fails the test.
PENDING: set[str] = set()


def failures(output: str) -> dict[str, set[str]]:
    """Each failed check's code and title, with the operations it failed on."""
    found: dict[str, set[str]] = {}
    operation = ""
    for line in output.splitlines():
        if heading := re.match(r"^_{3,} (\S+ \S+) _{3,}$", line.strip()):
            operation = heading.group(1)
        elif check := re.match(r"^- (ST\d+ .*)$", line.strip()):
            found.setdefault(check.group(1), set()).add(operation)
    return found


@pytest.mark.skipif(not SCHEMATHESIS.exists() and not shutil.which("schemathesis"), reason="pip install -e .[fuzz]")
def test_schemathesis_finds_no_server_error_and_no_response_outside_the_schema(served: Served, tmp_path: Path) -> None:
    figures, refused = [], []
    identities = ("anonymous", "organiser", "juror")
    started = time.monotonic()
    with ThreadPoolExecutor(len(identities)) as runs:  # each run is its own process
        results = list(runs.map(lambda who: fuzz(served, who, tmp_path / f"{who}.ndjson"), identities))
    for who, (code, output) in zip(identities, results, strict=True):
        generated = re.findall(r"(\d+) generated", output)
        found = failures(output)
        figures.append(
            f"{who}: exit {code}, {generated[-1] if generated else '?'} cases "
            f"(the three runs in {time.monotonic() - started:.0f} s), "
            + ", ".join(f"{check} ×{len(ops)}" for check, ops in sorted(found.items()))
        )
        refused += [
            f"{who}: {check} on {sorted(ops)[:5]}" for check, ops in found.items() if check.split()[0] not in PENDING
        ]
        if code != 0 and not found:  # schemathesis could not run at all (schema, connection…)
            refused.append(f"{who}: exit {code} without a failed check\n{output[-4000:]}")
    print("\n".join(figures))  # the figures of the run, shown with -s
    tracebacks = "\n".join(served.errors.records[:10])
    assert not refused and not served.errors.records, (
        "\n".join(refused) + f"\n(full runs in {tmp_path})\n--- server log ---\n" + tracebacks
    )
