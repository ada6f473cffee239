"""The app served for real by uvicorn, in a background thread on a free port, over a test's database (for the
browser tests and the fuzzer)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from forum.application import ForumApplication
from forum.database import Database
from forum.entrypoints.bootstrap import resources
from forum.services import Services
from forum.settings import Settings
from web.app import create_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(db: Database, app: ForumApplication, name: str = "live-server") -> Iterator[tuple[str, Services]]:
    """The base URL of the running server and its services (whose ``public_url`` is that URL); stopped on exit."""
    import uvicorn

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    services = Services(settings=Settings(environment="test", public_url=url), db=db, app=app)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(services, resources(services.db), run_projector=True),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the {name} did not start")
        time.sleep(0.02)
    try:
        yield url, services
    finally:
        server.should_exit = True
        thread.join(15)
