"""Plain-Python domain: entities, enums, validation and rules. No Qt, no SQLAlchemy."""
