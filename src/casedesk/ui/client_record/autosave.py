"""Debounced draft autosave into the vault, so typing survives a crash or a lock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from casedesk.ui.context import AppContext

AUTOSAVE_DELAY_MS = 1000


class DraftAutosaver(QObject):
    """Saves a form's payload under a draft key about a second after the last edit.

    The payload is taken on the GUI thread; the write runs on the database thread.

    Signals:
        saved(str): a draft was written (its key).

    Args:
        ctx: the app context (drafts service and task runner).
        key: returns the draft key for what is being typed now.
        payload: returns the JSON payload, or None when there is nothing worth keeping.
        delay_ms: quiet time before saving.
    """

    saved = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        key: Callable[[], str],
        payload: Callable[[], dict[str, Any] | None],
        parent: QObject | None = None,
        delay_ms: int = AUTOSAVE_DELAY_MS,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._key = key
        self._payload = payload
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.save_now)
        self.enabled = True

    @property
    def pending(self) -> bool:
        """Whether a save is scheduled."""
        return self._timer.isActive()

    def set_delay(self, delay_ms: int) -> None:
        """Change the quiet time (tests shorten it)."""
        self._timer.setInterval(delay_ms)

    def schedule(self) -> None:
        """Restart the quiet-time countdown (call on every edit)."""
        if self.enabled:
            self._timer.start()

    def save_now(self) -> None:
        """Write the draft now (e.g. before a lock)."""
        self._timer.stop()
        if not self.enabled:
            return
        key, payload = self._key(), self._payload()
        drafts = self._ctx.services.drafts
        if payload is None:
            self._ctx.tasks.run(lambda: drafts.discard(key), label="discard draft")
            return
        self._ctx.tasks.run(
            lambda: drafts.save(key, payload),
            lambda _result: self._announce(key),
            label="autosave draft",
        )

    def _announce(self, key: str) -> None:
        if shiboken6.isValid(self):  # the screen may have been cleared and destroyed (lock)
            self.saved.emit(key)

    def discard(self, key: str) -> None:
        """Forget the draft under ``key`` (after a real save, or when declined)."""
        self._timer.stop()
        drafts = self._ctx.services.drafts
        self._ctx.tasks.run(lambda: drafts.discard(key), label="discard draft")

    def stop(self) -> None:
        """Cancel any scheduled save (used on lock: nothing is written after it)."""
        self._timer.stop()
