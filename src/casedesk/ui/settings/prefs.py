"""Preferences that are not client data, kept in QSettings (versioned, typed, with defaults).

Only UI state and harmless preferences live here: window geometry and the idle-lock time.
Never a client name, search text, file path of an export, or anything identifying.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QObject, QSettings, Signal

from casedesk.ui.lock import DEFAULT_IDLE_MINUTES

PREFS_VERSION = 1
MIN_IDLE_MINUTES = 1
MAX_IDLE_MINUTES = 120


class UiPrefs(QObject):
    """Typed access to the app's QSettings.

    Signals:
        idle_minutes_changed(int): the idle-lock time was changed.
    """

    idle_minutes_changed = Signal(int)

    def __init__(self, settings: QSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings or QSettings()
        if self._settings.value("prefs/version") is None:
            self._settings.setValue("prefs/version", PREFS_VERSION)

    @property
    def idle_minutes(self) -> int:
        """Minutes without input before the vault locks itself."""
        raw = self._settings.value("security/idle_minutes", DEFAULT_IDLE_MINUTES)
        try:
            value = int(str(raw))
        except (TypeError, ValueError):
            return DEFAULT_IDLE_MINUTES
        return min(max(value, MIN_IDLE_MINUTES), MAX_IDLE_MINUTES)

    def set_idle_minutes(self, minutes: int) -> None:
        """Store a new idle-lock time (clamped to 1-120 minutes)."""
        minutes = min(max(int(minutes), MIN_IDLE_MINUTES), MAX_IDLE_MINUTES)
        if minutes != self.idle_minutes:
            self._settings.setValue("security/idle_minutes", minutes)
            self.idle_minutes_changed.emit(minutes)

    def window_geometry(self) -> QByteArray | None:
        """The main window's saved geometry, if any."""
        value = self._settings.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def set_window_geometry(self, geometry: QByteArray) -> None:
        """Remember the main window's geometry."""
        self._settings.setValue("window/geometry", geometry)
