-- Practices shared between organisations, their adoptions elsewhere and the adopters' reports.
-- French full-text search, accent-insensitive: « cantine » finds « cantines », « accelere » finds « accéléré ».
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;
CREATE TEXT SEARCH CONFIGURATION read.french_unaccent (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION read.french_unaccent
    ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, french_stem;

-- Practices (the publisher's store). Drafts are kept for their organisation; the public sees the published.
CREATE TABLE read.practices (
    practice_id uuid PRIMARY KEY,
    organisation text NOT NULL,
    project_id uuid NOT NULL,
    status text NOT NULL,               -- draft, published, withdrawn
    title text NOT NULL,
    problem text NOT NULL DEFAULT '',
    what_was_done text NOT NULL DEFAULT '',
    results text NOT NULL DEFAULT '',
    figures jsonb NOT NULL DEFAULT '[]',
    resources text NOT NULL DEFAULT '',
    contact_role text NOT NULL DEFAULT '',
    reuse_conditions text NOT NULL DEFAULT '',
    themes text[] NOT NULL DEFAULT '{}',
    stage text,
    drafted_at timestamptz NOT NULL,
    published_at timestamptz,           -- the first publication
    updated_at timestamptz NOT NULL,
    withdrawn_reason text,
    search tsvector NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX practices_search_idx ON read.practices USING gin (search);
CREATE INDEX practices_themes_idx ON read.practices USING gin (themes);
CREATE INDEX practices_listing_idx ON read.practices (status, published_at DESC);
CREATE INDEX practices_organisation_idx ON read.practices (organisation);

-- Adoptions (the adopter's store), naming the practice and the adoption they derive from.
CREATE TABLE read.adoptions (
    adoption_id uuid PRIMARY KEY,
    organisation text NOT NULL,         -- the adopter
    practice_id uuid NOT NULL,
    practice_organisation text NOT NULL,
    derived_from uuid,
    derived_from_organisation text,
    status text NOT NULL,               -- interested, adopted, abandoned
    note text NOT NULL DEFAULT '',
    interested_at timestamptz NOT NULL,
    adopted_at timestamptz,
    abandoned_at timestamptz,
    abandon_reason text,
    last_outcome text,
    reports integer NOT NULL DEFAULT 0
);
CREATE INDEX adoptions_practice_idx ON read.adoptions (practice_id);
CREATE INDEX adoptions_organisation_idx ON read.adoptions (organisation);

CREATE TABLE read.adoption_reports (
    adoption_id uuid NOT NULL,
    position bigint NOT NULL,
    organisation text NOT NULL,
    practice_id uuid NOT NULL,
    outcome text NOT NULL,
    text text NOT NULL,
    figures jsonb NOT NULL DEFAULT '[]',
    reported_at timestamptz NOT NULL,
    PRIMARY KEY (adoption_id, position)
);
CREATE INDEX adoption_reports_practice_idx ON read.adoption_reports (practice_id, position);
