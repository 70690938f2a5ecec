"""Use cases. Each owns its transaction and returns plain objects, never live ORM rows."""
