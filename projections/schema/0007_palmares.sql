-- The palmarès (projections/palmares.py): a row per forum from its planning, public only once published_at is set.
-- ``organisation`` is the host (the tenant key); the slug is chosen at publication and never changes.
CREATE TABLE read.palmares (
    forum_id uuid PRIMARY KEY,
    organisation text NOT NULL,
    title text NOT NULL,
    kind text NOT NULL,
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    place text NOT NULL,
    slug text UNIQUE,
    published_at timestamptz,
    position bigint,                       -- the publication's place in the log (feed order)
    document jsonb                         -- domain.forum.Palmares as proclaimed
);
CREATE INDEX palmares_published_idx ON read.palmares (published_at DESC, forum_id) WHERE published_at IS NOT NULL;

-- One line per laureate of each prize, for open data (CSV and JSON).
CREATE TABLE read.palmares_laureates (
    forum_id uuid NOT NULL,
    line integer NOT NULL,
    organisation text NOT NULL,
    prize_key text NOT NULL,
    prize_label text NOT NULL,
    prize_kind text NOT NULL,
    category text,
    rank integer,
    votes integer,
    amount_cents bigint,
    project_id uuid NOT NULL,
    project_organisation text NOT NULL,
    title text NOT NULL,
    summary text NOT NULL,
    PRIMARY KEY (forum_id, line)
);
