"""Client sync engine: outbox push, paged pull, per-field merge. No Qt."""
