"""Encrypted storage: the only package that knows SQLAlchemy and SQLCipher. No Qt."""
