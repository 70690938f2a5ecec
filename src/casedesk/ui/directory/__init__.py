"""The Service directory screen: offline agencies and services, search, CSV import/export."""

from casedesk.ui.directory.directory_screen import DirectoryScreen

__all__ = ["DirectoryScreen"]
