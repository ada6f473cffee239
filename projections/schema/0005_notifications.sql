-- Notifications in the app (projections/notifications.py): what a person learns about their projects.
-- The projection keeps the little it needs to know (calls' titles, projects' teams and decisions) in its own tables.
CREATE TABLE read.notification_calls (
    call_id uuid PRIMARY KEY,
    organisation text NOT NULL,
    title text NOT NULL
);

CREATE TABLE read.notification_projects (
    project_id uuid PRIMARY KEY,
    organisation text NOT NULL,
    call_id uuid NOT NULL,
    call_organisation text NOT NULL,
    title text NOT NULL,
    author text NOT NULL,
    team text[] NOT NULL,
    submitted boolean NOT NULL DEFAULT false,
    withdrawn boolean NOT NULL DEFAULT false,
    decision text,
    decision_reason text NOT NULL DEFAULT ''
);
CREATE INDEX notification_projects_call_idx ON read.notification_projects (call_id);

CREATE TABLE read.notifications (
    organisation text NOT NULL,            -- the store of the event that caused it
    position bigint NOT NULL,
    person text NOT NULL,
    person_organisation text NOT NULL,
    kind text NOT NULL,                    -- invited, co_author_joined, invitation_declined, selected, ...
    subject text NOT NULL,
    body text NOT NULL,
    link text NOT NULL,
    at timestamptz NOT NULL,
    PRIMARY KEY (position, person)
);
CREATE INDEX notifications_person_idx ON read.notifications (person, position DESC);

-- Which notifications were put in the mail outbox. Deliberately not cleared by a rebuild (it is not among the
-- projection's tables): rebuilding the notifications never mails anyone twice.
CREATE TABLE read.notification_mail (
    position bigint NOT NULL,
    person text NOT NULL,
    queued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (position, person)
);

-- The projector queues the mail of each notification in the outbox (forum/mail.py), in the same transaction as the
-- notification itself: exactly once.
DO $$
BEGIN
    IF to_regclass('store.outbox') IS NOT NULL THEN
        GRANT INSERT ON store.outbox TO forum_projector;
        GRANT USAGE ON SEQUENCE store.outbox_id_seq TO forum_projector;
    END IF;
END
$$;
