"""Read models: the projector that builds them from the one event log, and their queries."""
