-- People of each organisation, and the roles people hold in forums: what an Actor's roles are built from.
CREATE TABLE read.people (
    person_id uuid PRIMARY KEY,
    organisation text NOT NULL,        -- the tenant key: the person's organisation
    email text NOT NULL,
    name text NOT NULL,
    role text NOT NULL,
    status text NOT NULL,              -- invited | active | deactivated
    invited_at timestamptz NOT NULL,
    joined_at timestamptz,
    password_set_at timestamptz,
    updated_at timestamptz NOT NULL
);
CREATE INDEX people_organisation_idx ON read.people (organisation, lower(name));

CREATE TABLE read.forum_roles (
    organisation text NOT NULL,        -- the tenant key: the forum's host, whose store holds the grant
    forum_id uuid NOT NULL,
    person_id uuid NOT NULL,
    person_organisation text NOT NULL,
    role text NOT NULL,
    granted_at timestamptz NOT NULL,
    PRIMARY KEY (forum_id, person_id, role)
);
CREATE INDEX forum_roles_person_idx ON read.forum_roles (person_id);

-- Resolving a session or an API token to an Actor reads these two tables from the write side's role.
GRANT USAGE ON SCHEMA read TO forum_app;
GRANT SELECT ON read.people, read.forum_roles TO forum_app;
