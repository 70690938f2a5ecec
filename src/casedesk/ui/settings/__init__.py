"""Settings: idle lock, passphrase, backups, and where the vault is."""

from casedesk.ui.settings.prefs import UiPrefs
from casedesk.ui.settings.settings_screen import SettingsScreen

__all__ = ["SettingsScreen", "UiPrefs"]
