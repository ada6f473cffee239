"""The domain of Forum: aggregates and their events, pure Python, no I/O."""
