"""Real-browser fixtures: the app served by uvicorn on a free port, Debian's Chromium driven by Playwright, axe-core.

Use them for any page::

    @pytest.mark.browser
    def test_my_page(live: Live, page: Page, sign_in: SignIn, check_a11y: CheckA11y) -> None:
        organiser = member(live.services, "nord", "organiser")      # tests.accounts
        live.settle()                                               # read models caught up
        sign_in(page, organiser.email, organiser.password)
        page.goto(live.url + "/my/page")
        check_a11y(page)                                            # zero WCAG 2.0/2.1 A/AA violations
        check_phone(page)                                           # usable at 375 px wide

``live.url`` (or the ``live_server`` fixture) is the base URL; ``live.services`` the services of the database the
server runs on (``db``), to create data through the application's commands; ``live.outbox_link(to, kind)`` reads a
link from the outbox.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from forum.application import ForumApplication
from forum.database import Database
from forum.services import Services
from tests.serving import serving
from tests.settling import settle

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 375, "height": 667}

SignIn = Callable[..., None]
CheckA11y = Callable[..., None]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@dataclass
class Live:
    """The running server: its base URL and the services of its database."""

    url: str
    services: Services

    def settle(self) -> None:
        """Wait until the projector has applied every event (read models are asynchronous)."""
        settle(self.url)

    def outbox_link(self, to: str, kind: str = "invitation") -> str:
        """The URL of the latest ``/invitation/…`` (or ``/reinitialisation/…``) link mailed to ``to``."""
        [mail, *_] = self.services.mail.outbox(recipient=to)
        found = re.search(rf"/{kind}/\S+", mail.body)
        assert found, mail.body
        return self.url + found.group(0)


@pytest.fixture
def live(db: Database, app: ForumApplication) -> Iterator[Live]:
    """The app served by uvicorn in a background thread, on a free port, on this test's database."""
    with serving(db, app, "live server") as (url, services):
        yield Live(url, services)


@pytest.fixture
def live_server(live: Live) -> str:
    """The base URL of the running app."""
    return live.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: `make browser-deps` installs Debian's chromium")
    if not AXE.exists() and shutil.which("npm"):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=False)
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: `make browser-deps` (npm install) fetches axe-core")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def watch_csp(page: Any, violations: list[str]) -> Any:
    """Note every Content-Security-Policy violation the page reports in its console."""
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    return page


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (own cookies), French, desktop-sized; ``page.set_viewport_size(PHONE)`` for a phone.

    The test fails if the page reports a Content-Security-Policy violation (a script or style the policy blocked)."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    violations: list[str] = []
    try:
        yield watch_csp(context.new_page(), violations)
    finally:
        context.close()
    assert not violations, violations


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[[], Any]]:
    """More pages, each with its own cookies (another person, another device)."""
    contexts: list[Any] = []

    violations: list[str] = []

    def make() -> Any:
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return watch_csp(context.new_page(), violations)

    yield make
    for context in contexts:
        context.close()
    assert not violations, violations


def a11y_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluated by the driver, not as an inline <script>: the pages' CSP forbids inline scripts, rightly
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result: dict[str, Any] = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} → {targets}")
    return "\n".join(lines)


@pytest.fixture
def check_a11y() -> CheckA11y:
    """Assert the page has no WCAG 2 A/AA violation (axe-core), naming the rule and the elements otherwise."""

    def check(page: Any) -> None:
        violations = a11y_violations(page)
        assert not violations, f"accessibility violations on {page.url}:\n{describe(violations)}"

    return check


def phone_overflow(page: Any) -> int:
    """How many pixels the page is wider than a phone's screen (0: nothing to scroll sideways)."""
    overflow: int = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    return overflow


@pytest.fixture
def check_phone() -> CheckA11y:
    """Reload the page at 375 px wide: nothing scrolls sideways, axe finds nothing; then back to desktop size."""

    def check(page: Any) -> None:
        size = page.viewport_size
        page.set_viewport_size(PHONE)
        try:
            assert phone_overflow(page) <= 0, f"{page.url} scrolls sideways on a phone"
            violations = a11y_violations(page)
            assert not violations, f"accessibility violations on {page.url} (phone):\n{describe(violations)}"
        finally:
            if size:
                page.set_viewport_size(size)

    return check


@pytest.fixture
def sign_in(live: Live) -> SignIn:
    """Sign ``page`` in through the sign-in form (as a person would)."""

    def do(page: Any, email: str, password: str) -> None:
        page.goto(live.url + "/connexion")
        page.get_by_label("Adresse électronique").fill(email)
        page.get_by_label("Mot de passe", exact=True).fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()
        assert "/connexion" not in page.url, page.locator("main").inner_text()

    return do
