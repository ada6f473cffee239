"""Forum's application layer: commands, tenancy, the event store, access, settings and the CLI."""
