"""Sign-in throttling against the real database: counted atomically under concurrent attempts, an account guessed at
from many addresses is guarded and its owner mailed an unlock link, and proxies are believed only when configured."""

from __future__ import annotations

import ipaddress
import re
import threading
from collections import Counter
from collections.abc import Iterator

import pytest

from forum.application import ForumApplication
from forum.auth import ACCOUNT_GUARD, ADDRESS_FREE, PAIR_FREE, LinkInvalid, TooManyAttempts, WrongCredentials
from forum.database import Database
from forum.services import Services
from forum.settings import Settings
from tests.accounts import PASSWORD, member
from tests.conftest import Clock
from web.auth import forwarded_for

THREADS = 40


@pytest.fixture
def services(db: Database, clock: Clock) -> Iterator[Services]:
    app = ForumApplication(db, clock=clock, pool_size=8)
    yield Services(settings=Settings(environment="test", public_url="https://forum.test"), db=db, app=app)
    app.close()


def at_once(count: int, attempt: object) -> Counter[str]:
    """Run ``attempt(n)`` in ``count`` threads released together; how each ended, by exception name."""
    barrier, outcomes, lock = threading.Barrier(count), Counter[str](), threading.Lock()

    def run(n: int) -> None:
        barrier.wait()
        try:
            attempt(n)  # type: ignore[operator]
            outcome = "signed_in"
        except (WrongCredentials, TooManyAttempts) as refused:
            outcome = type(refused).__name__
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return outcomes


def test_concurrent_attempts_on_one_account_from_one_address_get_only_the_free_ones_checked(services: Services) -> None:
    agent = member(services, "nord", "agent")
    outcomes = at_once(
        THREADS, lambda n: services.auth.sign_in(agent.email, f"essai {n} incorrect", address="198.51.100.1")
    )
    assert outcomes == {"WrongCredentials": PAIR_FREE + 1, "TooManyAttempts": THREADS - PAIR_FREE - 1}
    # another address is still checked, and the right password works there
    assert services.auth.sign_in(agent.email, PASSWORD, address="198.51.100.2")


def test_concurrent_attempts_across_accounts_from_one_address_are_counted_once_each(services: Services) -> None:
    for n in range(ADDRESS_FREE):
        with pytest.raises(WrongCredentials):
            services.auth.sign_in(f"inconnu{n}@x.fr", "mauvais mot de passe", address="198.51.100.9")
    outcomes = at_once(THREADS, lambda n: services.auth.sign_in(f"autre{n}@x.fr", "faux", address="198.51.100.9"))
    # one more attempt is free, and it sets the wait that refuses every other one
    assert outcomes == {"WrongCredentials": 1, "TooManyAttempts": THREADS - 1}


def test_an_account_guessed_at_from_many_addresses_is_guarded_and_its_owner_mailed_an_unlock_link(
    services: Services, clock: Clock
) -> None:
    agent = member(services, "nord", "agent")
    outcomes = at_once(ACCOUNT_GUARD, lambda n: services.auth.sign_in(agent.email, "faux", address=f"10.1.0.{n}"))
    assert outcomes == {"WrongCredentials": ACCOUNT_GUARD}  # every address that had not failed was checked
    [mail] = services.mail.outbox(recipient=agent.email)  # exactly one mail, however concurrent the failures
    found = re.search(r"/deblocage/(\S+)", mail.body)
    assert found and mail.body.startswith("Bonjour") and "https://forum.test/deblocage/" in mail.body
    # an address that failed on the account waits, even with the right password; a new address is checked
    with pytest.raises(TooManyAttempts) as guarded:
        services.auth.sign_in(agent.email, PASSWORD, address="10.1.0.3")
    assert "courriel" in guarded.value.message
    clock.advance(seconds=30)
    with pytest.raises(TooManyAttempts):
        services.auth.sign_in(agent.email, PASSWORD, address="10.1.0.3")
    assert services.auth.sign_in(agent.email, PASSWORD, address="10.1.0.200")
    # the link lifts the guard at once, and serves once
    services.auth.unlock(found.group(1))
    assert services.auth.sign_in(agent.email, PASSWORD, address="10.1.0.3")
    with pytest.raises(LinkInvalid):
        services.auth.unlock(found.group(1))


def test_the_guard_ends_by_itself_after_a_quiet_window(services: Services, clock: Clock) -> None:
    agent = member(services, "nord", "agent")
    for n in range(ACCOUNT_GUARD):
        with pytest.raises(WrongCredentials):
            services.auth.sign_in(agent.email, "faux", address=f"10.2.0.{n}")
    with pytest.raises(TooManyAttempts):
        services.auth.sign_in(agent.email, PASSWORD, address="10.2.0.0")
    clock.advance(minutes=15, seconds=1)
    assert services.auth.sign_in(agent.email, PASSWORD, address="10.2.0.0")


def test_waits_grow_for_a_persistent_guesser_and_are_capped(services: Services, clock: Clock) -> None:
    agent = member(services, "nord", "agent")
    waits = []
    for _ in range(16):  # a guesser who retries the moment it is allowed: every attempt is checked, and wrong
        with pytest.raises(WrongCredentials):
            services.auth.sign_in(agent.email, "faux", address="192.0.2.1")
        with services.db.connect(autocommit=True) as conn:
            row = conn.execute(
                "SELECT blocked_until FROM store.signin_throttle WHERE key LIKE 'pair:%%|192.0.2.1'"
            ).fetchone()
        assert row is not None
        wait = int((row[0] - clock()).total_seconds())
        waits.append(wait)
        if wait:
            with pytest.raises(TooManyAttempts):  # one second early: refused, and nothing counted
                clock.advance(seconds=wait - 1)
                services.auth.sign_in(agent.email, PASSWORD, address="192.0.2.1")
            clock.advance(seconds=1)
    assert waits == [0] * PAIR_FREE + [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]


def test_x_forwarded_for_is_believed_from_configured_proxies_only() -> None:
    proxies = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128"))
    # no proxy configured, or a peer that is not one: the peer, whatever the header says
    assert forwarded_for("127.0.0.1", ["203.0.113.5"], ()) == "127.0.0.1"
    assert forwarded_for("198.51.100.7", ["203.0.113.5"], proxies) == "198.51.100.7"
    # through proxies: the right-most hop that is not a proxy (a client cannot prepend its own choice)
    assert forwarded_for("10.0.0.2", ["1.2.3.4, 203.0.113.5"], proxies) == "203.0.113.5"
    assert forwarded_for("10.0.0.2", ["1.2.3.4", "203.0.113.5, 10.0.0.9"], proxies) == "203.0.113.5"
    assert forwarded_for("::1", ["2001:db8::1"], proxies) == "2001:db8::1"
    # every hop a proxy, none, or a malformed one: the last address a proxy vouched for
    assert forwarded_for("10.0.0.2", ["10.0.0.3"], proxies) == "10.0.0.3"
    assert forwarded_for("10.0.0.2", [], proxies) == "10.0.0.2"
    assert forwarded_for("10.0.0.2", ["203.0.113.5, pas-une-adresse"], proxies) == "10.0.0.2"
