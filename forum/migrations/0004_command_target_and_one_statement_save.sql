-- A command's record names what it was aimed at, so that an id reused for another command is refused
-- instead of answering the first command's result. Rows recorded before have no target (null) and are
-- compared by name only.
ALTER TABLE store.commands ADD COLUMN target text;

-- One command's save as one statement: the organisation, the command's record and every event arrive with
-- the statement (the server has read all of them before it starts), then the table lock is taken, the events
-- inserted and, in the caller's autocommit, committed at once. The lock that keeps commit order = position
-- order is thus never held while the server waits on a client, however many events one command saves
-- (psycopg's pipeline, used by the library, could stop sending a large save mid-way while holding it).
-- SECURITY INVOKER (the default): row-level security applies to the caller as for its own INSERTs.
CREATE FUNCTION store.save_command(
    organisation text,
    actor text,
    command_id text,
    command_name text,
    command_target text,
    command_result bytea,
    events store.stored_event_uuid[],
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
END
$$;
REVOKE ALL ON FUNCTION store.save_command(text, text, text, text, text, bytea, store.stored_event_uuid[], integer)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION store.save_command(text, text, text, text, text, bytea, store.stored_event_uuid[], integer)
    TO forum_app;
