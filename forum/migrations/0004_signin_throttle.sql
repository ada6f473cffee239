-- Sign-in throttling, counted atomically: one row per key (an account and an address, an account, an address,
-- a reset mail), incremented by a single upsert that also says whether the attempt may be checked at all.
CREATE TABLE store.signin_throttle (
    key text PRIMARY KEY,
    failures integer NOT NULL,
    first_at timestamptz NOT NULL,
    last_at timestamptz NOT NULL,
    blocked_until timestamptz NOT NULL
);
CREATE INDEX signin_throttle_last_idx ON store.signin_throttle (last_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON store.signin_throttle TO forum_app;

-- Unlock links, mailed to a person whose account is being guessed at from many addresses.
ALTER TABLE store.links DROP CONSTRAINT IF EXISTS links_purpose_check;
ALTER TABLE store.links ADD CONSTRAINT links_purpose_check CHECK (purpose IN ('invitation', 'reset', 'unlock'));
