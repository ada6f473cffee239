-- The directory of organisations, and the names each has had.
CREATE TABLE read.organisations (
    slug text PRIMARY KEY,
    organisation text NOT NULL,  -- the tenant key (equal to slug), as in every read table
    name text NOT NULL,
    kind text NOT NULL,
    registered_at timestamptz NOT NULL,
    renamed_at timestamptz
);
CREATE INDEX organisations_name_idx ON read.organisations (lower(name));

CREATE TABLE read.organisation_names (
    organisation text NOT NULL,
    position bigint NOT NULL,
    name text NOT NULL,
    named_at timestamptz NOT NULL,
    PRIMARY KEY (organisation, position)
);
