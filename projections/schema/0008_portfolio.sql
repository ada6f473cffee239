-- The portfolio of supported projects: each project's path from its call to its outcome, the
-- pre-incubations with their milestones and points of vigilance, and what a forum's funnel counts.
-- Every row is written by events of the store named in its organisation column.

-- Projects as their own organisation records them (Project events).
CREATE TABLE read.portfolio_projects (
    project_id uuid PRIMARY KEY,
    organisation text NOT NULL,
    call_id uuid NOT NULL,
    call_organisation text NOT NULL,
    title text NOT NULL,
    problem text NOT NULL DEFAULT '',
    author text NOT NULL,
    team text[] NOT NULL DEFAULT '{}',
    status text NOT NULL,               -- drafted, submitted, withdrawn
    submitted_at timestamptz,
    decision text,                      -- selected, not_selected (the last one)
    forum_id uuid,                      -- the forum the project is nominated to, if any
    forum_organisation text
);
CREATE INDEX portfolio_projects_organisation_idx ON read.portfolio_projects (organisation);
CREATE INDEX portfolio_projects_call_idx ON read.portfolio_projects (call_id);
CREATE INDEX portfolio_projects_forum_idx ON read.portfolio_projects (forum_id);

-- Calls attached to a forum as its local rounds (IdeaCall events).
CREATE TABLE read.portfolio_calls (
    call_id uuid PRIMARY KEY,
    organisation text NOT NULL,
    title text NOT NULL,
    forum_id uuid,
    forum_organisation text
);
CREATE INDEX portfolio_calls_forum_idx ON read.portfolio_calls (forum_id);

-- Forums (the host's store).
CREATE TABLE read.portfolio_forums (
    forum_id uuid PRIMARY KEY,
    organisation text NOT NULL,         -- the host
    title text NOT NULL,
    kind text NOT NULL,
    starts_on date NOT NULL,
    palmares_published_at timestamptz
);

-- Each project nominated to a forum, as the forum records it (the host's store).
CREATE TABLE read.portfolio_forum_entries (
    forum_id uuid NOT NULL,
    project_id uuid NOT NULL,
    organisation text NOT NULL,         -- the forum's host
    project_organisation text NOT NULL,
    title text NOT NULL,
    nominated_at timestamptz NOT NULL,
    withdrawn boolean NOT NULL DEFAULT false,
    pitched_at timestamptz,
    absent boolean NOT NULL DEFAULT false,
    prizes text[] NOT NULL DEFAULT '{}', -- labels of the prizes won, once the palmarès is published
    PRIMARY KEY (forum_id, project_id)
);
CREATE INDEX portfolio_forum_entries_project_idx ON read.portfolio_forum_entries (project_id);

-- Pre-incubations (the project's organisation's store).
CREATE TABLE read.pre_incubations (
    project_id uuid PRIMARY KEY,
    pre_incubation_id uuid NOT NULL UNIQUE,  -- the aggregate's id (derived from the project's)
    organisation text NOT NULL,
    reason text NOT NULL,
    decision text NOT NULL DEFAULT '',
    forum_id uuid,
    prize_key text,
    started_on date NOT NULL,
    deadline date NOT NULL,
    sponsor text NOT NULL,
    hours_per_week numeric NOT NULL,
    budget_cents bigint NOT NULL,
    partner text,
    stage text NOT NULL,
    stage_since timestamptz NOT NULL,
    outcome text,
    owner text,
    outcome_reason text,
    outcome_at timestamptz
);
CREATE INDEX pre_incubations_organisation_idx ON read.pre_incubations (organisation, stage);
CREATE INDEX pre_incubations_forum_idx ON read.pre_incubations (forum_id);
CREATE INDEX pre_incubations_partner_idx ON read.pre_incubations (partner);

CREATE TABLE read.pre_incubation_milestones (
    project_id uuid NOT NULL,
    number integer NOT NULL,
    organisation text NOT NULL,
    title text NOT NULL,
    due date NOT NULL,
    completed_on date,
    PRIMARY KEY (project_id, number)
);

CREATE TABLE read.pre_incubation_vigilance (
    project_id uuid NOT NULL,
    number integer NOT NULL,
    organisation text NOT NULL,
    text text NOT NULL,
    raised_on date NOT NULL,
    resolution text,
    PRIMARY KEY (project_id, number)
);

-- One project's whole path, one row per fact, in log order; labels are made when read.
CREATE TABLE read.project_path (
    organisation text NOT NULL,         -- the store the fact lives in (the project's, or the forum host's)
    position bigint NOT NULL,
    seq smallint NOT NULL,              -- a palmarès names a project once per prize it won
    project_id uuid NOT NULL,
    at timestamptz NOT NULL,
    kind text NOT NULL,
    ref_id uuid,                        -- the call or forum concerned
    value text NOT NULL DEFAULT '',
    on_day date,
    detail text NOT NULL DEFAULT '',
    PRIMARY KEY (position, project_id, seq)
);
CREATE INDEX project_path_project_idx ON read.project_path (project_id, position, seq);
