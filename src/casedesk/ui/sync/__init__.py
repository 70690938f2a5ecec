"""Sync in the app: background status, Sync now, the Conflicts screen, setup/pairing/join."""
