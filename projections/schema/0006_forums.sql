-- Forums and prize editions as their host, jurors, coaches, voters and auditors see them (projections/forums.py).
-- Every row carries the host organisation (the store the forum lives in) as ``organisation``: the tenant key.
-- Secret until publication: none of these rows is public; queries are answered only after an access check.
CREATE TABLE read.forums (
    forum_id uuid PRIMARY KEY,
    organisation text NOT NULL,            -- the host
    title text NOT NULL,
    kind text NOT NULL,                    -- forum | prize
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    place text NOT NULL,
    quota integer NOT NULL,                -- per organisation, unless a participant has its own
    categories text[] NOT NULL,
    budget_cents bigint,
    planned_at timestamptz NOT NULL,
    planned_by text NOT NULL,
    rules jsonb,                           -- the jury's rules in force (domain.jury.JuryRules)
    rules_version integer NOT NULL DEFAULT 0,
    rules_locked_at timestamptz,           -- the first score: the rules change only by amendment from then on
    ranking_outdated boolean NOT NULL DEFAULT true,
    deliberation text NOT NULL DEFAULT 'not_opened',  -- not_opened | open | closed
    deliberation_opened_at timestamptz,
    deliberation_closed_at timestamptz,
    published_at timestamptz,
    updated_at timestamptz NOT NULL
);
CREATE INDEX forums_organisation_idx ON read.forums (organisation, starts_on DESC);

CREATE TABLE read.forum_participants (
    forum_id uuid NOT NULL,
    participant text NOT NULL,             -- the invited organisation
    organisation text NOT NULL,
    status text NOT NULL,                  -- invited | accepted | declined
    quota integer,                         -- its own quota, or NULL for the forum's
    reason text NOT NULL DEFAULT '',
    invited_at timestamptz NOT NULL,
    answered_at timestamptz,
    answered_by text,
    PRIMARY KEY (forum_id, participant)
);
CREATE INDEX forum_participants_participant_idx ON read.forum_participants (participant);

CREATE TABLE read.forum_prizes (
    forum_id uuid NOT NULL,
    key text NOT NULL,
    organisation text NOT NULL,
    position integer NOT NULL,             -- the order the prizes were first defined
    label text NOT NULL,
    kind text NOT NULL,                    -- main | category | special | vote
    laureates integer NOT NULL,
    category text,
    amount_cents bigint,
    ranked boolean NOT NULL,
    PRIMARY KEY (forum_id, key)
);

CREATE TABLE read.forum_nominations (
    forum_id uuid NOT NULL,
    project_id uuid NOT NULL,
    organisation text NOT NULL,
    project_organisation text NOT NULL,    -- the nominating organisation
    title text NOT NULL,
    summary text NOT NULL,
    category text,
    team jsonb NOT NULL,                   -- [{person_id, role}] as nominated
    sequence integer NOT NULL,
    nominated_at timestamptz NOT NULL,
    nominated_by text NOT NULL,
    withdrawn_at timestamptz,
    withdrawal_reason text NOT NULL DEFAULT '',
    PRIMARY KEY (forum_id, project_id)
);
CREATE INDEX forum_nominations_team_idx ON read.forum_nominations USING gin (team jsonb_path_ops);

CREATE TABLE read.forum_coaches (
    forum_id uuid NOT NULL,
    person_id text NOT NULL,
    organisation text NOT NULL,
    coach_organisation text NOT NULL,
    appointed_at timestamptz NOT NULL,
    PRIMARY KEY (forum_id, person_id)
);

CREATE TABLE read.forum_coaching (
    forum_id uuid NOT NULL,
    project_id uuid NOT NULL,
    organisation text NOT NULL,
    coach_id text NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    assigned_at timestamptz NOT NULL,
    PRIMARY KEY (forum_id, project_id)
);
CREATE INDEX forum_coaching_coach_idx ON read.forum_coaching (forum_id, coach_id);

-- Private to the team, its coach, the host (and the forum's auditors).
CREATE TABLE read.forum_coaching_sessions (
    forum_id uuid NOT NULL,
    position bigint NOT NULL,
    organisation text NOT NULL,
    project_id uuid NOT NULL,
    coach_id text NOT NULL,
    notes text NOT NULL,
    problem_statement text NOT NULL,
    pitch_points text[] NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (forum_id, position)
);
CREATE INDEX forum_coaching_sessions_project_idx ON read.forum_coaching_sessions (forum_id, project_id);

CREATE TABLE read.forum_running_order (
    forum_id uuid NOT NULL,
    project_id uuid NOT NULL,
    organisation text NOT NULL,
    slot integer NOT NULL,
    starts_at timestamptz NOT NULL,
    pitch_seconds integer NOT NULL,
    questions_seconds integer NOT NULL,
    PRIMARY KEY (forum_id, project_id)
);

CREATE TABLE read.forum_pitches (
    forum_id uuid NOT NULL,
    project_id uuid NOT NULL,
    organisation text NOT NULL,
    duration_seconds integer,              -- NULL when the team was absent
    absent boolean NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (forum_id, project_id)
);

CREATE TABLE read.forum_jurors (
    forum_id uuid NOT NULL,
    person_id text NOT NULL,
    organisation text NOT NULL,
    juror_organisation text NOT NULL,
    college text NOT NULL,
    appointed_at timestamptz NOT NULL,
    PRIMARY KEY (forum_id, person_id)
);

CREATE TABLE read.forum_rules (
    forum_id uuid NOT NULL,
    version integer NOT NULL,
    organisation text NOT NULL,
    rules jsonb NOT NULL,
    amended boolean NOT NULL,              -- an amendment after scoring began (with its reason)
    reason text NOT NULL DEFAULT '',
    at timestamptz NOT NULL,
    PRIMARY KEY (forum_id, version)
);

CREATE TABLE read.forum_conflicts (
    forum_id uuid NOT NULL,
    juror_id text NOT NULL,
    project_id uuid NOT NULL,
    organisation text NOT NULL,
    reason text NOT NULL,
    declared_at timestamptz NOT NULL,
    PRIMARY KEY (forum_id, juror_id, project_id)
);

-- The last revision of each juror's scores for each project (every revision stays in the history).
CREATE TABLE read.forum_scores (
    forum_id uuid NOT NULL,
    juror_id text NOT NULL,
    project_id uuid NOT NULL,
    organisation text NOT NULL,
    scores jsonb NOT NULL,                 -- {criterion key: score}
    comment text NOT NULL,
    rules_version integer NOT NULL,
    revision integer NOT NULL,
    command_id text NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (forum_id, juror_id, project_id)
);

CREATE TABLE read.forum_rankings (
    forum_id uuid PRIMARY KEY,
    organisation text NOT NULL,
    ranking jsonb NOT NULL,                -- domain.jury.Ranking: the table and the method that produced it
    computed_at timestamptz NOT NULL
);

CREATE TABLE read.forum_tie_decisions (
    forum_id uuid NOT NULL,
    position bigint NOT NULL,
    organisation text NOT NULL,
    project_ids uuid[] NOT NULL,
    rationale text NOT NULL,
    decided_at timestamptz NOT NULL,
    PRIMARY KEY (forum_id, position)
);

CREATE TABLE read.forum_designations (
    forum_id uuid NOT NULL,
    prize_key text NOT NULL,
    organisation text NOT NULL,
    awards jsonb NOT NULL,                 -- [{project_id, amount_cents}] in the order designated
    departs_from_ranking boolean NOT NULL,
    rationale text NOT NULL,
    designated_at timestamptz NOT NULL,
    PRIMARY KEY (forum_id, prize_key)
);

CREATE TABLE read.forum_votes (
    forum_id uuid NOT NULL,
    prize_key text NOT NULL,
    organisation text NOT NULL,
    electorate jsonb NOT NULL,             -- [{person_id, organisation}]
    opens_at timestamptz NOT NULL,
    closes_at timestamptz NOT NULL,
    allow_own_organisation boolean NOT NULL,
    tie_break text NOT NULL,
    draw_seed text,
    organised_at timestamptz NOT NULL,
    count jsonb,                           -- domain.jury.VoteCount once counted
    awards jsonb,
    counted_at timestamptz,
    PRIMARY KEY (forum_id, prize_key)
);

-- Who voted is the host's to see; what each voted, the auditors' only (the queries enforce it).
CREATE TABLE read.forum_ballots (
    forum_id uuid NOT NULL,
    prize_key text NOT NULL,
    voter_id text NOT NULL,
    organisation text NOT NULL,
    voter_organisation text NOT NULL,
    project_id uuid NOT NULL,
    cast_at timestamptz NOT NULL,
    PRIMARY KEY (forum_id, prize_key, voter_id)
);
