"""Risk screening: structured screen, overall level, review date and history."""
