-- The forums read model is split into one read model per feature (projections/coaching.py, stage.py, jury.py,
-- votes.py); ``forums`` keeps its name, its position and its tables (read.forums, participants, prizes,
-- nominations). The moved tables belong to projections that start from position 0: they are emptied here so the
-- projector rebuilds them from the first event on its next start, instead of applying events again onto their rows.
TRUNCATE read.forum_coaches, read.forum_coaching, read.forum_coaching_sessions;
TRUNCATE read.forum_running_order, read.forum_pitches;
TRUNCATE read.forum_jurors, read.forum_rules, read.forum_conflicts, read.forum_scores, read.forum_rankings,
    read.forum_tie_decisions, read.forum_designations;
TRUNCATE read.forum_votes, read.forum_ballots;
DELETE FROM read.positions WHERE projection IN ('coaching', 'stage', 'jury', 'votes');
