"""Authentication: argon2 passwords, server-side sessions, API tokens, single-use links, throttling, and who acts.

Secrets (session cookies, API tokens, links) are random, shown once and stored as their SHA-256 (a slow hash
adds nothing to 256 random bits); passwords are hashed with argon2id. Everything here is operational state in
``store`` tables, not history: a person's history is their ``Person`` events.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import CHEAPEST

from domain.errors import DomainError, Invalid, NotFound
from domain.formatting import moment
from domain.person import Person, normalise_email
from domain.values import check_storable_text, make_storable
from forum.access import Actor
from forum.application import ForumApplication
from forum.mail import Mailer
from forum.settings import Settings

log = logging.getLogger("forum.auth")

SESSION_COOKIE = "forum_session"
SESSION_IDLE = timedelta(hours=12)  # signed out after this long without a request
SESSION_MAX = timedelta(days=14)  # and after this long in any case
TOKEN_PREFIX = "forum_"  # noqa: S105  # a prefix that makes leaked tokens recognisable, not a secret
# Sign-in throttling (``Throttle``): a counter is forgotten after this long without a failure on it
THROTTLE_WINDOW = timedelta(minutes=15)
PAIR_FREE = 4  # failures on one account from one address before each new attempt waits (2 s, 4 s, 8 s …)
PAIR_MAX_DELAY = 15 * 60  # seconds: the longest wait between attempts on one account from one address
ADDRESS_FREE = 30  # failures from one address across accounts before its attempts on other accounts wait …
ADDRESS_MAX_DELAY = 60  # … at most this many seconds (an office behind one address is slowed, never locked out)
ACCOUNT_GUARD = 20  # failures on one account across addresses: the owner is mailed an unlock link, and
# addresses that already failed on it wait for that link (or a quiet window); a new address is always checked
KNOWN_FOR = timedelta(days=90)  # an address an account signed in from is spared the per-address wait this long
PASSWORD_MIN = 12
PASSWORD_MAX = 256


class WrongCredentials(DomainError, status=401, rule="wrong_credentials"): ...


class AccountDisabled(DomainError, status=403, rule="account_disabled"): ...


class TooManyAttempts(DomainError, status=429, rule="too_many_attempts"): ...


class LinkInvalid(NotFound, rule="link_invalid"):
    """An invitation or reset link that is unknown, already used or expired: nothing is changed."""


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def check_password(password: str, field: str = "password", *, email: str | None = None) -> str:
    if len(password) < PASSWORD_MIN:
        raise Invalid(
            f"Le mot de passe doit compter au moins {PASSWORD_MIN} caractères ({len(password)}).",
            field=field,
            rule="password_too_short",
        )
    if len(password) > PASSWORD_MAX:
        raise Invalid(f"Le mot de passe dépasse {PASSWORD_MAX} caractères.", field=field, rule="too_long")
    if email and normalise_email(password) == normalise_email(email):
        raise Invalid(
            "Le mot de passe ne peut pas être votre adresse électronique.", field=field, rule="password_is_email"
        )
    return password


@dataclass(frozen=True)
class Link:
    purpose: str
    person_id: str
    organisation: str
    expires_at: datetime


@dataclass(frozen=True)
class NewToken:
    id: str
    name: str
    prefix: str
    token: str  # shown once, never stored
    created_at: datetime


@dataclass(frozen=True)
class TokenInfo:
    id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True)
class SessionInfo:
    created_at: datetime
    last_seen_at: datetime
    address: str
    user_agent: str


class Auth:
    """Passwords, sessions, tokens and links, on the write side's connection pool."""

    def __init__(self, app: ForumApplication, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        # Tests hash hundreds of passwords: the cheapest parameters there, argon2id's defaults elsewhere.
        self.hasher = PasswordHasher.from_parameters(CHEAPEST) if settings.environment == "test" else PasswordHasher()
        self._decoy: str | None = None  # hashed on first use: every process builds an Auth, few verify passwords
        self.mailer: Mailer | None = None  # set by the composition root: unlock links are mailed

    def now(self) -> datetime:
        return self.app.clock()

    def _transaction(self, *, commit: bool = True) -> Any:
        return self.app.store.datastore.transaction(commit=commit)

    # -- passwords ------------------------------------------------------------------------------------

    def store_password(self, curs: Any, person_id: str, organisation: str, password: str) -> None:
        """Within the caller's transaction: the person's password hash, replacing any earlier one."""
        curs.execute(
            "INSERT INTO store.credentials (person_id, organisation, password_hash, updated_at)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (person_id) DO UPDATE"
            " SET password_hash = EXCLUDED.password_hash, updated_at = EXCLUDED.updated_at",
            (person_id, organisation, self.hasher.hash(password), self.now()),
        )

    def set_password(self, person_id: str, organisation: str, password: str) -> None:
        with self._transaction() as curs:
            self.store_password(curs, person_id, organisation, password)

    def verify_password(self, person_id: str, password: str) -> bool:
        with self._transaction(commit=False) as curs:
            curs.execute("SELECT password_hash FROM store.credentials WHERE person_id = %s", (person_id,))
            row = curs.fetchone()
        return self._verify(row["password_hash"] if row else None, password)

    def account(self, person_id: str) -> tuple[str, bool] | None:
        """(organisation, disabled) of the person's account, or None if they never chose a password."""
        with self._transaction(commit=False) as curs:
            curs.execute("SELECT organisation, disabled_at FROM store.credentials WHERE person_id = %s", (person_id,))
            row = curs.fetchone()
        return (row["organisation"], row["disabled_at"] is not None) if row else None

    def has_password(self, person_id: str) -> bool:
        with self._transaction(commit=False) as curs:
            curs.execute("SELECT 1 FROM store.credentials WHERE person_id = %s", (person_id,))
            return curs.fetchone() is not None

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            # an unknown account costs the same time as a known one
            if password_hash is None and self._decoy is None:
                self._decoy = self.hasher.hash(secrets.token_urlsafe(16))
            return self.hasher.verify(password_hash or self._decoy or "", password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    # -- signing in -----------------------------------------------------------------------------------

    def sign_in(self, email: str, password: str, *, address: str = "", user_agent: str = "") -> str:
        """A new session's secret for the person with this address and password; refused when throttled.

        Throttling slows a guesser without locking the owner out (see ``Throttle``): each attempt is counted before
        its password is checked, by one atomic upsert per key, so concurrent attempts never pass a limit together.
        """
        now = self.now()
        person_id = str(Person.id_for(email))
        throttle = Throttle(person_id, address or "-")
        with self._transaction() as curs:
            throttle.reserve(curs, now)
        with self._transaction(commit=False) as curs:
            curs.execute(
                "SELECT organisation, password_hash, disabled_at FROM store.credentials WHERE person_id = %s",
                (person_id,),
            )
            row = curs.fetchone()
        if row is None or not self._verify(row["password_hash"], password):
            if row is None:
                self._verify(None, password)  # an unknown account costs the same time as a known one
            with self._transaction() as curs:
                failures = throttle.failed(curs, now)
            log.info("sign-in refused", extra={"person": person_id})
            if row is not None and row["disabled_at"] is None and failures == ACCOUNT_GUARD:
                self._mail_unlock_link(email, person_id, row["organisation"])
            raise WrongCredentials("Adresse électronique ou mot de passe incorrect.")
        with self._transaction() as curs:
            throttle.succeeded(curs, now)
            if row["disabled_at"] is None and self.hasher.check_needs_rehash(row["password_hash"]):
                self.store_password(curs, person_id, row["organisation"], password)
        if row["disabled_at"] is not None:
            raise AccountDisabled("Ce compte est désactivé : adressez-vous à un organisateur de votre organisation.")
        return self.open_session(person_id, row["organisation"], address=address, user_agent=user_agent)

    def _mail_unlock_link(self, email: str, person_id: str, organisation: str) -> None:
        """Tell the owner their account is being guessed at, with a link that lifts every limit on it."""
        if self.mailer is None:
            log.warning("account under guessing, no mailer to send an unlock link", extra={"person": person_id})
            return
        secret = self.issue_link("unlock", person_id, organisation)
        expiry = moment(self.now() + timedelta(days=self.settings.link_days))
        self.mailer.send(
            to=normalise_email(email),
            organisation=organisation,
            subject="Tentatives de connexion à votre compte Forum",
            body=(
                f"Bonjour,\n\n{ACCOUNT_GUARD} tentatives de connexion à votre compte ont échoué depuis plusieurs "
                "adresses. Les adresses qui se sont trompées ne peuvent plus essayer pour le moment ; votre mot de "
                "passe n'a pas été révélé.\n\nSi c'était vous et que vous êtes bloqué(e), ouvrez ce lien (une seule "
                f"fois, avant le {expiry}) pour lever le blocage :\n{self.settings.base_url}/deblocage/{secret}\n\n"
                "Si ce n'était pas vous, vous pouvez aussi changer votre mot de passe depuis « Mon compte ».\n"
            ),
        )

    def unlock(self, secret: str) -> Link:
        """Spend an unlock link: every limit on the person's sign-ins is lifted (``LinkInvalid`` otherwise)."""
        with self._transaction() as curs:
            link = self._usable_link(curs, "unlock", secret, lock=True)
            curs.execute("UPDATE store.links SET used_at = %s WHERE token_hash = %s", (self.now(), digest(secret)))
            Throttle(link.person_id, "-").lift(curs)
        return link

    def take(self, key: str, limit: int) -> bool:
        """Count one use of ``key`` (e.g. a reset mail); False, counting nothing, past ``limit`` in the window.

        Counted atomically in ``store.signin_throttle`` (one upsert), beside the sign-in counters.
        """
        with self._transaction() as curs:
            return _count(curs, key, self.now(), limit=limit) is not None

    # -- sessions -------------------------------------------------------------------------------------

    def open_session(self, person_id: str, organisation: str, *, address: str = "", user_agent: str = "") -> str:
        secret = secrets.token_urlsafe(32)
        now = self.now()
        with self._transaction() as curs:
            curs.execute(
                "INSERT INTO store.sessions (token_hash, person_id, organisation, created_at, last_seen_at,"
                " expires_at, address, user_agent) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    digest(secret),
                    person_id,
                    organisation,
                    now,
                    now,
                    now + SESSION_MAX,
                    make_storable(address)[:100],  # kept as received, but never a NUL PostgreSQL refuses
                    make_storable(user_agent)[:300],
                ),
            )
        return secret

    def close_session(self, secret: str) -> None:
        with self._transaction() as curs:
            curs.execute("DELETE FROM store.sessions WHERE token_hash = %s", (digest(secret),))

    def close_sessions(self, person_id: str, *, keep: str | None = None) -> int:
        """Sign the person out everywhere (but the session ``keep``); returns how many sessions were closed."""
        with self._transaction() as curs:
            curs.execute(
                "DELETE FROM store.sessions WHERE person_id = %s AND token_hash <> %s",
                (person_id, digest(keep) if keep else b""),
            )
            closed: int = curs.rowcount
        return closed

    def sessions_of(self, person_id: str) -> list[SessionInfo]:
        with self._transaction(commit=False) as curs:
            curs.execute(
                "SELECT created_at, last_seen_at, address, user_agent FROM store.sessions"
                " WHERE person_id = %s AND expires_at > %s AND last_seen_at > %s ORDER BY last_seen_at DESC",
                (person_id, self.now(), self.now() - SESSION_IDLE),
            )
            return [SessionInfo(**row) for row in curs.fetchall()]

    # -- API tokens -----------------------------------------------------------------------------------

    def issue_token(self, actor: Actor, name: str) -> NewToken:
        """A personal API token for the actor: acts with their organisation and roles, whatever they become."""
        name = check_storable_text(name, "name").strip() or "jeton"
        if len(name) > 100:
            raise Invalid(f"Le nom du jeton dépasse 100 caractères ({len(name)}).", field="name", rule="too_long")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token_id, now = str(uuid.uuid4()), self.now()
        with self._transaction() as curs:
            curs.execute(
                "INSERT INTO store.api_tokens (id, token_hash, person_id, organisation, name, prefix, created_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (token_id, digest(token), actor.person_id, actor.organisation, name, token[:12], now),
            )
        return NewToken(id=token_id, name=name, prefix=token[:12], token=token, created_at=now)

    def tokens_of(self, person_id: str) -> list[TokenInfo]:
        with self._transaction(commit=False) as curs:
            curs.execute(
                "SELECT id, name, prefix, created_at, last_used_at FROM store.api_tokens"
                " WHERE person_id = %s AND revoked_at IS NULL ORDER BY created_at, id",
                (person_id,),
            )
            return [TokenInfo(**{**row, "id": str(row["id"])}) for row in curs.fetchall()]

    def revoke_token(self, actor: Actor, token_id: str) -> None:
        """Revoke one of the actor's own tokens; anyone else's (or an unknown one) is not found."""
        try:
            key = uuid.UUID(token_id)
        except ValueError:
            raise NotFound("Jeton introuvable.") from None
        with self._transaction() as curs:
            curs.execute(
                "UPDATE store.api_tokens SET revoked_at = %s WHERE id = %s AND person_id = %s AND revoked_at IS NULL",
                (self.now(), key, actor.person_id),
            )
            if curs.rowcount == 0:
                raise NotFound("Jeton introuvable.")

    # -- deactivation ---------------------------------------------------------------------------------

    def disable(self, person_id: str) -> None:
        """At once: no more sign-in, every session closed, every token revoked."""
        now = self.now()
        with self._transaction() as curs:
            curs.execute("UPDATE store.credentials SET disabled_at = %s WHERE person_id = %s", (now, person_id))
            curs.execute("DELETE FROM store.sessions WHERE person_id = %s", (person_id,))
            curs.execute(
                "UPDATE store.api_tokens SET revoked_at = %s WHERE person_id = %s AND revoked_at IS NULL",
                (now, person_id),
            )
            curs.execute(
                "UPDATE store.links SET used_at = %s WHERE person_id = %s AND used_at IS NULL", (now, person_id)
            )

    def enable(self, person_id: str) -> None:
        with self._transaction() as curs:
            curs.execute("UPDATE store.credentials SET disabled_at = NULL WHERE person_id = %s", (person_id,))

    # -- single-use links -----------------------------------------------------------------------------

    def issue_link(self, purpose: str, person_id: str, organisation: str) -> str:
        """A new link's secret; earlier unused links of the same purpose for this person stop working."""
        secret = secrets.token_urlsafe(32)
        now = self.now()
        with self._transaction() as curs:
            curs.execute(
                "UPDATE store.links SET used_at = %s WHERE person_id = %s AND purpose = %s AND used_at IS NULL",
                (now, person_id, purpose),
            )
            curs.execute(
                "INSERT INTO store.links (token_hash, purpose, person_id, organisation, created_at, expires_at)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                (digest(secret), purpose, person_id, organisation, now, now + timedelta(days=self.settings.link_days)),
            )
        return secret

    def check_link(self, purpose: str, secret: str) -> Link:
        with self._transaction(commit=False) as curs:
            return self._usable_link(curs, purpose, secret)

    def _usable_link(self, curs: Any, purpose: str, secret: str, *, lock: bool = False) -> Link:
        what = LINK_WORDS.get(purpose, "de réinitialisation du mot de passe")
        curs.execute(
            "SELECT person_id, organisation, expires_at, used_at FROM store.links WHERE token_hash = %s"
            " AND purpose = %s" + (" FOR UPDATE" if lock else ""),
            (digest(secret), purpose),
        )
        row = curs.fetchone()
        if row is None:
            raise LinkInvalid(f"Ce lien {what} est inconnu : vérifiez qu'il a été copié en entier.")
        if row["used_at"] is not None:
            raise LinkInvalid(f"Ce lien {what} a déjà servi ou a été remplacé par un plus récent.")
        if row["expires_at"] <= self.now():
            raise LinkInvalid(f"Ce lien {what} a expiré le {moment(row['expires_at'])} : demandez-en un nouveau.")
        return Link(purpose, str(row["person_id"]), row["organisation"], row["expires_at"])

    def use_link(self, purpose: str, secret: str, password: str) -> Link:
        """Spend the link and store the new password in one transaction (a link serves once)."""
        with self._transaction() as curs:
            link = self._usable_link(curs, purpose, secret, lock=True)
            curs.execute("UPDATE store.links SET used_at = %s WHERE token_hash = %s", (self.now(), digest(secret)))
            self.store_password(curs, link.person_id, link.organisation, password)
        return link


LINK_WORDS = {"invitation": "d'invitation", "reset": "de réinitialisation du mot de passe", "unlock": "de déblocage"}


# -- throttling sign-ins, counted atomically ------------------------------------------------------------------------

_CHARGE = """
    INSERT INTO store.signin_throttle AS t (key, failures, first_at, last_at, blocked_until)
    VALUES (%(key)s, 1, %(now)s, %(now)s, %(now)s + make_interval(secs => CASE WHEN 1 > %(free)s THEN 2 ELSE 0 END))
    ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.last_at <= %(quiet)s THEN 1 ELSE t.failures + 1 END,
        first_at = CASE WHEN t.last_at <= %(quiet)s THEN %(now)s ELSE t.first_at END,
        last_at = %(now)s,
        blocked_until = %(now)s + make_interval(secs => CASE
            WHEN t.last_at <= %(quiet)s OR t.failures + 1 <= %(free)s THEN 0
            ELSE least(%(cap)s, power(2, least(t.failures + 1 - %(free)s, 30))) END)
    WHERE t.blocked_until <= %(now)s OR t.last_at <= %(quiet)s
    RETURNING failures
"""
_COUNT = """
    INSERT INTO store.signin_throttle AS t (key, failures, first_at, last_at, blocked_until)
    VALUES (%(key)s, 1, %(now)s, %(now)s, %(now)s)
    ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.{since} <= %(window)s THEN 1 ELSE t.failures + 1 END,
        first_at = CASE WHEN t.{since} <= %(window)s THEN %(now)s ELSE t.first_at END,
        last_at = %(now)s
    WHERE t.failures < %(limit)s OR t.{since} <= %(window)s
    RETURNING failures
"""


def _count(curs: Any, key: str, now: datetime, *, limit: int, quiet: bool = False) -> int | None:
    """Count one more on ``key`` in one statement; the new count, or None (nothing counted) past ``limit``.

    The window runs from the first count (``quiet=False``) or is forgotten after a quiet window (``quiet=True``).
    """
    curs.execute(
        _COUNT.format(since="last_at" if quiet else "first_at"),
        {"key": key, "now": now, "window": now - THROTTLE_WINDOW, "limit": limit},
    )
    row = curs.fetchone()
    return int(row["failures"]) if row else None


def _wait_message(until: datetime, now: datetime) -> str:
    seconds = max(1, int((until - now).total_seconds() + 0.999))
    if seconds < 120:
        return f"Trop de tentatives de connexion : réessayez dans {seconds} secondes."
    return f"Trop de tentatives de connexion : réessayez après le {moment(until)} (heure de Paris)."


class Throttle:
    """The limits on one sign-in attempt: for the account from this address (the pair), from this address across
    accounts, and on the account across addresses.

    * The pair: ``PAIR_FREE`` failures free, then each attempt waits twice as long (2 s, 4 s … ``PAIR_MAX_DELAY``).
      The owner who mistyped waits seconds, never a quarter of an hour for five typos.
    * The address, across accounts: ``ADDRESS_FREE`` failures, then a wait of at most ``ADDRESS_MAX_DELAY``
      seconds, except for an account that signed in from this address before (``KNOWN_FOR``): a guesser behind an
      office's shared address does not slow down its agents.
    * The account, across addresses: at ``ACCOUNT_GUARD`` failures the owner is mailed an unlock link; while
      guarded, an address that already failed on it is refused, and an address that has not failed is still checked
      (the owner is never refused a correct password from elsewhere).

    Each attempt is charged to its pair (and address) *before* its password is checked, by one upsert that refuses
    to count while the key waits: concurrent attempts take turns on the row's lock and cannot all slip under a limit.
    A correct password then takes its charge back.
    """

    def __init__(self, person_id: str, address: str) -> None:
        self.person_id = person_id
        self.pair = f"pair:{person_id}|{address}"
        self.account = f"account:{person_id}"
        self.address = f"address:{address}"
        self.known = f"known:{person_id}|{address}"
        self.address_charged = False

    def reserve(self, curs: Any, now: datetime) -> None:
        """Charge this attempt, or refuse it (``TooManyAttempts``, nothing counted) while it must wait."""
        quiet = now - THROTTLE_WINDOW
        curs.execute(
            "SELECT key, failures, last_at FROM store.signin_throttle WHERE key = ANY(%s)",
            ([self.account, self.pair, self.known],),
        )
        rows = {row["key"]: row for row in curs.fetchall()}
        account, pair, known = (rows.get(k) for k in (self.account, self.pair, self.known))
        guarded = account is not None and account["failures"] >= ACCOUNT_GUARD and account["last_at"] > quiet
        if account is not None and guarded and pair is not None and pair["failures"] > 0 and pair["last_at"] > quiet:
            raise TooManyAttempts(
                _wait_message(account["last_at"] + THROTTLE_WINDOW, now)
                + " Le titulaire du compte a reçu par courriel un lien pour lever le blocage."
            )
        self._charge(curs, self.pair, now, free=PAIR_FREE, cap=PAIR_MAX_DELAY)
        if known is None or known["last_at"] <= now - KNOWN_FOR:
            self._charge(curs, self.address, now, free=ADDRESS_FREE, cap=ADDRESS_MAX_DELAY)
            self.address_charged = True

    @staticmethod
    def _charge(curs: Any, key: str, now: datetime, *, free: int, cap: int) -> None:
        quiet = now - THROTTLE_WINDOW - timedelta(seconds=cap)  # forgotten only well after the longest wait
        curs.execute(_CHARGE, {"key": key, "now": now, "quiet": quiet, "free": free, "cap": cap})
        if curs.fetchone() is None:
            curs.execute("SELECT blocked_until FROM store.signin_throttle WHERE key = %s", (key,))
            row = curs.fetchone()
            raise TooManyAttempts(_wait_message(row["blocked_until"] if row else now, now))

    def failed(self, curs: Any, now: datetime) -> int:
        """The attempt was wrong (its charges stand); the account's failures across addresses, this one included."""
        return _count(curs, self.account, now, limit=2**31 - 1, quiet=True) or 0

    def succeeded(self, curs: Any, now: datetime) -> None:
        """The password was right: the pair is forgiven, the address's charge taken back, the address known."""
        curs.execute("DELETE FROM store.signin_throttle WHERE key = %s", (self.pair,))
        if self.address_charged:
            curs.execute(
                "UPDATE store.signin_throttle SET failures = greatest(failures - 1, 0) WHERE key = %s", (self.address,)
            )
        curs.execute(
            "INSERT INTO store.signin_throttle (key, failures, first_at, last_at, blocked_until)"
            " VALUES (%s, 0, %s, %s, %s) ON CONFLICT (key) DO UPDATE SET last_at = EXCLUDED.last_at",
            (self.known, now, now, now),
        )

    def lift(self, curs: Any) -> None:
        """Every limit on the account: its count across addresses, and each address's count on it."""
        curs.execute(
            "DELETE FROM store.signin_throttle WHERE key = %s OR key LIKE %s",
            (self.account, f"pair:{self.person_id}|%"),
        )


# -- who acts: resolving a session or a token (async, on the web's pool acting as forum_app) -----------
# A person's role, status and name, and their forum roles, come from the write side's store.people and
# store.forum_roles, written in the same statement as the events they follow from (migration 0005): a role
# granted or withdrawn, a person deactivated, counts from the next request, whether or not projections caught up.

_ACTOR = """
    SELECT s.person_id, s.organisation, s.{seen} AS seen, p.role, p.status, p.name,
           (SELECT coalesce(array_agg(f.forum_id::text || ' ' || f.role), '{{}}')
              FROM store.forum_roles f WHERE f.person_id = s.person_id) AS forum_roles
    FROM {table} s
    JOIN store.credentials c ON c.person_id = s.person_id AND c.disabled_at IS NULL
    LEFT JOIN store.people p ON p.person_id = s.person_id
    WHERE s.token_hash = $1 AND {valid}
"""
_SESSION_ACTOR = _ACTOR.format(
    seen="last_seen_at", table="store.sessions", valid="s.expires_at > $2 AND s.last_seen_at > $3"
)
_TOKEN_ACTOR = _ACTOR.format(seen="last_used_at", table="store.api_tokens", valid="s.revoked_at IS NULL")


def _actor(row: Any) -> Actor | None:
    if row is None or row["status"] == "deactivated":
        return None
    roles = frozenset({row["role"]}) if row["role"] else frozenset()
    forum_roles = frozenset(tuple(item.split(" ", 1)) for item in row["forum_roles"])
    return Actor(
        person_id=str(row["person_id"]),
        organisation=row["organisation"],
        roles=roles,
        forum_roles=forum_roles,
        name=row["name"] or "",
    )  # type: ignore[arg-type]


async def actor_for_session(conn: Any, secret: str, now: datetime) -> Actor | None:
    """The person a session cookie signs in, while the session is alive and the person active."""
    key = digest(secret)
    row = await conn.fetchrow(_SESSION_ACTOR, key, now, now - SESSION_IDLE)
    actor = _actor(row)
    if actor is not None and now - row["seen"] > timedelta(minutes=1):
        await conn.execute("UPDATE store.sessions SET last_seen_at = $2 WHERE token_hash = $1", key, now)
    return actor


async def actor_for_token(conn: Any, token: str, now: datetime) -> Actor | None:
    """The person an API token acts for, with their current organisation and roles, until it is revoked."""
    key = digest(token)
    row = await conn.fetchrow(_TOKEN_ACTOR, key)
    actor = _actor(row)
    if actor is not None and (row["seen"] is None or now - row["seen"] > timedelta(minutes=1)):
        await conn.execute("UPDATE store.api_tokens SET last_used_at = $2 WHERE token_hash = $1", key, now)
    return actor


# -- structured logs: who and which request, on every record ------------------------------------------

log_context: ContextVar[dict[str, str] | None] = ContextVar("forum_log_context", default=None)


class LogContext(logging.Filter):
    """Adds ``request_id``, ``person`` and ``organisation`` (from the current request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = log_context.get() or {}
        for key in ("request_id", "person", "organisation"):
            if not hasattr(record, key):
                setattr(record, key, context.get(key, "-"))
        return True


LOG_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s person=%(person)s "
    "organisation=%(organisation)s %(message)s"
)


def install_log_context(level: int = logging.INFO) -> None:
    """Every handler of the root logger gets the context filter and a format that shows it."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level)
    for handler in root.handlers:
        if not any(isinstance(f, LogContext) for f in handler.filters):
            handler.addFilter(LogContext())
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
