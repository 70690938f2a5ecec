"""My details: the worker's contact fields and logo, used in Settings and on first run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from casedesk.domain.my_details import MAX_LOGO_BYTES, MyDetails, logo_too_large
from casedesk.services.errors import ValidationError
from casedesk.services.profile import Logo, ProfileService, check_logo_image
from casedesk.ui.context import AppContext
from casedesk.ui.dialogs import Dialogs
from casedesk.ui.messages import describe_error
from casedesk.ui.tasks import TaskRunner
from casedesk.ui.widgets.basics import Card, button, guarded, label, set_role
from casedesk.ui.widgets.client_fields import FieldErrors, add_row, line_edit, text_box

LOGO_PREVIEW_HEIGHT = 48


class MyDetailsForm(QWidget):
    """The fields of :class:`MyDetails` with inline errors, and a logo picker.

    A chosen logo is only read and previewed here; it is stored (and checked) with the rest
    when the details are saved.

    Signals:
        edited(): the user changed a field or the logo.
    """

    edited = Signal()

    def __init__(self, dialogs: Dialogs, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._dialogs = dialogs
        self._tasks = tasks
        self._loaded = MyDetails()
        self.pending_logo: bytes | None = None
        self.remove_logo = False
        self.errors = FieldErrors()
        self._build()

    def _build(self) -> None:
        tr = self.tr
        self.name = line_edit(tr("Your name"), tr("As your clients know you"))
        self.role = line_edit(tr("Your role"), tr("e.g. Case manager"))
        self.organisation = line_edit(tr("Organisation"))
        self.phone = line_edit(tr("Direct phone"), tr("e.g. 02 5550 1234"))
        self.email = line_edit(tr("Email"), tr("name@example.org"))
        self.hours = line_edit(tr("Working hours"), tr("e.g. Mon-Fri 9am-5pm"))
        self.out_of_hours = text_box(
            tr("Out of hours or crisis line"), tr("Who to call when you're not there"), 44
        )
        self.address = text_box(tr("Postal address"), "", 44)
        self.logo_preview = QLabel()
        self.logo_preview.setObjectName("logoPreview")
        self.logo_preview.setAccessibleName(tr("Logo"))
        self.logo_preview.setFixedHeight(LOGO_PREVIEW_HEIGHT)
        self.choose_logo_button = button(tr("Choose logo…"), tr("Choose a logo image"))
        self.remove_logo_button = button(tr("Remove logo"), tr("Remove the logo"), link=True)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        row = 0
        for column, fields in (
            (0, ((tr("Name"), self.name, "name"), (tr("Role"), self.role, "role"))),
            (2, ((tr("Phone"), self.phone, "phone"), (tr("Email"), self.email, "email"))),
        ):
            at = row
            for caption, field, name in fields:
                at = add_row(grid, at, column, caption, field, self.errors, name)
        row = 4
        for caption, field, name in (
            (tr("Organisation"), self.organisation, "organisation"),
            (tr("Working hours"), self.hours, "hours"),
            (tr("Out of hours"), self.out_of_hours, "out_of_hours_help"),
            (tr("Address"), self.address, "address"),
        ):
            grid.addWidget(QLabel(caption), row, 0, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(field, row, 1, 1, 3)
            grid.addWidget(self.errors.label_for(name), row + 1, 1, 1, 3)
            row += 2
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo_preview)
        logo_row.addWidget(self.choose_logo_button)
        logo_row.addWidget(self.remove_logo_button)
        logo_row.addStretch(1)
        grid.addWidget(QLabel(tr("Logo")), row, 0, Qt.AlignmentFlag.AlignRight)
        grid.addLayout(logo_row, row, 1, 1, 3)
        grid.addWidget(self.errors.label_for("logo"), row + 1, 1, 1, 3)
        for edit in (self.name, self.role, self.organisation, self.phone, self.email, self.hours):
            edit.textEdited.connect(self.edited)
        for box in (self.out_of_hours, self.address):
            box.textChanged.connect(self.edited)
        self.choose_logo_button.clicked.connect(self.choose_logo)
        self.remove_logo_button.clicked.connect(self.clear_logo)
        self._show_logo(None)

    # ------------------------------------------------------------------ data

    def set_details(self, details: MyDetails, logo: Logo | None = None) -> None:
        """Show stored details (and the logo in use)."""
        self._loaded = details
        for edit, value in self._line_fields(details):
            edit.setText(value)
        self.out_of_hours.setPlainText(details.out_of_hours_help)
        self.address.setPlainText(details.address)
        self.pending_logo, self.remove_logo = None, False
        self._show_logo(logo.data if logo else None)
        self.errors.clear()

    def details(self) -> MyDetails:
        """What the form holds, unvalidated."""
        return MyDetails(
            name=self.name.text(),
            role=self.role.text(),
            organisation=self.organisation.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            hours=self.hours.text(),
            out_of_hours_help=self.out_of_hours.toPlainText(),
            address=self.address.toPlainText(),
            logo_attachment_id=self._loaded.logo_attachment_id,
        )

    def mark_saved(self, details: MyDetails) -> None:
        """The details as now stored (a chosen logo is no longer pending)."""
        self._loaded = details
        self.pending_logo, self.remove_logo = None, False
        self.errors.clear()

    def save_with(self, profile: ProfileService) -> Callable[[], MyDetails]:
        """The work that stores the form (run it on the task runner)."""
        details, logo, remove = self.details(), self.pending_logo, self.remove_logo
        return lambda: profile.save(details, logo=logo, remove_logo=remove)

    def _line_fields(self, details: MyDetails) -> tuple[tuple[QLineEdit, str], ...]:
        return (
            (self.name, details.name),
            (self.role, details.role),
            (self.organisation, details.organisation),
            (self.phone, details.phone),
            (self.email, details.email),
            (self.hours, details.hours),
        )

    # ------------------------------------------------------------------ logo

    def choose_logo(self) -> None:
        """Pick a PNG or JPEG; it is read off the GUI thread and previewed."""
        path = self._dialogs.open_file(
            self, self.tr("Choose a logo"), self.tr("Images (*.png *.jpg *.jpeg)")
        )
        if path is not None:
            self._tasks.run(
                lambda: read_logo_file(path),
                guarded(self, self.use_logo),
                guarded(self, self._on_logo_refused),
                label="read logo",
            )

    def _on_logo_refused(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc.errors)
        else:
            self.errors.show({"logo": describe_error(exc)})

    def use_logo(self, data: bytes) -> None:
        """Preview a chosen logo; it is stored when the details are saved."""
        self.errors.clear()
        if not self._show_logo(data):
            self.errors.show({"logo": self.tr("This file is not a PNG or JPEG image.")})
            return
        self.pending_logo, self.remove_logo = data, False
        self.edited.emit()

    def clear_logo(self) -> None:
        """Stop using the logo (when saved)."""
        self.pending_logo, self.remove_logo = None, True
        self._show_logo(None)
        self.edited.emit()

    def _show_logo(self, data: bytes | None) -> bool:
        pixmap = QPixmap()
        if data is not None and not pixmap.loadFromData(QByteArray(data)):
            return False
        if pixmap.isNull():
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText(self.tr("No logo"))
        else:
            self.logo_preview.setPixmap(
                pixmap.scaledToHeight(
                    LOGO_PREVIEW_HEIGHT, Qt.TransformationMode.SmoothTransformation
                )
            )
        self.remove_logo_button.setVisible(not pixmap.isNull())
        return True

    def clear(self) -> None:
        """Empty the form (used on lock)."""
        self.set_details(MyDetails(out_of_hours_help=""))


def read_logo_file(path: Path) -> bytes:
    """A chosen logo's bytes, checked as the service will check them when saved.

    Raises:
        ValidationError: too large (refused before reading it), not a PNG/JPEG, or too big.
        OSError: the file can't be read.
    """
    size = path.stat().st_size
    if size > MAX_LOGO_BYTES:
        raise ValidationError({"logo": logo_too_large(size)})
    data = path.read_bytes()
    check_logo_image(data)
    return data


class MyDetailsCard(Card):
    """Settings → My details: edit and save the worker's details (off the GUI thread)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self._profile = ctx.services.profile
        self._tasks = ctx.tasks
        self.disposed = False
        tr = self.tr
        self.body.addWidget(label(tr("My details"), "heading"))
        self.body.addWidget(
            label(
                tr(
                    "Printed on the client's copy of a plan, so they know who to call. Your "
                    "name and phone number are needed before a plan can be agreed. They reach "
                    "your other devices with sync."
                ),
                "muted",
                wrap=True,
            )
        )
        self.form = MyDetailsForm(ctx.dialogs, ctx.tasks)
        self.save_button = button(tr("Save my details"), tr("Save my details"))
        self.status = label("", "ok", wrap=True)
        self.status.setObjectName("myDetailsStatus")
        self.status.hide()
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.status, 1)
        self.body.addWidget(self.form)
        self.body.addLayout(row)
        self.save_button.clicked.connect(self.save)
        self.form.edited.connect(self.status.hide)
        self.reload()

    def reload(self) -> None:
        """Load the stored details and logo."""
        profile = self._profile
        self._tasks.run(
            lambda: (profile.get(), profile.logo()),
            guarded(self, lambda loaded: self.form.set_details(*loaded)),
            guarded(self, self._on_error),
            label="load my details",
        )

    def save(self) -> None:
        """Validate and store what the form holds."""
        self.save_button.setEnabled(False)
        self._tasks.run(
            self.form.save_with(self._profile),
            guarded(self, self._on_saved),
            guarded(self, self._on_error),
            label="save my details",
        )

    def _on_saved(self, details: MyDetails) -> None:
        self.save_button.setEnabled(True)
        self.form.mark_saved(details)
        self._say(self.tr("Saved."), "ok")

    def _on_error(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.form.errors.show(exc.errors)
            self._say(self.tr("Not saved: please check the marked fields."), "error")
        else:
            self._say(describe_error(exc), "error")

    def _say(self, text: str, role: str) -> None:
        self.status.setText(text)
        set_role(self.status, role)
        self.status.show()

    def dispose(self) -> None:
        """Forget the shown details (before the screen is destroyed on lock)."""
        self.disposed = True
        self.form.clear()
