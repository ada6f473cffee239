-- Tamper evidence: each organisation's history is hash-chained in log order, in the very transaction
-- that writes its events (an AFTER INSERT trigger), so no committed event ever exists unchained.
--   link(p) = sha256(link(previous position of the same organisation) || canonical row(p)),
--   the link before an organisation's first event being 32 zero bytes.
-- The canonical row is the 7 stored columns (organisation, notification_id, originator_id, originator_version,
-- topic, state, recorded_at), each as an int4 length then its value in PostgreSQL's binary format: exactly a
-- binary COPY tuple without its field count. forum/audit.py verifies by hashing the bytes a binary COPY of the
-- rows sends (it rebuilds nothing and trusts no function here), and exports are checked by rebuilding them.
-- Chain heads are anchored in store.anchors: periodically and at every palmarès publication.

-- The events are written under the recorder's EXCLUSIVE table lock, so chaining follows commit order.
LOCK TABLE store.forum_events IN EXCLUSIVE MODE;

CREATE FUNCTION store.canonical_event(
    organisation text, notification_id bigint, originator_id uuid, originator_version bigint,
    topic text, state bytea, recorded_at timestamptz
) RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE
RETURN int4send(octet_length(convert_to(organisation, 'UTF8'))) || convert_to(organisation, 'UTF8')
    || '\x00000008'::bytea || int8send(notification_id)
    || '\x00000010'::bytea || uuid_send(originator_id)
    || '\x00000008'::bytea || int8send(originator_version)
    || int4send(octet_length(convert_to(topic, 'UTF8'))) || convert_to(topic, 'UTF8')
    || int4send(octet_length(state)) || state
    || '\x00000008'::bytea || timestamptz_send(recorded_at);

CREATE TABLE store.chain (
    organisation text NOT NULL,
    position bigint NOT NULL,
    link bytea NOT NULL CHECK (octet_length(link) = 32),
    PRIMARY KEY (organisation, position)
);
CREATE TRIGGER chain_append_only BEFORE UPDATE OR DELETE ON store.chain
    FOR EACH ROW EXECUTE FUNCTION store.refuse_change();
CREATE TRIGGER chain_no_truncate BEFORE TRUNCATE ON store.chain
    FOR EACH STATEMENT EXECUTE FUNCTION store.refuse_change();

-- Links are written only by the trigger below (SECURITY DEFINER): no service role may insert one.
ALTER TABLE store.chain ENABLE ROW LEVEL SECURITY;
ALTER TABLE store.chain FORCE ROW LEVEL SECURITY;
CREATE POLICY own_organisation ON store.chain FOR SELECT TO forum_app
    USING (organisation = current_setting('forum.organisation', true));
CREATE POLICY follow_every_organisation ON store.chain FOR SELECT TO forum_projector USING (true);
GRANT SELECT ON store.chain TO forum_app, forum_projector;
-- The table's owner writes the links (the trigger runs as it): row-level security is forced, so it gets a policy.
DO $$
BEGIN
    EXECUTE format('CREATE POLICY chain_writer ON store.chain TO %I USING (true) WITH CHECK (true)', current_user);
END
$$;

-- Appends the links of the rows one INSERT (or COPY) statement added, organisation by organisation, in log order.
-- Positions must come after the organisation's head: writing through the recorder (which locks the table)
-- guarantees it; a writer that bypassed the lock and would chain out of order is refused, never mis-chained.
CREATE FUNCTION store.chain_new_events() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    event record;
    chained_organisation text := NULL;
    previous bytea;
    previous_position bigint;
    organisations text[] := '{}';
    positions bigint[] := '{}';
    links bytea[] := '{}';
BEGIN
    FOR event IN
        SELECT e.organisation, e.notification_id, e.originator_id, e.originator_version, e.topic, e.state,
               e.recorded_at
        FROM new_events e ORDER BY e.organisation, e.notification_id
    LOOP
        IF chained_organisation IS DISTINCT FROM event.organisation THEN
            chained_organisation := event.organisation;
            PERFORM pg_advisory_xact_lock(781002, hashtext(chained_organisation));
            SELECT c.position, c.link INTO previous_position, previous
            FROM store.chain c WHERE c.organisation = chained_organisation ORDER BY c.position DESC LIMIT 1;
            IF NOT FOUND THEN
                previous_position := 0;
                previous := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
            END IF;
        END IF;
        IF event.notification_id <= previous_position THEN
            RAISE EXCEPTION 'forum: event % of % would be chained after position %: write through the recorder',
                event.notification_id, chained_organisation, previous_position
                USING ERRCODE = 'serialization_failure';
        END IF;
        previous := sha256(previous || store.canonical_event(
            event.organisation, event.notification_id, event.originator_id, event.originator_version,
            event.topic, event.state, event.recorded_at));
        previous_position := event.notification_id;
        organisations := organisations || chained_organisation;
        positions := positions || previous_position;
        links := links || previous;
    END LOOP;
    INSERT INTO store.chain (organisation, position, link)
    SELECT * FROM unnest(organisations, positions, links);
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION store.chain_new_events() FROM PUBLIC;

CREATE TRIGGER forum_events_chain AFTER INSERT ON store.forum_events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION store.chain_new_events();

-- Events recorded before this migration are chained now, in log order, by the same function's rule.
DO $$
DECLARE
    event record;
    chained_organisation text := NULL;
    previous bytea;
BEGIN
    FOR event IN
        SELECT e.organisation, e.notification_id, e.originator_id, e.originator_version, e.topic, e.state,
               e.recorded_at
        FROM store.forum_events e ORDER BY e.organisation, e.notification_id
    LOOP
        IF chained_organisation IS DISTINCT FROM event.organisation THEN
            chained_organisation := event.organisation;
            previous := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
        END IF;
        previous := sha256(previous || store.canonical_event(
            event.organisation, event.notification_id, event.originator_id, event.originator_version,
            event.topic, event.state, event.recorded_at));
        INSERT INTO store.chain (organisation, position, link) VALUES (chained_organisation, event.notification_id,
                                                                      previous);
    END LOOP;
END
$$;

-- The platform-wide log of chain heads: not secret, shown on public pages and in exports, so that a later
-- rewrite of an organisation's history contradicts what was published.
CREATE TABLE store.anchors (
    id bigserial PRIMARY KEY,
    anchored_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    organisation text NOT NULL CHECK (organisation <> ''),
    position bigint NOT NULL,
    head text NOT NULL CHECK (head ~ '^[0-9a-f]{64}$'),
    reason text NOT NULL CHECK (reason <> '')
);
CREATE INDEX anchors_organisation_position_idx ON store.anchors (organisation, position);
CREATE TRIGGER anchors_append_only BEFORE UPDATE OR DELETE ON store.anchors
    FOR EACH ROW EXECUTE FUNCTION store.refuse_change();
CREATE TRIGGER anchors_no_truncate BEFORE TRUNCATE ON store.anchors
    FOR EACH STATEMENT EXECUTE FUNCTION store.refuse_change();
GRANT SELECT ON store.anchors TO forum_app, forum_projector, forum_reader;

-- Anchors the head of every organisation's chain (or of one), as the tables' owner (it reads every chain).
-- With only_if_moved, a head already anchored at the same position is not anchored again.
CREATE FUNCTION store.anchor_heads(reason text, only_organisation text DEFAULT NULL, only_if_moved boolean DEFAULT false)
RETURNS SETOF store.anchors
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- One anchorer at a time, so "already anchored" is decided on what the others wrote.
    LOCK TABLE store.anchors IN SHARE ROW EXCLUSIVE MODE;
    RETURN QUERY
    WITH RECURSIVE organisations(organisation) AS (
        SELECT min(c.organisation) FROM store.chain c
        WHERE only_organisation IS NULL OR c.organisation = only_organisation
        UNION ALL
        SELECT (SELECT min(c.organisation) FROM store.chain c
                WHERE c.organisation > o.organisation AND only_organisation IS NULL)
        FROM organisations o WHERE o.organisation IS NOT NULL
    ), heads AS (
        SELECT o.organisation, h.position, encode(h.link, 'hex') AS head
        FROM organisations o
        CROSS JOIN LATERAL (SELECT c.position, c.link FROM store.chain c WHERE c.organisation = o.organisation
                            ORDER BY c.position DESC LIMIT 1) h
    )
    INSERT INTO store.anchors AS a (organisation, position, head, reason)
    SELECT h.organisation, h.position, h.head, anchor_heads.reason FROM heads h
    WHERE NOT (only_if_moved AND EXISTS (
        SELECT 1 FROM store.anchors x WHERE x.organisation = h.organisation AND x.position = h.position))
    ORDER BY h.organisation
    RETURNING a.*;
END
$$;
REVOKE ALL ON FUNCTION store.anchor_heads(text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION store.anchor_heads(text, text, boolean) TO forum_app, forum_projector;
