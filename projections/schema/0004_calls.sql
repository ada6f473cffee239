-- Calls for ideas and their projects (projections/calls.py).
-- A call's rows carry the organisation running it; a project's rows carry its store (its author's organisation),
-- which is a partner of the call's organisation when a partner's agent answered.
CREATE TABLE read.calls (
    call_id uuid PRIMARY KEY,
    organisation text NOT NULL,
    title text NOT NULL,
    description text NOT NULL,
    themes text[] NOT NULL,
    categories text[] NOT NULL,
    opens_at timestamptz NOT NULL,
    closes_at timestamptz NOT NULL,
    eligible_partners text[] NOT NULL,
    questions jsonb NOT NULL,              -- [{key, label, kind, required, max_length, choices}]
    max_team_size integer NOT NULL,
    forum_id uuid,
    forum_organisation text,
    forum_quota integer,
    drafted_at timestamptz NOT NULL,
    drafted_by text NOT NULL,
    opened_at timestamptz,
    closed_at timestamptz,                 -- an early (or formal) closing by the organisers
    cancelled_at timestamptz,
    cancellation_reason text NOT NULL DEFAULT '',
    selection_recorded_at timestamptz,
    announcement_published_at timestamptz,
    updated_at timestamptz NOT NULL
);
CREATE INDEX calls_organisation_idx ON read.calls (organisation, opens_at DESC);
CREATE INDEX calls_partners_idx ON read.calls USING gin (eligible_partners);

CREATE TABLE read.call_amendments (
    organisation text NOT NULL,
    call_id uuid NOT NULL,
    position bigint NOT NULL,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    reason text NOT NULL,
    changes jsonb NOT NULL,                -- [{field, before, after}] as people read them
    PRIMARY KEY (call_id, position)
);

CREATE TABLE read.projects (
    project_id uuid PRIMARY KEY,
    organisation text NOT NULL,            -- the project's store: its author's organisation
    call_id uuid NOT NULL,
    call_organisation text NOT NULL,
    author text NOT NULL,
    title text NOT NULL,
    problem text NOT NULL,
    solution text NOT NULL,
    benefits_users text NOT NULL,
    benefits_agents text NOT NULL,
    category text,
    theme text,
    answers jsonb NOT NULL,
    status text NOT NULL,                  -- drafted | submitted | withdrawn
    version integer NOT NULL DEFAULT 0,    -- the number of submitted versions
    drafted_at timestamptz NOT NULL,
    submitted_at timestamptz,              -- first submission
    updated_at timestamptz NOT NULL,
    withdrawn_at timestamptz,
    withdrawal_reason text NOT NULL DEFAULT '',
    decision text,                         -- selected | not_selected (the latest, possibly revised)
    decision_reason text NOT NULL DEFAULT '',
    decided_at timestamptz,
    nominated_forum_id uuid,
    nominated_forum_organisation text,
    nominated_at timestamptz
);
CREATE INDEX projects_call_idx ON read.projects (call_id, submitted_at);
CREATE INDEX projects_organisation_idx ON read.projects (organisation);

CREATE TABLE read.project_members (
    organisation text NOT NULL,
    project_id uuid NOT NULL,
    person text NOT NULL,
    role text NOT NULL,                    -- author | co_author | invited
    since timestamptz NOT NULL,
    PRIMARY KEY (project_id, person)
);
CREATE INDEX project_members_person_idx ON read.project_members (person);

CREATE TABLE read.project_versions (
    organisation text NOT NULL,
    project_id uuid NOT NULL,
    number integer NOT NULL,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    content jsonb NOT NULL,                -- {title, problem, solution, benefits_users, benefits_agents, category, theme, answers}
    PRIMARY KEY (project_id, number)
);

CREATE TABLE read.project_history (
    organisation text NOT NULL,
    project_id uuid NOT NULL,
    position bigint NOT NULL,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    actor_organisation text NOT NULL,
    kind text NOT NULL,                    -- drafted, submitted, edited, withdrawn, invited, accepted, ...
    person text,                           -- the colleague an invitation concerns
    detail text NOT NULL DEFAULT '',       -- a reason, or the fields an edit changed
    version integer,
    PRIMARY KEY (project_id, position)
);
