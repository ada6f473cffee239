"""The read side's tables, as versioned SQL migrations; the composition root applies them after the store's."""

from pathlib import Path

MIGRATIONS = ("read", Path(__file__).parent)  # (prefix of each migration id, folder of *.sql files)
