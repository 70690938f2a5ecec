"""Slow work off the GUI thread: one database worker thread, results back by signal.

All database work runs on a single dedicated thread, so there is one keyed SQLCipher connection
pool user and no cross-thread surprises; results and errors come back to the GUI thread through
queued signals. Tests construct ``TaskRunner(inline=True)`` to run work synchronously.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThread, Signal, Slot

from casedesk.crashlog import Safe, report_bug

T = TypeVar("T")
log = logging.getLogger(__name__)


class _Job:
    __slots__ = ("fn", "label", "on_done", "on_error")

    def __init__(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        label: str,
    ) -> None:
        self.fn = fn
        self.on_done = on_done
        self.on_error = on_error
        self.label = label


class _Worker(QObject):
    """Lives on the worker thread; runs jobs in order."""

    finished = Signal(object, object, object)  # job, result, error

    @Slot(object)
    def execute(self, job: _Job) -> None:
        try:
            result = job.fn()
        except BaseException as exc:  # delivered to the GUI thread, never swallowed
            self.finished.emit(job, None, exc)
        else:
            self.finished.emit(job, result, None)


class TaskRunner(QObject):
    """Runs callables on the database thread and calls back on the GUI thread.

    Signals:
        busy_changed(bool): true while any job is queued or running (for progress display).
        failed(str, object): a job without its own error handler failed: (label, exception).
    """

    busy_changed = Signal(bool)
    failed = Signal(str, object)
    _submit = Signal(object)

    def __init__(self, parent: QObject | None = None, *, inline: bool = False) -> None:
        super().__init__(parent)
        self.inline = inline
        self._pending = 0
        self._thread: QThread | None = None
        self._worker: _Worker | None = None
        if not inline:
            self._start_thread()

    def _start_thread(self) -> None:
        self._thread = QThread()
        self._thread.setObjectName("casedesk-db")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.execute)
        self._worker.finished.connect(self._deliver)
        self._thread.start()

    @property
    def busy(self) -> bool:
        """Whether work is queued or running."""
        return self._pending > 0

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        label: str = "",
    ) -> None:
        """Queue ``fn`` on the database thread; ``on_done(result)`` runs on the GUI thread.

        Args:
            fn: the work; must not touch widgets.
            on_done: receives the result, on the GUI thread.
            on_error: receives the exception, on the GUI thread (else ``failed`` is emitted).
            label: a short description for progress display and error reports (no client data).
        """
        job = _Job(fn, on_done, on_error, label)
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        if self.inline:
            try:
                result = fn()
            except BaseException as exc:
                self._deliver(job, None, exc)
            else:
                self._deliver(job, result, None)
            return
        self._submit.emit(job)

    def run_sync(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the database thread and wait (only for shutdown and lock paths)."""
        if self.inline or self._thread is None or QThread.currentThread() is self._thread:
            return fn()
        done = threading.Event()
        box: dict[str, Any] = {}

        def wrapped() -> None:
            try:
                box["result"] = fn()
            except BaseException as exc:
                box["error"] = exc
            finally:
                done.set()

        self._submit.emit(_Job(wrapped, None, None, "sync"))
        done.wait()
        if "error" in box:
            raise box["error"]
        return box.get("result")  # type: ignore[no-any-return]

    @Slot(object, object, object)
    def _deliver(self, job: _Job, result: Any, error: BaseException | None) -> None:
        self._pending -= 1
        try:
            if error is not None:
                if job.on_error is not None:
                    job.on_error(error)
                else:
                    # The traceback goes in exc_info, never into the message text: the log
                    # formatter (casedesk.crashlog) keeps types and frames, not messages.
                    label = Safe(job.label)  # labels are code-chosen, never client data
                    log.error("background task %r failed: %s", label, type(error).__name__)
                    log.debug("background task %r failed", label, exc_info=error)
                    report_bug(error)  # a report without client data (when installed)
                    self.failed.emit(job.label, error)
            elif job.on_done is not None:
                job.on_done(result)
        finally:
            if self._pending == 0:
                self.busy_changed.emit(False)

    def shutdown(self) -> None:
        """Stop the worker thread after the queued work finishes."""
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
            self._thread = None
