-- The read side lives in its own schema. Each projection records, in the same transaction as
-- its rows, the log position it has read up to.
CREATE SCHEMA read;
GRANT USAGE ON SCHEMA read TO forum_projector, forum_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA read GRANT SELECT ON TABLES TO forum_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA read GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO forum_projector;
ALTER DEFAULT PRIVILEGES IN SCHEMA read GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO forum_projector;

CREATE TABLE read.positions (
    projection text PRIMARY KEY,
    position bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
GRANT SELECT, INSERT, UPDATE ON read.positions TO forum_projector;
GRANT SELECT ON read.positions TO forum_reader;
