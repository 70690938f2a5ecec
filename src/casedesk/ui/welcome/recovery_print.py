"""Printing the recovery key straight to a printer (no temporary file on disk)."""

from __future__ import annotations

import html

from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget


def recovery_sheet_html(recovery_key: str, vault_name: str) -> str:
    """The page that is printed or saved: the key, and what it is for."""
    key = html.escape(recovery_key)
    name = html.escape(vault_name)
    return (
        "<h2>casedesk recovery key</h2>"
        f"<p>Vault: <b>{name}</b></p>"
        f"<p style='font-family: monospace; font-size: 18pt; letter-spacing: 2px'>{key}</p>"
        "<p>This key opens your vault if you forget your passphrase. Keep it somewhere safe "
        "and private, away from your computer (for example a locked drawer). Anyone who has "
        "it and your computer can read your records.</p>"
    )


def recovery_sheet_text(recovery_key: str, vault_name: str) -> str:
    """Plain-text form of the recovery sheet, for saving to a file the user chooses."""
    return (
        "casedesk recovery key\n"
        f"Vault: {vault_name}\n\n"
        f"{recovery_key}\n\n"
        "This key opens your vault if you forget your passphrase. Keep it somewhere safe and\n"
        "private, away from your computer. Anyone who has it and your computer can read your\n"
        "records.\n"
    )


def print_recovery_key(parent: QWidget | None, recovery_key: str, vault_name: str) -> bool:
    """Ask for a printer and print the recovery sheet; True when it was sent to print."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName("casedesk recovery key")
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(parent.tr("Print the recovery key") if parent else "Print")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    document = QTextDocument()
    document.setHtml(recovery_sheet_html(recovery_key, vault_name))
    document.print_(printer)
    return True
