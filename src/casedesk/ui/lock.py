"""Locking: the idle timer, our clipboard contents, and process hardening against dumps.

Nothing here touches the vault itself; the app controller locks the vault and clears the
screens when :class:`IdleLock` says so.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import QEvent, QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication

log = logging.getLogger(__name__)

DEFAULT_IDLE_MINUTES = 5
PASSWORD_MANAGER_HINT = "x-kde-passwordManagerHint"
_PR_SET_DUMPABLE = 4

_ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class IdleLock(QObject):
    """Emits ``idle`` after a stretch without keyboard or mouse input anywhere in the app.

    Installed as an application-wide event filter; every input event restarts the timer.

    Signals:
        idle(): the idle time ran out (lock now).
    """

    idle = Signal()

    def __init__(self, parent: QObject | None = None, *, minutes: float = DEFAULT_IDLE_MINUTES):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self._installed = False
        self.set_minutes(minutes)

    @property
    def interval_ms(self) -> int:
        """The idle time in milliseconds."""
        return self._timer.interval()

    @property
    def active(self) -> bool:
        """Whether the countdown is running."""
        return self._timer.isActive()

    def set_minutes(self, minutes: float) -> None:
        """Change the idle time (takes effect at once if running)."""
        self.set_interval_ms(max(1, int(minutes * 60_000)))

    def set_interval_ms(self, interval_ms: int) -> None:
        """Change the idle time in milliseconds (tests use a short one)."""
        self._timer.setInterval(interval_ms)
        if self._timer.isActive():
            self._timer.start()

    def start(self) -> None:
        """Start watching for activity (after unlock)."""
        app = QGuiApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self._timer.start()

    def stop(self) -> None:
        """Stop the countdown (while locked)."""
        self._timer.stop()
        app = QGuiApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Restart the countdown on user input; never swallow the event."""
        if event.type() in _ACTIVITY_EVENTS and self._timer.isActive():
            self._timer.start()
        return False


class ClipboardGuard(QObject):
    """Copies text to the clipboard for us and takes it back when locking.

    Text is marked with the password-manager hint so clipboard managers skip it. On lock the
    clipboard is cleared if it still holds what we put there, or anything else this app put
    there (Ctrl+C in any field); text another program copied is left alone.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ours: str | None = None

    def copy(self, text: str) -> None:
        """Put text on the clipboard."""
        data = QMimeData()
        data.setText(text)
        data.setData(PASSWORD_MANAGER_HINT, b"secret")
        QGuiApplication.clipboard().setMimeData(data, QClipboard.Mode.Clipboard)
        self._ours = text

    def clear_if_ours(self) -> bool:
        """Clear the clipboard if it still holds our text; True when it was cleared."""
        ours, self._ours = self._ours, None
        clipboard = QGuiApplication.clipboard()
        text = clipboard.text()
        if text and (text == ours or clipboard.ownsClipboard()):
            clipboard.clear(QClipboard.Mode.Clipboard)
            return True
        return False


def harden_process() -> None:
    """Best effort: no core dumps, and other processes of the same user can't attach (Linux).

    A core dump or a debugger attach would expose the decrypted records and the key in memory.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError) as exc:
        log.warning("could not disable core dumps: %s", type(exc).__name__)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
            log.warning("prctl(PR_SET_DUMPABLE) failed")
    except (OSError, AttributeError) as exc:
        log.warning("could not mark the process non-dumpable: %s", type(exc).__name__)
