-- The one event log shared by every organisation: each row carries its organisation,
-- set inside the write transaction; row-level security hides other organisations' rows;
-- a trigger keeps the log append-only.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'forum_app') THEN
        CREATE ROLE forum_app NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'forum_projector') THEN
        CREATE ROLE forum_projector NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'forum_reader') THEN
        CREATE ROLE forum_reader NOLOGIN;
    END IF;
END
$$;
-- The connecting owner switches to these roles; it must be a member (a no-op for a superuser).
GRANT forum_app, forum_projector, forum_reader TO CURRENT_USER;

CREATE SCHEMA store;
GRANT USAGE ON SCHEMA store TO forum_app, forum_projector, forum_reader;

CREATE TABLE store.forum_events (
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text NOT NULL,
    state bytea NOT NULL,
    notification_id bigserial NOT NULL,
    organisation text NOT NULL DEFAULT current_setting('forum.organisation', true)
        CHECK (organisation <> ''),
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (originator_id, originator_version)
);
CREATE UNIQUE INDEX forum_events_notification_id_idx ON store.forum_events (notification_id);
CREATE INDEX forum_events_organisation_position_idx ON store.forum_events (organisation, notification_id);

-- The composite type the eventsourcing recorder inserts through.
CREATE TYPE store.stored_event_uuid AS (
    originator_id uuid, originator_version bigint, topic text, state bytea
);

CREATE FUNCTION store.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'forum: % on %.% is refused: history is append-only', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER forum_events_append_only BEFORE UPDATE OR DELETE ON store.forum_events
    FOR EACH ROW EXECUTE FUNCTION store.refuse_change();
CREATE TRIGGER forum_events_no_truncate BEFORE TRUNCATE ON store.forum_events
    FOR EACH STATEMENT EXECUTE FUNCTION store.refuse_change();

ALTER TABLE store.forum_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE store.forum_events FORCE ROW LEVEL SECURITY;
CREATE POLICY own_organisation ON store.forum_events TO forum_app
    USING (organisation = current_setting('forum.organisation', true))
    WITH CHECK (organisation = current_setting('forum.organisation', true));
CREATE POLICY follow_every_organisation ON store.forum_events FOR SELECT TO forum_projector USING (true);

-- UPDATE is granted only because LOCK TABLE ... EXCLUSIVE (which keeps commit order = position order)
-- requires it; the trigger above refuses every actual UPDATE.
GRANT SELECT, INSERT, UPDATE ON store.forum_events TO forum_app;
GRANT SELECT ON store.forum_events TO forum_projector;
GRANT USAGE ON SEQUENCE store.forum_events_notification_id_seq TO forum_app;

-- Commands already carried out, by client-supplied id, written in the same transaction as their events:
-- the same id sent again returns the first result and records nothing new.
CREATE TABLE store.commands (
    organisation text NOT NULL DEFAULT current_setting('forum.organisation', true) CHECK (organisation <> ''),
    actor text NOT NULL,
    command_id text NOT NULL,
    name text NOT NULL,
    result bytea NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (organisation, actor, command_id)
);
CREATE TRIGGER commands_append_only BEFORE UPDATE OR DELETE ON store.commands
    FOR EACH ROW EXECUTE FUNCTION store.refuse_change();
ALTER TABLE store.commands ENABLE ROW LEVEL SECURITY;
ALTER TABLE store.commands FORCE ROW LEVEL SECURITY;
CREATE POLICY own_organisation ON store.commands TO forum_app
    USING (organisation = current_setting('forum.organisation', true))
    WITH CHECK (organisation = current_setting('forum.organisation', true));
GRANT SELECT, INSERT ON store.commands TO forum_app;
