-- A projection that cannot apply an event stops alone and says so: the event's position, the error, when it
-- failed and how many times it was tried (cleared when the event is applied at last). A rebuild is built into
-- shadow tables ("<table>__rebuild"), following the log from 0 (its own position, rebuild_position), and is
-- swapped in, with the position, in one transaction once it has caught up: a failed rebuild leaves the old rows.
ALTER TABLE read.positions
    ADD COLUMN error text,
    ADD COLUMN failed_position bigint,
    ADD COLUMN failed_at timestamptz,
    ADD COLUMN attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN rebuild_position bigint;

-- The projector does not own the read tables (and must not): these functions, owned by the owner of the
-- schema, do the DDL of a rebuild for it. They only touch tables of the read schema and their shadows.
CREATE FUNCTION read.rebuild_table_name(name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
BEGIN
    IF name !~ '^[a-z_][a-z0-9_]*$' OR name LIKE '%\_\_rebuild' OR name = 'positions' THEN
        RAISE EXCEPTION 'not a read table: %', name USING ERRCODE = '42P01';
    END IF;
    RETURN name;
END
$$;

-- Fresh, empty shadows of the tables: same columns, defaults, constraints, indexes; same grants and policies.
CREATE FUNCTION read.create_rebuild_tables(tables text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t text;
    live regclass;
    shadow text;
    r record;
BEGIN
    FOREACH t IN ARRAY tables LOOP
        t := read.rebuild_table_name(t);
        live := format('read.%I', t)::regclass;
        shadow := format('read.%I', t || '__rebuild');
        EXECUTE format('DROP TABLE IF EXISTS %s', shadow);
        EXECUTE format('CREATE TABLE %s (LIKE %s INCLUDING ALL)', shadow, live);
        FOR r IN
            SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS who
            FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = live AND a.grantee <> c.relowner
        LOOP
            EXECUTE format('GRANT %s ON %s TO %s', r.privilege_type, shadow, r.who);
        END LOOP;
        IF (SELECT relrowsecurity FROM pg_class WHERE oid = live) THEN
            EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', shadow);
        END IF;
        IF (SELECT relforcerowsecurity FROM pg_class WHERE oid = live) THEN
            EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', shadow);
        END IF;
        FOR r IN SELECT * FROM pg_policies WHERE schemaname = 'read' AND tablename = t LOOP
            EXECUTE format(
                'CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s', r.policyname, shadow, r.permissive, r.cmd,
                (SELECT string_agg(CASE WHEN role = 'public' THEN 'PUBLIC' ELSE quote_ident(role) END, ', ')
                 FROM unnest(r.roles) AS role),
                CASE WHEN r.qual IS NULL THEN '' ELSE format(' USING (%s)', r.qual) END,
                CASE WHEN r.with_check IS NULL THEN '' ELSE format(' WITH CHECK (%s)', r.with_check) END);
        END LOOP;
    END LOOP;
END
$$;

-- The shadows take the live tables' place (and their indexes' names); the old tables are dropped.
CREATE FUNCTION read.swap_rebuild_tables(tables text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t text;
    live regclass;
    shadow regclass;
    r record;
    renames text[] := '{}';
BEGIN
    FOREACH t IN ARRAY tables LOOP
        t := read.rebuild_table_name(t);
        live := format('read.%I', t)::regclass;
        shadow := format('read.%I', t || '__rebuild')::regclass;
        renames := '{}';
        FOR r IN
            SELECT old_index.relname AS old_name, new_index.relname AS new_name
            FROM pg_index oi JOIN pg_class old_index ON old_index.oid = oi.indexrelid,
                 pg_index ni JOIN pg_class new_index ON new_index.oid = ni.indexrelid
            WHERE oi.indrelid = live AND ni.indrelid = shadow
              AND regexp_replace(pg_get_indexdef(oi.indexrelid), 'INDEX \S+ ON \S+ ', 'INDEX ON ')
                = regexp_replace(pg_get_indexdef(ni.indexrelid), 'INDEX \S+ ON \S+ ', 'INDEX ON ')
        LOOP
            renames := renames || ARRAY[r.new_name, r.old_name];
        END LOOP;
        EXECUTE format('DROP TABLE %s', live);
        EXECUTE format('ALTER TABLE %s RENAME TO %I', shadow, t);
        FOR i IN 1 .. coalesce(array_length(renames, 1), 0) / 2 LOOP
            IF renames[2 * i - 1] <> renames[2 * i] THEN
                EXECUTE format('ALTER INDEX read.%I RENAME TO %I', renames[2 * i - 1], renames[2 * i]);
            END IF;
        END LOOP;
    END LOOP;
END
$$;

-- A rebuild given up: its shadows go.
CREATE FUNCTION read.drop_rebuild_tables(tables text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY tables LOOP
        t := read.rebuild_table_name(t);
        EXECUTE format('DROP TABLE IF EXISTS read.%I', t || '__rebuild');
    END LOOP;
END
$$;

REVOKE ALL ON FUNCTION read.create_rebuild_tables(text[]), read.swap_rebuild_tables(text[]),
    read.drop_rebuild_tables(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION read.create_rebuild_tables(text[]), read.swap_rebuild_tables(text[]),
    read.drop_rebuild_tables(text[]) TO forum_projector;
