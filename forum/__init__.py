"""Forum's application layer: the command pipeline and one module per feature, tenancy, the event store, access and
settings; the entry points (composition root, CLI, demo) are in ``forum.entrypoints``."""
