"""casedesk: offline-first, encrypted case management for individual case managers."""

__version__ = "0.1.0"
