"""Drafts for any form: typing is kept in the vault and offered back after a lock or a crash.

A form takes part by offering a pair, ``draft_state() -> dict`` (its fields as JSON) and
``restore_draft(state)``; :func:`field_state` and :func:`restore_fields` do that for the usual
inputs. :class:`FormDraft` then drives it: it saves the state under the form's draft key about
a second after the last edit and at once when the app locks (``ChangeHub.locking``), offers a
draft found when the form opens (restore or discard), and asks "discard your typing?" when a
form with typing in it is cancelled. Saving the form deletes the draft inside the service's
own transaction (each save call takes ``draft_key``), never as a second step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from casedesk.services.drafts import SavedDraft
from casedesk.ui.client_record.autosave import DraftAutosaver
from casedesk.ui.context import AppContext
from casedesk.ui.widgets.basics import guarded

_WATCHED = "casedeskDraftWatched"  # a dynamic property: this input already schedules saves


def draft_key(kind: str, mode: str, ref: str = "") -> str:
    """A draft key naming the form and its record, e.g. ``goal:edit:<goal id>``.

    Args:
        kind: the form ("goal", "action", "intake", "consent", "referral", "exit", "client").
        mode: "new" or "edit".
        ref: the record being edited, or for a new one what it belongs to (client, goal).
    """
    return f"{kind}:{mode}:{ref}" if ref else f"{kind}:{mode}"


def field_state(fields: Mapping[str, QWidget]) -> dict[str, Any]:
    """Each input's value as JSON: text, a check box's state, a combo box's text and index."""
    state: dict[str, Any] = {}
    for name, widget in fields.items():
        if isinstance(widget, QLineEdit):
            state[name] = widget.text()
        elif isinstance(widget, QPlainTextEdit):
            state[name] = widget.toPlainText()
        elif isinstance(widget, QComboBox):
            state[name] = {"text": widget.currentText(), "index": widget.currentIndex()}
        elif isinstance(widget, QAbstractButton):
            state[name] = widget.isChecked()
    return state


def restore_fields(fields: Mapping[str, QWidget], state: Mapping[str, Any]) -> None:
    """Put :func:`field_state` output back; names the state lacks are left as they are."""
    for name, widget in fields.items():
        if name not in state:
            continue
        value = state[name]
        if isinstance(widget, QLineEdit):
            widget.setText(str(value))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(str(value))
        elif isinstance(widget, QComboBox) and isinstance(value, dict):
            _restore_combo(widget, str(value.get("text", "")), int(value.get("index", -1)))
        elif isinstance(widget, QAbstractButton):
            widget.setChecked(bool(value))


def _restore_combo(combo: QComboBox, text: str, index: int) -> None:
    """By text first (the list may have changed since), then by position; typed text last."""
    found = combo.findText(text)
    if found >= 0:
        combo.setCurrentIndex(found)
    elif 0 <= index < combo.count() and not combo.isEditable():
        combo.setCurrentIndex(index)
    if combo.isEditable():
        combo.setEditText(text)


def watch(root: QWidget, slot: Callable[[], None]) -> None:
    """Call ``slot`` whenever an input in ``root`` changes (inputs added later: call again)."""
    for widget in (root, *root.findChildren(QWidget)):
        if widget.property(_WATCHED):
            continue
        if isinstance(widget, QLineEdit | QPlainTextEdit):
            widget.textChanged.connect(slot)
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(slot)
            widget.editTextChanged.connect(slot)
        elif isinstance(widget, QAbstractButton) and widget.isCheckable():
            widget.toggled.connect(slot)
        else:
            continue
        widget.setProperty(_WATCHED, True)


class DraftedForm(Protocol):
    """A form whose typing can be kept as a draft."""

    def draft_state(self) -> dict[str, Any]:
        """The form's fields as JSON."""
        ...

    def restore_draft(self, state: Mapping[str, Any]) -> None:
        """Fill the form from :meth:`draft_state` output."""
        ...


class FormDraft(QObject):
    """Keeps one form's typing as a draft in the vault, under a key naming the form and record.

    Signals:
        restored(): a draft was put back into the form.
        saved(str): a draft was written (its key; the autosaver's signal).

    Args:
        ctx: the app context (drafts service, task runner, dialogs, the lock signal).
        form: the form (a widget with ``draft_state``/``restore_draft``); edits to its inputs
            schedule a save.
        key: the draft key (see :func:`draft_key`); pass it to the service call that saves.
        question: the restore question, with ``{when}`` for the draft's time.
    """

    restored = Signal()

    def __init__(self, ctx: AppContext, form: QWidget, key: str, question: str) -> None:
        super().__init__(form)
        self._ctx = ctx
        self._form = form
        self.key = key
        self._question = question
        self.active = True
        self._stored = False  # whether the vault may hold a draft under the key
        self._paused = False
        self._baseline = self._state()
        self._autosaver = DraftAutosaver(ctx, lambda: self.key, self._payload, self)
        self.saved = self._autosaver.saved
        ctx.hub.locking.connect(self.release)
        self.offered = False
        self.watch_inputs()

    def watch_inputs(self) -> None:
        """Edits to the form's inputs schedule a save (call again after adding inputs)."""
        watch(self._form, self.schedule)

    # ------------------------------------------------------------------ state

    def _state(self) -> dict[str, Any]:
        return self._form.draft_state()  # type: ignore[attr-defined, no-any-return]

    @property
    def dirty(self) -> bool:
        """Whether the form holds typing that isn't saved (it differs from how it opened)."""
        return self._state() != self._baseline

    @property
    def pending(self) -> bool:
        """Whether a save is scheduled."""
        return self._autosaver.pending

    def rebaseline(self) -> None:
        """The form now shows stored data (a reload, or a save): that is no longer typing."""
        self._baseline = self._state()

    def refill(self, fill: Callable[[], None]) -> None:
        """Run ``fill`` (it shows stored data, which is not typing) without scheduling saves."""
        self._paused = True
        try:
            fill()
        finally:
            self._paused = False
        self.rebaseline()

    def mark_saved(self) -> None:
        """The form was saved and stays open: its save deleted the draft; start afresh."""
        self._autosaver.stop()
        self._stored = False
        self.rebaseline()

    def set_delay(self, delay_ms: int) -> None:
        """Change the quiet time before a save (tests shorten it)."""
        self._autosaver.set_delay(delay_ms)

    def _payload(self) -> dict[str, Any] | None:
        state = self._state()
        self._stored = state != self._baseline
        return state if self._stored else None  # back as it opened: the draft goes

    # ------------------------------------------------------------------ saving

    def schedule(self) -> None:
        """An input changed: save a moment after the typing stops."""
        if self.active and not self._paused and (self._stored or self.dirty):
            self._autosaver.schedule()

    def flush(self) -> None:
        """Write a scheduled save now (before the form is saved, or the vault locks)."""
        if self.active and self._autosaver.pending:
            self._autosaver.save_now()

    def release(self) -> None:
        """The app is locking (or quitting): keep the typing and stop; the form goes away."""
        if shiboken6.isValid(self):
            self.flush()
            self.finish()

    def finish(self) -> None:
        """Stop for good: the form was saved (its save deleted the draft) or closed."""
        self._autosaver.stop()
        self.active = False

    def discard(self) -> None:
        """Throw the draft away and treat what the form shows as its starting point."""
        self._autosaver.discard(self.key)
        self._stored = False
        self.rebaseline()

    # ------------------------------------------------------------------ asking

    def offer(self) -> None:
        """Look for a draft left by a lock or crash; ask to restore it or throw it away."""
        self.offered = True
        drafts, key = self._ctx.services.drafts, self.key
        self._ctx.tasks.run(
            lambda: drafts.load(key), guarded(self._form, self._offer_found), label="find draft"
        )

    def _offer_found(self, draft: SavedDraft | None) -> None:
        if draft is None or not self.active:
            return
        when = draft.updated_at.astimezone().strftime("%d %b %Y %H:%M")
        if self._ctx.dialogs.confirm(
            self._form,
            self.tr("Unsaved typing"),
            self._question.format(when=when),
            ok=self.tr("Restore"),
        ):
            self._form.restore_draft(draft.payload)  # type: ignore[attr-defined]
            self._stored = True
            self.restored.emit()
        else:
            self.discard()

    def confirm_discard(self) -> bool:
        """The form is being cancelled: True when it may close (asks if there is typing)."""
        if not self.active:
            return True
        if self.dirty and not self._ctx.dialogs.confirm(
            self._form,
            self.tr("Discard your typing?"),
            self.tr("What you typed in this form is not saved. Discard it?"),
            ok=self.tr("Discard"),
            irreversible=True,
        ):
            return False
        if self._stored or self.dirty:
            self.discard()
        self.finish()
        return True


class NamedFieldsDraft:
    """Mixin: the draft pair (``draft_state``/``restore_draft``) from the form's named inputs.

    Forms list their inputs in :meth:`draft_fields`; forms with more (rows added as the
    worker types) extend the pair.
    """

    def draft_fields(self) -> dict[str, QWidget]:
        """The inputs whose values make up the draft, by a stable name."""
        return {}

    def draft_state(self) -> dict[str, Any]:
        """The form's fields as JSON."""
        return field_state(self.draft_fields())

    def restore_draft(self, state: Mapping[str, Any]) -> None:
        """Fill the form from :meth:`draft_state` output."""
        restore_fields(self.draft_fields(), state)


class DraftDialog(NamedFieldsDraft, QDialog):
    """A form dialog whose typing is kept as a draft (set ``draft``).

    A draft left by a lock or crash is offered when the dialog first shows; Cancel asks
    before throwing typing away.
    """

    draft: FormDraft | None = None

    def showEvent(self, event: QShowEvent) -> None:
        """Offer a draft the first time the dialog shows."""
        super().showEvent(event)
        if self.draft is not None and not self.draft.offered:
            self.draft.offer()

    def begin_save(self) -> str | None:
        """Before the form's save call: write the last typing; returns the ``draft_key``.

        The write is queued on the database thread before the save, which deletes the draft
        in its own transaction, so a save that fails loses nothing.
        """
        if self.draft is None:
            return None
        self.draft.flush()
        return self.draft.key

    def accept(self) -> None:
        """Saved (or handed to the caller to save): keep the last typing, stop autosaving."""
        if self.draft is not None:
            self.draft.flush()
            self.draft.finish()
        super().accept()

    def reject(self) -> None:
        """Cancel, Escape or the close button: ask before throwing typing away."""
        if self.draft is not None and not self.draft.confirm_discard():
            return
        super().reject()

    def close_keeping_draft(self) -> None:
        """Close without asking (the vault is locking): the typing stays as a draft."""
        if self.draft is not None:
            self.draft.release()
        QDialog.reject(self)
