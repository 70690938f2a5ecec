"""Modal dialogs behind one injectable service, so tests never block on a modal.

File dialogs are Qt's own (non-native) so no desktop "recent files" list records what a case
manager opened or exported. A place chosen to save into is checked at once
(:func:`casedesk.services.files.check_output_path`: never inside a vault, never over a device),
so a refusal is a plain message before any work starts; the service that writes checks again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from casedesk.services.errors import FileRefused
from casedesk.services.files import check_output_path


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
        """Choose where to save (None when cancelled, or refused with a message).

        ``suggested`` must not name a client.
        """
        chosen = self.ask_save_path(parent, caption, suggested, file_filter)
        if chosen is None:
            return None
        try:
            check_output_path(chosen)
        except FileRefused as exc:
            title = QCoreApplication.translate("Dialogs", "Choose another place")
            self.error(parent, title, str(exc))
            return None
        return chosen

    def ask_save_path(
        self, parent: QWidget | None, caption: str, suggested: str, file_filter: str
    ) -> Path | None:
        """The save dialog itself (None when cancelled)."""
        name, _ = QFileDialog.getSaveFileName(
            parent,
            caption,
            suggested,
            file_filter,
            options=QFileDialog.Option.DontUseNativeDialog,
        )
        return Path(name) if name else None
