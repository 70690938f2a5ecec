"""The first-run flow: passphrase, vault, the recovery key shown once, a check, my details.

Pages, in order: choose a passphrase (live strength meter; one too easy to guess is refused
with the reason), create (Argon2 calibration and vault creation on the database thread, with
progress), the recovery key (print or save), retyping two groups of it to show it was kept, and
My details (skippable: name and phone are needed later, before a plan can be agreed).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.my_details import MyDetails
from casedesk.services.errors import ValidationError
from casedesk.services.profile import ProfileService
from casedesk.services.vault_service import VaultService
from casedesk.ui.dialogs import Dialogs
from casedesk.ui.messages import describe_error
from casedesk.ui.settings.my_details_form import MyDetailsForm
from casedesk.ui.tasks import TaskRunner
from casedesk.ui.welcome.recovery_print import print_recovery_key, recovery_sheet_text
from casedesk.ui.widgets.basics import button, guarded, label
from casedesk.ui.widgets.passphrase import PassphraseForm

PrintFn = Callable[[QWidget | None, str, str], bool]

PAGE_PASSPHRASE, PAGE_WORKING, PAGE_KEY, PAGE_CHECK, PAGE_DETAILS = range(5)


def normalise_group(text: str) -> str:
    """A typed key group compared the way the vault reads keys (case and 0/O, 1/I, 8/B)."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned.replace("0", "O").replace("1", "I").replace("8", "B")


class WelcomeDialog(QDialog):
    """Creates a new vault at ``vault.path``; accepted after the key check and My details.

    My details are saved or skipped on the last page.

    Attributes:
        check_groups: the two (1-based) key groups the user is asked to retype.
        print_fn: prints the recovery sheet (replaced in tests).

    Signals:
        created(): the vault exists and is unlocked (emitted before the key check).
    """

    created = Signal()

    def __init__(
        self,
        vault: VaultService,
        tasks: TaskRunner,
        dialogs: Dialogs,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._vault = vault
        self._tasks = tasks
        self._dialogs = dialogs
        self._recovery_key = ""
        self.check_groups: tuple[int, int] = (1, 2)
        self.print_fn: PrintFn = print_recovery_key
        self.setObjectName("welcomeDialog")
        self.setWindowTitle(self.tr("Welcome to casedesk"))
        self.setMinimumSize(620, 560)
        self.pages = QStackedWidget()
        for build in (
            self._build_passphrase_page,
            self._build_working_page,
            self._build_key_page,
            self._build_check_page,
            self._build_details_page,
        ):
            self.pages.addWidget(build())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 30, 36, 26)
        layout.addWidget(self.pages)
        self._connect_signals()
        self.form.new_field.setFocus()

    # ------------------------------------------------------------------ pages

    def _build_passphrase_page(self) -> QWidget:
        page = QWidget()
        self.form = PassphraseForm()
        self.create_button = button(
            self.tr("Create my vault"), self.tr("Create the vault"), primary=True
        )
        self.quit_button = button(self.tr("Quit"), self.tr("Quit casedesk"))
        self.quit_button.setAutoDefault(False)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(label(self.tr("Welcome to casedesk"), "title"))
        layout.addWidget(
            label(
                self.tr(
                    "Your case records are kept in an encrypted vault on this computer. "
                    "Choose a passphrase to lock it: you will type it each time you open "
                    "casedesk and after it locks itself when you step away."
                ),
                "muted",
                wrap=True,
            )
        )
        location = label(
            self.tr("Vault location: {path}").format(path=self._vault.path), "muted", wrap=True
        )
        location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(location)
        layout.addSpacing(8)
        layout.addWidget(self.form)
        layout.addStretch(1)
        layout.addLayout(self._button_row(self.quit_button, self.create_button))
        return page

    def _build_working_page(self) -> QWidget:
        page = QWidget()
        bar = QProgressBar()
        bar.setRange(0, 0)
        bar.setAccessibleName(self.tr("Creating the vault"))
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(label(self.tr("Setting up encryption…"), "heading"))
        layout.addWidget(
            label(
                self.tr(
                    "casedesk is measuring this computer so your passphrase is slow to guess, "
                    "then creating the vault. This takes a few seconds."
                ),
                "muted",
                wrap=True,
            )
        )
        layout.addWidget(bar)
        layout.addStretch(2)
        return page

    def _build_key_page(self) -> QWidget:
        page = QWidget()
        self.key_label = label("", "key", wrap=True)
        self.key_label.setObjectName("recoveryKeyText")
        self.key_label.setAccessibleName(self.tr("Recovery key"))
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.print_button = button(self.tr("Print…"), self.tr("Print the recovery key"))
        self.save_button = button(
            self.tr("Save to a file…"), self.tr("Save the recovery key to a file")
        )
        self.key_status = label("", "ok", wrap=True)
        self.key_status.hide()
        self.key_next = button(
            self.tr("I have kept it safe"), self.tr("Continue to the check"), primary=True
        )
        actions = QHBoxLayout()
        actions.addWidget(self.print_button)
        actions.addWidget(self.save_button)
        actions.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(label(self.tr("Your recovery key"), "title"))
        layout.addWidget(
            label(
                self.tr(
                    "If you ever forget your passphrase, this key is the only way back into "
                    "your records. It is shown only now. Print it or save it somewhere safe "
                    "and away from this computer — a USB stick in a locked drawer, for example."
                ),
                "muted",
                wrap=True,
            )
        )
        layout.addWidget(self.key_label)
        layout.addLayout(actions)
        layout.addWidget(self.key_status)
        layout.addStretch(1)
        layout.addLayout(self._button_row(None, self.key_next))
        return page

    def _build_check_page(self) -> QWidget:
        page = QWidget()
        self.check_intro = label("", "muted", wrap=True)
        self.group_fields = (QLineEdit(), QLineEdit())
        self.group_labels = (label(""), label(""))
        form = QFormLayout()
        form.setVerticalSpacing(10)
        for index, (field, caption) in enumerate(
            zip(self.group_fields, self.group_labels, strict=True)
        ):
            field.setObjectName(f"checkGroup{index + 1}")
            field.setMaxLength(9)
            field.setMaximumWidth(160)
            caption.setBuddy(field)
            form.addRow(caption, field)
        self.check_error = label("", "error", wrap=True)
        self.check_error.setObjectName("checkError")
        self.check_error.hide()
        self.show_again = button(
            self.tr("Show the key again"), self.tr("Show the key again"), link=True
        )
        self.finish_button = button(
            self.tr("Open casedesk"), self.tr("Finish and open casedesk"), primary=True
        )
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(label(self.tr("Check you have it"), "title"))
        layout.addWidget(self.check_intro)
        layout.addLayout(form)
        layout.addWidget(self.check_error)
        layout.addStretch(1)
        layout.addLayout(self._button_row(self.show_again, self.finish_button))
        return page

    def _build_details_page(self) -> QWidget:
        page = QWidget()
        self.details_form = MyDetailsForm(self._dialogs, self._tasks)
        self.skip_details = button(
            self.tr("Skip for now"), self.tr("Skip your details and open casedesk")
        )
        self.skip_details.setAutoDefault(False)
        self.save_details = button(
            self.tr("Save and open casedesk"), self.tr("Save your details"), primary=True
        )
        self.details_error = label("", "error", wrap=True)
        self.details_error.hide()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(label(self.tr("Your details"), "title"))
        layout.addWidget(
            label(
                self.tr(
                    "Clients' copies of their plans say who you are and how to reach you. "
                    "You can skip this and fill it in later in Settings → My details; your "
                    "name and phone number are needed before a plan can be agreed."
                ),
                "muted",
                wrap=True,
            )
        )
        layout.addWidget(self.details_form)
        layout.addWidget(self.details_error)
        layout.addStretch(1)
        layout.addLayout(self._button_row(self.skip_details, self.save_details))
        return page

    @staticmethod
    def _button_row(left: QWidget | None, right: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        if left is not None:
            row.addWidget(left)
        row.addStretch(1)
        row.addWidget(right)
        return row

    def _connect_signals(self) -> None:
        self.create_button.clicked.connect(self.create_vault)
        self.form.confirm_field.returnPressed.connect(self.create_vault)
        self.quit_button.clicked.connect(self.reject)
        self.print_button.clicked.connect(self._print)
        self.save_button.clicked.connect(self._save)
        self.key_next.clicked.connect(self._show_check)
        self.show_again.clicked.connect(lambda: self.pages.setCurrentIndex(PAGE_KEY))
        self.finish_button.clicked.connect(self.finish)
        self.skip_details.clicked.connect(self.accept)
        self.save_details.clicked.connect(self.save_my_details)
        for field in self.group_fields:
            field.returnPressed.connect(self.finish)
            field.textEdited.connect(self.check_error.hide)

    # ------------------------------------------------------------------ steps

    def create_vault(self) -> None:
        """Refuse a weak passphrase with the reason, else create the vault off the GUI thread."""
        if self.pages.currentIndex() != PAGE_PASSPHRASE or not self.form.validate():
            return
        secret = self.form.passphrase
        vault = self._vault
        self.pages.setCurrentIndex(PAGE_WORKING)
        self._tasks.run(
            lambda: vault.create(secret),
            guarded(self, self._on_created),
            guarded(self, self._on_create_failed),
            label="create vault",
        )

    def _on_created(self, recovery_key: str) -> None:
        self.form.clear()
        self._recovery_key = recovery_key
        self.key_label.setText(recovery_key)
        groups = len(recovery_key.split("-"))
        first, second = sorted(secrets.SystemRandom().sample(range(1, groups + 1), 2))
        self.set_check_groups(first, second)
        self.pages.setCurrentIndex(PAGE_KEY)
        self.key_next.setFocus()
        self.created.emit()

    def _on_create_failed(self, exc: BaseException) -> None:
        self.pages.setCurrentIndex(PAGE_PASSPHRASE)
        self.form.message.setText(describe_error(exc))
        self.form.message.show()

    def set_check_groups(self, first: int, second: int) -> None:
        """Which two groups (1-based) to ask for."""
        self.check_groups = (first, second)
        self.check_intro.setText(
            self.tr(
                "To make sure the key was kept, type group {a} and group {b} of it "
                "(groups are the blocks between dashes, counted from the left)."
            ).format(a=first, b=second)
        )
        for caption, number in zip(self.group_labels, self.check_groups, strict=True):
            caption.setText(self.tr("Group {n}").format(n=number))

    def _show_check(self) -> None:
        for field in self.group_fields:
            field.clear()
        self.pages.setCurrentIndex(PAGE_CHECK)
        self.group_fields[0].setFocus()

    def finish(self) -> None:
        """Accept when both groups match the key, else say which one is wrong."""
        if self.pages.currentIndex() != PAGE_CHECK:
            return
        groups = self._recovery_key.split("-")
        for field, number in zip(self.group_fields, self.check_groups, strict=True):
            if normalise_group(field.text()) != normalise_group(groups[number - 1]):
                self.check_error.setText(
                    self.tr(
                        "Group {n} doesn't match. Look at your printed or saved copy, or use "
                        "“Show the key again”."
                    ).format(n=number)
                )
                self.check_error.show()
                field.setFocus()
                field.selectAll()
                return
        self._forget_key()
        self.details_form.set_details(MyDetails())
        self.pages.setCurrentIndex(PAGE_DETAILS)
        self.details_form.name.setFocus()

    def save_my_details(self) -> None:
        """Store My details (off the GUI thread), then open casedesk; errors are shown inline."""
        if self.pages.currentIndex() != PAGE_DETAILS:
            return
        self.save_details.setEnabled(False)
        self.details_error.hide()
        self._tasks.run(
            self.details_form.save_with(ProfileService(self._vault.db)),
            guarded(self, lambda _saved: self.accept()),
            guarded(self, self._on_details_refused),
            label="save my details",
        )

    def _on_details_refused(self, exc: BaseException) -> None:
        self.save_details.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.details_form.errors.show(exc.errors)
        else:
            self.details_error.setText(describe_error(exc))
            self.details_error.show()

    def _forget_key(self) -> None:
        self._recovery_key = ""
        self.key_label.clear()
        for field in self.group_fields:
            field.clear()

    # ------------------------------------------------------------------ print and save

    def _print(self) -> None:
        if self.print_fn(self, self._recovery_key, self._vault.name):
            self._say_kept(self.tr("Sent to the printer."))

    def _save(self) -> None:
        target = self._dialogs.save_file(
            self,
            self.tr("Save the recovery key"),
            "casedesk-recovery-key.txt",
            self.tr("Text files (*.txt)"),
        )
        if target is None:
            return
        text = recovery_sheet_text(self._recovery_key, self._vault.name)
        self._tasks.run(
            lambda: self._vault.write_user_file(target, text.encode("utf-8")),
            guarded(self, lambda _: self._say_kept(self.tr("Saved to {p}.").format(p=target))),
            guarded(
                self,
                lambda exc: self._dialogs.error(self, self.tr("Not saved"), describe_error(exc)),
            ),
            label="save recovery key",
        )

    def _say_kept(self, text: str) -> None:
        self.key_status.setText(text)
        self.key_status.show()

    def reject(self) -> None:
        """Leaving before the check is allowed only before the vault exists."""
        self._forget_key()
        super().reject()
