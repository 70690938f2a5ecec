"""Shared UI fixtures: a fresh real vault per test, an inline task runner, recording dialogs.

Every screen test builds only its own widget with ``ctx`` (never the whole window). The vault is
a real SQLCipher vault with tiny Argon2 parameters (``CASEDESK_KDF=test``), so tests exercise
what users run.

Fixtures:
    vault_service: a created, unlocked ``VaultService`` (passphrase ``PASSPHRASE``).
    services: ``Services`` built on it, with My details set (plans can be agreed).
    dialogs: a ``RecordingDialogs`` (records every call, returns canned answers).
    ctx: ``AppContext`` with ``TaskRunner(inline=True)``.
    make_client / make_note: factories that write through the services.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QWidget

from casedesk.domain.clients import ClientInput
from casedesk.domain.enums import ContactType
from casedesk.domain.notes import NoteInput
from casedesk.services.bundle import Services
from casedesk.services.clients import ClientRecord
from casedesk.services.notes import NoteView
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import KDF_ENV, TEST_KDF
from casedesk.ui.context import AppContext, ChangeHub
from casedesk.ui.dialogs import Dialogs
from casedesk.ui.tasks import TaskRunner
from vaultkit import with_my_details

PASSPHRASE = "correct horse battery staple 42"
# The offscreen platform warns whenever a shown top-level window's size limits change; it is
# noise from the test platform, not a problem in the app.
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints"
CANARY = "CANARYzq7Xwv"


@dataclass
class DialogCall:
    """One call to a dialog method."""

    kind: str
    title: str
    text: str
    irreversible: bool = False  # confirm: Cancel is the default button


@dataclass
class RecordingDialogs(Dialogs):
    """Dialogs that never block: record each call and return the canned answer.

    Attributes:
        calls: every call in order.
        confirm_answer: what ``confirm`` returns.
        save_path / open_path: what the file dialogs return (None = cancelled).
    """

    calls: list[DialogCall] = field(default_factory=list)
    confirm_answer: bool = True
    save_path: Path | None = None
    open_path: Path | None = None

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        self.calls.append(DialogCall("info", title, text))

    def warn(self, parent: QWidget | None, title: str, text: str) -> None:
        self.calls.append(DialogCall("warn", title, text))

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        self.calls.append(DialogCall("error", title, text))

    def confirm(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        *,
        ok: str = "OK",
        irreversible: bool = False,
    ) -> bool:
        self.calls.append(DialogCall("confirm", title, text, irreversible))
        return self.confirm_answer

    def open_file(self, parent: QWidget | None, caption: str, file_filter: str) -> Path | None:
        self.calls.append(DialogCall("open_file", caption, file_filter))
        return self.open_path

    def ask_save_path(
        self, parent: QWidget | None, caption: str, suggested: str, file_filter: str
    ) -> Path | None:
        # Only the modal is replaced: the check of the chosen place runs as in the app.
        self.calls.append(DialogCall("save_file", caption, suggested))
        return self.save_path

    def kinds(self) -> list[str]:
        """The kinds of calls made, in order (e.g. ``["confirm", "info"]``)."""
        return [c.kind for c in self.calls]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Ignore the offscreen platform's size-hint warning in UI tests (other warnings fail)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(scope="session", autouse=True)
def _private_qsettings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """QSettings go to a throw-away directory, never the developer's own configuration."""
    folder = tmp_path_factory.mktemp("qsettings")
    QCoreApplication.setOrganizationName("casedesk-tests")
    QCoreApplication.setApplicationName("casedesk-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield


@pytest.fixture(autouse=True)
def _test_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Vaults created by UI code in tests use tiny Argon2 parameters."""
    monkeypatch.setenv(KDF_ENV, "test")


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    """Where the test's vault lives (not created yet)."""
    return tmp_path / "vault"


@pytest.fixture
def vault_service(vault_dir: Path) -> Iterator[VaultService]:
    """A fresh, created and unlocked vault (passphrase ``PASSPHRASE``)."""
    vault = VaultService(vault_dir, kdf=TEST_KDF)
    vault.create(PASSPHRASE)
    yield vault
    vault.lock()


@pytest.fixture
def services(vault_service: VaultService) -> Services:
    """Every service on the fresh vault, with My details set (so plans can be agreed)."""
    return with_my_details(Services.for_vault(vault_service))


@pytest.fixture
def dialogs() -> RecordingDialogs:
    """Dialogs that record calls instead of showing modals."""
    return RecordingDialogs()


@pytest.fixture
def task_runner() -> Iterator[TaskRunner]:
    """A runner that does the work inline, synchronously."""
    runner = TaskRunner(inline=True)
    yield runner
    runner.shutdown()


@pytest.fixture
def ctx(services: Services, task_runner: TaskRunner, dialogs: RecordingDialogs) -> AppContext:
    """The context every screen is built with."""
    return AppContext(services=services, tasks=task_runner, dialogs=dialogs, hub=ChangeHub())


@pytest.fixture
def make_client(services: Services) -> Callable[..., ClientRecord]:
    """Factory: ``make_client("Ada", "Lovelace", date_of_birth=date(1990, 1, 2), ...)``."""

    def make(given: str = "Ada", family: str = "Example", **fields: Any) -> ClientRecord:
        fields.setdefault("date_of_birth", date(1985, 6, 1))
        return services.clients.add_client(ClientInput(given, family, **fields))

    return make


@pytest.fixture
def make_note(services: Services) -> Callable[..., NoteView]:
    """Factory: ``make_note(client_id, "body text", contact_type=ContactType.PHONE)``."""

    def make(client_id: str, body: str = "Phoned to check in.", **fields: Any) -> NoteView:
        fields.setdefault("contact_type", ContactType.PHONE)
        return services.notes.add_note(NoteInput(client_id, body, **fields))

    return make


@pytest.fixture
def passphrase() -> str:
    """The passphrase of the ``vault_service`` vault."""
    return PASSPHRASE


@pytest.fixture
def canary() -> str:
    """A string to put in client data and then hunt for after a lock."""
    return CANARY


def _model_texts(model: Any) -> list[str]:
    """Every DisplayRole/ToolTipRole string in an item model (walks trees)."""
    from PySide6.QtCore import QModelIndex, Qt

    found: list[str] = []
    stack = [QModelIndex()]
    while stack:
        parent = stack.pop()
        for row in range(model.rowCount(parent)):
            try:
                columns = max(model.columnCount(parent), 1)
            except TypeError:  # list models keep columnCount private in PySide6
                columns = 1
            for column in range(columns):
                index = model.index(row, column, parent)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = index.data(role)
                    if isinstance(value, str):
                        found.append(value)
                if column == 0 and columns > 1 and model.rowCount(index) > 0:
                    stack.append(index)
    return found


def find_text_everywhere(needle: str) -> list[str]:
    """Where ``needle`` still shows: widget texts, item models, window titles, clipboard."""
    from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QEvent
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QApplication,
        QComboBox,
        QLabel,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
    )

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    hits: list[str] = []
    models: set[int] = set()
    for widget in QApplication.allWidgets():
        name = f"{type(widget).__name__}#{widget.objectName()}"
        texts: list[str] = [widget.windowTitle(), widget.toolTip(), widget.accessibleName()]
        if isinstance(widget, QLabel | QLineEdit | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        if isinstance(widget, QTextEdit):
            texts.append(widget.toPlainText())
        if isinstance(widget, QPlainTextEdit):
            texts.append(widget.toPlainText())
        if isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            if id(model) not in models:
                models.add(id(model))
                texts += _model_texts(model)
        hits += [f"{name}: {t[:60]}" for t in texts if t and needle in t]
    for obj in QApplication.instance().findChildren(QAbstractItemModel):
        if id(obj) not in models:
            hits += [f"model {type(obj).__name__}" for t in _model_texts(obj) if needle in t]
    if needle in QGuiApplication.clipboard().text():
        hits.append("clipboard")
    return hits


@pytest.fixture
def leak_scan() -> Callable[[str], list[str]]:
    """``leak_scan(text)`` lists every widget, model, title or clipboard still showing it."""
    return find_text_everywhere
