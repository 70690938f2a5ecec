"""User-visible messages: known errors in plain words, and a bridge the main window shows.

Screens call :func:`describe_error` to turn an exception into a sentence (never a traceback,
never client data), and :func:`info` / :func:`error` to show a passing status message without
importing the window (qutebrowser's message bridge).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QObject, Signal

from casedesk import crashlog
from casedesk.services import errors

log = logging.getLogger(__name__)


class MessageBridge(QObject):
    """Carries status messages to whoever shows them (the main window's status bar).

    Signals:
        message(str, str): (level, text) where level is "info" or "error".
    """

    message = Signal(str, str)


_bridge: MessageBridge | None = None


def bridge() -> MessageBridge:
    """The one bridge (created on first use, on the GUI thread)."""
    global _bridge
    if _bridge is None:
        _bridge = MessageBridge()
    return _bridge


def info(text: str) -> None:
    """Show a passing message."""
    bridge().message.emit("info", text)


def error(text: str) -> None:
    """Show a failure message."""
    bridge().message.emit("error", text)


def _tr(text: str) -> str:
    return QCoreApplication.translate("messages", text)


def plural(context: str, n: int, one: str, many: str) -> str:
    """``one`` or ``many`` for ``n`` ("1 active client", "2 active clients"), translated.

    Both hold ``%Ln`` (or ``%n``) where the number goes. Qt's numerus forms come from a loaded
    translation, even for English: without one, "%n client(s)" shows as written. So the
    English form is chosen here and passed through Qt's numerus translation with ``n``, which
    a translation can still give every plural form of its language.
    """
    return QCoreApplication.translate(context, one if n == 1 else many, None, n)


def describe_error(exc: BaseException) -> str:
    """A plain-language sentence for an exception: known errors say what to do; bugs don't leak.

    Known errors (``casedesk.services.errors``) carry messages written for people. Anything
    else is a bug: the message says so without including the exception text, which could hold
    client data.
    """
    if isinstance(exc, errors.WrongPassphrase):
        text = str(exc) or _tr("That passphrase does not open this vault.")
        return _tr("{text} Nothing was changed.").format(text=text.rstrip("."))
    if isinstance(exc, errors.VaultTooNew):
        return _tr(
            "This vault was written by a newer version of casedesk. Install the newer version "
            "to open it; the vault was not changed."
        )
    if isinstance(exc, errors.VaultDamaged):
        return _tr("The vault could not be opened because it is damaged: {detail}").format(
            detail=str(exc)
        )
    if isinstance(exc, errors.VaultBusy):
        return _tr(
            "Another casedesk window or program is using this vault and did not finish in "
            "time, so this was not saved. Close the other casedesk window (or wait for its "
            "backup, import or sync to finish), then try again."
        )
    if isinstance(exc, errors.DiskFull):
        return _tr("The disk is full. Free some space and try again; nothing was half-saved.")
    if isinstance(exc, errors.VaultError | errors.ValidationError):
        return str(exc)
    if isinstance(exc, OSError):
        return _tr("The file could not be read or written ({reason}).").format(
            reason=exc.strerror or type(exc).__name__
        )
    log.error("unexpected error: %s", type(exc).__name__)
    crashlog.report_bug(exc)  # a bug: keep a report without client data (when installed)
    return _tr("Something went wrong ({kind}). Your records were not changed.").format(
        kind=type(exc).__name__
    )
