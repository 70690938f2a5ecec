"""Home: today's work at a glance."""

from casedesk.ui.home.home_screen import HomeScreen

__all__ = ["HomeScreen"]
