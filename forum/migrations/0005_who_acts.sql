-- Who acts, kept on the write side: a person's organisation, role, status and name, and the roles people hold
-- in forums, written by the application in the same statement (store.save_command) as the Person and ForumRoles
-- events they follow from. A role granted, changed or withdrawn, a person deactivated, counts for the very next
-- request, before any projection has run.
-- They are read when a session or an API token is resolved, before the request's organisation is known (as
-- store.credentials are): every organisation's rows are readable by the service's role; each is written only
-- from its own organisation's store (the person's; a forum's host's). Each row set carries the version of the
-- aggregate it was taken from, so an older state never overwrites a newer one (a back-fill beside live saves).

CREATE TABLE store.people (
    person_id uuid PRIMARY KEY,
    organisation text NOT NULL CHECK (organisation <> ''),
    role text NOT NULL,
    status text NOT NULL CHECK (status IN ('invited', 'active', 'deactivated')),
    name text NOT NULL,
    version bigint NOT NULL
);

-- One row per forum whose roles are kept (its ForumRoles aggregate, in the host's store) ...
CREATE TABLE store.forum_role_sets (
    forum_id uuid PRIMARY KEY,
    organisation text NOT NULL CHECK (organisation <> ''),
    version bigint NOT NULL
);
-- ... and one per role held there, replaced whole whenever the forum's roles change.
CREATE TABLE store.forum_roles (
    person_id uuid NOT NULL,
    forum_id uuid NOT NULL,
    role text NOT NULL,
    person_organisation text NOT NULL,
    organisation text NOT NULL CHECK (organisation <> ''),
    PRIMARY KEY (person_id, forum_id, role)
);
CREATE INDEX forum_roles_forum_idx ON store.forum_roles (forum_id);

DO $$
DECLARE
    kept text;
BEGIN
    FOREACH kept IN ARRAY ARRAY['people', 'forum_role_sets', 'forum_roles'] LOOP
        EXECUTE format('ALTER TABLE store.%I ENABLE ROW LEVEL SECURITY', kept);
        EXECUTE format('ALTER TABLE store.%I FORCE ROW LEVEL SECURITY', kept);
        EXECUTE format('CREATE POLICY who_acts ON store.%I FOR SELECT TO forum_app USING (true)', kept);
        EXECUTE format('CREATE POLICY own_organisation_inserts ON store.%I FOR INSERT TO forum_app'
                       ' WITH CHECK (organisation = current_setting(''forum.organisation'', true))', kept);
        EXECUTE format('CREATE POLICY own_organisation_updates ON store.%I FOR UPDATE TO forum_app'
                       ' USING (organisation = current_setting(''forum.organisation'', true))'
                       ' WITH CHECK (organisation = current_setting(''forum.organisation'', true))', kept);
        EXECUTE format('CREATE POLICY own_organisation_deletes ON store.%I FOR DELETE TO forum_app'
                       ' USING (organisation = current_setting(''forum.organisation'', true))', kept);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON store.%I TO forum_app', kept);
    END LOOP;
END
$$;

-- Writes the state of the Person and ForumRoles aggregates a save changes, as ``organisation``'s store:
--   people:      [{"person_id", "role", "status", "name", "version"}]
--   forum_roles: [{"forum_id", "version", "grants": [{"person_id", "role", "person_organisation"}]}]
-- A row set older than the one stored (a lower version) is ignored.
CREATE FUNCTION store.keep_who_acts(organisation text, people jsonb, forum_roles jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    newer uuid[];
BEGIN
    PERFORM set_config('forum.organisation', organisation, true);
    IF jsonb_array_length(coalesce(people, '[]')) > 0 THEN
        INSERT INTO store.people AS t (person_id, organisation, role, status, name, version)
        SELECT p.person_id, keep_who_acts.organisation, p.role, p.status, p.name, p.version
        FROM jsonb_to_recordset(people) AS p(person_id uuid, role text, status text, name text, version bigint)
        ON CONFLICT (person_id) DO UPDATE
            SET role = EXCLUDED.role, status = EXCLUDED.status, name = EXCLUDED.name, version = EXCLUDED.version
            WHERE t.version < EXCLUDED.version;
    END IF;
    IF jsonb_array_length(coalesce(forum_roles, '[]')) > 0 THEN
        WITH kept AS (
            INSERT INTO store.forum_role_sets AS t (forum_id, organisation, version)
            SELECT s.forum_id, keep_who_acts.organisation, s.version
            FROM jsonb_to_recordset(forum_roles) AS s(forum_id uuid, version bigint)
            ON CONFLICT (forum_id) DO UPDATE SET version = EXCLUDED.version WHERE t.version < EXCLUDED.version
            RETURNING t.forum_id
        )
        SELECT coalesce(array_agg(kept.forum_id), '{}') INTO newer FROM kept;
        DELETE FROM store.forum_roles f WHERE f.forum_id = ANY(newer);
        INSERT INTO store.forum_roles (person_id, forum_id, role, person_organisation, organisation)
        SELECT g.person_id, s.forum_id, g.role, g.person_organisation, keep_who_acts.organisation
        FROM jsonb_to_recordset(forum_roles) AS s(forum_id uuid, grants jsonb)
        CROSS JOIN LATERAL jsonb_to_recordset(s.grants) AS g(person_id uuid, role text, person_organisation text)
        WHERE s.forum_id = ANY(newer);
    END IF;
END
$$;
REVOKE ALL ON FUNCTION store.keep_who_acts(text, jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION store.keep_who_acts(text, jsonb, jsonb) TO forum_app;

-- The save of migration 0004, now also keeping who acts: after the events are inserted, under the same lock and in
-- the same statement (nothing more arrives from the client while the lock is held). The former signature is
-- dropped: a process still running the former code is refused its saves instead of leaving roles behind.
DROP FUNCTION store.save_command(text, text, text, text, text, bytea, store.stored_event_uuid[], integer);
CREATE FUNCTION store.save_command(
    organisation text,
    actor text,
    command_id text,
    command_name text,
    command_target text,
    command_result bytea,
    events store.stored_event_uuid[],
    people jsonb,
    forum_roles jsonb,
    lock_timeout_ms integer DEFAULT 10000
) RETURNS SETOF bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM set_config('forum.organisation', organisation, true);
    IF command_id IS NOT NULL THEN
        INSERT INTO store.commands (actor, command_id, name, target, result)
        VALUES (actor, command_id, command_name, command_target, command_result);
    END IF;
    IF cardinality(events) > 0 THEN
        PERFORM set_config('lock_timeout', lock_timeout_ms || 'ms', true);
        LOCK TABLE store.forum_events IN EXCLUSIVE MODE;
        NOTIFY forum_events;
        RETURN QUERY
            INSERT INTO store.forum_events AS t (originator_id, originator_version, topic, state)
            SELECT e.originator_id, e.originator_version, e.topic, e.state FROM unnest(events) AS e
            RETURNING t.notification_id;
    END IF;
    IF people IS NOT NULL OR forum_roles IS NOT NULL THEN
        PERFORM store.keep_who_acts(organisation, people, forum_roles);
    END IF;
END
$$;
REVOKE ALL ON FUNCTION store.save_command(text, text, text, text, text, bytea, store.stored_event_uuid[], jsonb, jsonb,
    integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION store.save_command(text, text, text, text, text, bytea, store.stored_event_uuid[], jsonb,
    jsonb, integer) TO forum_app;

-- People and forums whose events were stored before this migration: their rows are built from their events by the
-- application at start-up (forum.entrypoints.bootstrap; a migration cannot decode msgpack), then struck off here.
CREATE TABLE store.who_acts_backfill (
    organisation text NOT NULL,
    originator_id uuid NOT NULL,
    PRIMARY KEY (organisation, originator_id)
);
ALTER TABLE store.who_acts_backfill ENABLE ROW LEVEL SECURITY;
ALTER TABLE store.who_acts_backfill FORCE ROW LEVEL SECURITY;
CREATE POLICY listed ON store.who_acts_backfill FOR SELECT TO forum_app USING (true);
CREATE POLICY own_organisation ON store.who_acts_backfill FOR DELETE TO forum_app
    USING (organisation = current_setting('forum.organisation', true));
GRANT SELECT, DELETE ON store.who_acts_backfill TO forum_app;

INSERT INTO store.who_acts_backfill (organisation, originator_id)
SELECT DISTINCT e.organisation, e.originator_id FROM store.forum_events e
WHERE e.topic LIKE 'domain.person:Person.%' OR e.topic LIKE 'domain.person:ForumRoles.%';
