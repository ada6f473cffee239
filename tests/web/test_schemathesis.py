"""A real client over the live OpenAPI schema: schemathesis, every check, a fixed seed, against the 2019 demo.

The app is served by uvicorn on a loopback port with both 2019 programmes loaded through the application's
commands; schemathesis (the pinned ``fuzz`` extra) runs three times — anonymously, as the host's organiser and as a
juror — and must find no server error and no response outside the schema. Its budget is bounded by
``FORUM_FUZZ_EXAMPLES`` examples per operation (default below), deterministic, so a failure replays.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from domain.person import Person
from domain.values import Role
from forum.access import Actor
from forum.application import ForumApplication
from forum.database import Database
from forum.entrypoints.bootstrap import resources
from forum.services import Services
from forum.settings import Settings
from web.app import create_app

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served(db: Database, app: ForumApplication) -> Iterator[Served]:
    import uvicorn

    from forum.entrypoints import demo

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    services = Services(settings=Settings(environment="test", public_url=url), db=db, app=app)
    demo.load(app, services.people)
    errors = ServerErrors()
    logging.getLogger("forum").addHandler(errors)
    logging.getLogger("uvicorn.error").addHandler(errors)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(services, resources(services.db), run_projector=True),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, name="fuzzed-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the fuzzed server did not start")
        time.sleep(0.02)
    served = Served(url, services, errors)
    settle(url)
    for label, (email, organisation, role) in {"organiser": HOST_ORGANISER, "juror": JUROR}.items():
        actor = Actor(str(Person.id_for(email)), organisation, frozenset({role}))
        served.tokens[label] = services.auth.issue_token(actor, f"schemathesis {label}").token
    try:
        yield served
    finally:
        server.should_exit = True
        thread.join(15)
        logging.getLogger("forum").removeHandler(errors)
        logging.getLogger("uvicorn.error").removeHandler(errors)


def settle(url: str, timeout: float = 60.0) -> None:
    """Wait until the read models show the demo (the fuzzer then meets its organisations, forums and palmarès)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health") as response:  # noqa: S310  # our own server
                projections = json.load(response).get("projections", [])
        except (OSError, ValueError):
            projections = []
        if projections and all(p.get("behind_events") == 0 for p in projections):
            return
        time.sleep(0.1)
    raise TimeoutError("the projector did not catch up with the demo")


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
        "2",
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
    for who in ("anonymous", "organiser", "juror"):
        started = time.monotonic()
        code, output = fuzz(served, who, tmp_path / f"{who}.ndjson")
        generated = re.findall(r"(\d+) generated", output)
        found = failures(output)
        figures.append(
            f"{who}: exit {code}, {generated[-1] if generated else '?'} cases in {time.monotonic() - started:.0f} s, "
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
