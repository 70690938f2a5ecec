"""Modal dialogs behind one injectable service, so tests never block on a modal.

File dialogs are Qt's own (non-native) so no desktop "recent files" list records what a case
manager opened or exported.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


class Dialogs:
    """The real dialogs. Tests pass a subclass that records calls and returns canned answers."""

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        """Tell the user something."""
        QMessageBox.information(parent, title, text)

    def warn(self, parent: QWidget | None, title: str, text: str) -> None:
        """Warn the user."""
        QMessageBox.warning(parent, title, text)

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        """Report a failure in plain language."""
        QMessageBox.critical(parent, title, text)

    def confirm(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        *,
        ok: str = "OK",
        irreversible: bool = False,
    ) -> bool:
        """Ask yes/no; True when the user confirms.

        Args:
            parent: the window asking.
            title: the question, short.
            text: what will happen.
            ok: the label of the confirming button.
            irreversible: the action can't be undone: Cancel is the default (Enter cancels).
        """
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
        yes = box.addButton(ok, QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        if irreversible:
            box.setDefaultButton(cancel)
        box.exec()
        return box.clickedButton() is yes

    def open_file(self, parent: QWidget | None, caption: str, file_filter: str) -> Path | None:
        """Choose a file to open (None when cancelled)."""
        name, _ = QFileDialog.getOpenFileName(
            parent, caption, "", file_filter, options=QFileDialog.Option.DontUseNativeDialog
        )
        return Path(name) if name else None

    def save_file(
        self, parent: QWidget | None, caption: str, suggested: str, file_filter: str
    ) -> Path | None:
        """Choose where to save (None when cancelled). ``suggested`` must not name a client."""
        name, _ = QFileDialog.getSaveFileName(
            parent,
            caption,
            suggested,
            file_filter,
            options=QFileDialog.Option.DontUseNativeDialog,
        )
        return Path(name) if name else None
