-- People's accounts: operational tables, mutable, NOT history (the history of a person is their events).
-- Passwords, sessions, API tokens and single-use links are stored hashed; the service acts as forum_app.
-- They are looked up by a secret's hash, before the organisation is known, so they carry the organisation
-- as a column but no row-level security.

CREATE TABLE store.credentials (
    person_id uuid PRIMARY KEY,
    organisation text NOT NULL,
    password_hash text NOT NULL,
    disabled_at timestamptz,           -- set at once when the person is deactivated
    updated_at timestamptz NOT NULL
);

CREATE TABLE store.sessions (
    token_hash bytea PRIMARY KEY,      -- sha256 of the cookie's value
    person_id uuid NOT NULL,
    organisation text NOT NULL,
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    address text NOT NULL DEFAULT '',
    user_agent text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_person_idx ON store.sessions (person_id);

CREATE TABLE store.api_tokens (
    id uuid PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE,  -- sha256 of the token, shown once to its owner
    person_id uuid NOT NULL,
    organisation text NOT NULL,
    name text NOT NULL,
    prefix text NOT NULL,              -- the first characters, to recognise a token in a list
    created_at timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX api_tokens_person_idx ON store.api_tokens (person_id);

-- Invitation and password-reset links: single-use, expiring.
CREATE TABLE store.links (
    token_hash bytea PRIMARY KEY,
    purpose text NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    person_id uuid NOT NULL,
    organisation text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX links_person_idx ON store.links (person_id, purpose);

-- Failed sign-in attempts, by account and by address, for throttling.
CREATE TABLE store.signin_failures (
    key text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX signin_failures_key_idx ON store.signin_failures (key, at);

-- Outgoing mail: written here first; sent through SMTP when SMTP_URL is set (`forum mail outbox` lists it).
CREATE TABLE store.outbox (
    id bigserial PRIMARY KEY,
    organisation text NOT NULL,
    recipient text NOT NULL,
    subject text NOT NULL,
    body text NOT NULL,
    created_at timestamptz NOT NULL,
    sent_at timestamptz,
    error text
);

GRANT SELECT, INSERT, UPDATE, DELETE ON store.credentials, store.sessions, store.api_tokens, store.links,
    store.signin_failures, store.outbox TO forum_app;
GRANT USAGE ON SEQUENCE store.outbox_id_seq TO forum_app;
