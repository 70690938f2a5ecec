"""The assessment form: one domain at a time with a navigator and progress, then carer and summary.

A draft is saved to the vault a moment after each edit (and on Save draft), so it can be
filled over several visits. Finalising freezes it; a final assessment opens read-only, with
"Amend" to start a correction that supersedes it.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.enums import AssessmentStage
from casedesk.services.assessments import (
    AssessmentInput,
    AssessmentView,
    FinaliseResult,
    ReadingInput,
)
from casedesk.services.changes import Changes
from casedesk.services.errors import ValidationError
from casedesk.ui.assessments.domain_page import DomainPage
from casedesk.ui.context import AppContext
from casedesk.ui.widgets.basics import button, guarded, label, set_role

AUTOSAVE_MS = 1500
NAVIGATOR_WIDTH = 270


def stage_names(widget: QWidget) -> dict[AssessmentStage, str]:
    """Display names for the assessment stages."""
    tr = widget.tr
    return {
        AssessmentStage.INITIAL: tr("Initial"),
        AssessmentStage.REVIEW: tr("Review"),
        AssessmentStage.EXIT: tr("Exit"),
    }


def _python_date(edit: QDateEdit) -> date:
    value = edit.date().toPython()
    assert isinstance(value, date)
    return value


class _TextPage(QWidget):
    """A page of free-text fields (carer section, summary)."""

    def __init__(self, title: str, intro: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(6)
        self.column.addWidget(label(title, "heading"))
        self.column.addWidget(label(intro, "muted", wrap=True))
        self.column.addSpacing(6)

    def add_text(self, caption: str, accessible: str, height: int = 110) -> QPlainTextEdit:
        """Add a captioned text box."""
        edit = QPlainTextEdit()
        edit.setAccessibleName(accessible)
        edit.setTabChangesFocus(True)
        edit.setMinimumHeight(height)
        self.column.addWidget(label(caption, "subheading"))
        self.column.addWidget(edit)
        self.column.addSpacing(4)
        return edit


class AssessmentForm(QWidget):
    """Fill in, save, finalise, amend and export one assessment.

    Signals:
        saved(str): a draft was saved (assessment id).
        finalised(str): the assessment was finalised (assessment id).
        amendment_started(str): a correcting draft was made (the new id).
        export_requested(str): the user asked for the summary PDF (assessment id).
        back_requested(): the user wants the list again.
    """

    saved = Signal(str)
    finalised = Signal(str)
    amendment_started = Signal(str)
    export_requested = Signal(str)
    back_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.view: AssessmentView | None = None
        self.pages: list[DomainPage] = []
        self._loading = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.save_now)
        self._build()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(self._header())
        self.banner = label("", "notice", wrap=True)
        self.banner.hide()
        layout.addWidget(self.banner)
        body = QHBoxLayout()
        body.setSpacing(14)
        body.addLayout(self._navigator_column())
        self.stack = QStackedWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(4, 0, 12, 0)
        holder_layout.addWidget(self.stack)
        holder_layout.addStretch(1)
        scroll.setWidget(holder)
        self.scroller = scroll
        body.addWidget(scroll, 1)
        layout.addLayout(body, 1)
        layout.addLayout(self._footer())

    def _header(self) -> QHBoxLayout:
        tr = self.tr
        row = QHBoxLayout()
        row.setSpacing(10)
        self.back_button = button(tr("← All assessments"), tr("Back to all assessments"), link=True)
        self.back_button.clicked.connect(self._back)
        self.title = label(tr("Assessment"), "title")
        self.stage = QComboBox()
        self.stage.setAccessibleName(tr("Assessment stage"))
        for stage, name in stage_names(self).items():
            self.stage.addItem(name, stage)
        self.stage.activated.connect(lambda _i: self._edited())
        self.assessed_on = QDateEdit()
        self.assessed_on.setCalendarPopup(True)
        self.assessed_on.setDisplayFormat("d MMM yyyy")
        self.assessed_on.setAccessibleName(tr("Assessment date"))
        self.assessed_on.dateChanged.connect(lambda _d: self._edited())
        self.status = label("", "muted")
        row.addWidget(self.back_button)
        row.addSpacing(8)
        row.addWidget(self.title)
        row.addSpacing(12)
        row.addWidget(label(tr("Stage"), "subheading"))
        row.addWidget(self.stage)
        row.addWidget(label(tr("Date"), "subheading"))
        row.addWidget(self.assessed_on)
        row.addStretch(1)
        row.addWidget(self.status)
        return row

    def _navigator_column(self) -> QVBoxLayout:
        tr = self.tr
        column = QVBoxLayout()
        column.setSpacing(6)
        self.progress_text = label("", "subheading")
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName(tr("Areas recorded"))
        self.navigator = QListWidget()
        self.navigator.setObjectName("plainList")
        self.navigator.setAccessibleName(tr("Life areas"))
        self.navigator.setFixedWidth(NAVIGATOR_WIDTH)
        self.navigator.setWordWrap(True)
        self.navigator.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.navigator.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.navigator.currentRowChanged.connect(self._show_page)
        column.addWidget(self.progress_text)
        column.addWidget(self.progress)
        column.addWidget(self.navigator, 1)
        return column

    def _pager(self, row: QHBoxLayout) -> None:
        tr = self.tr
        self.previous_button = button(tr("← Previous area"), tr("Previous area"))
        self.next_button = button(tr("Next area →"), tr("Next area"))
        self.previous_button.clicked.connect(lambda: self._step(-1))
        self.next_button.clicked.connect(lambda: self._step(1))
        row.addWidget(self.previous_button)
        row.addWidget(self.next_button)
        row.addSpacing(16)

    def _footer(self) -> QHBoxLayout:
        tr = self.tr
        row = QHBoxLayout()
        row.setSpacing(10)
        self.saved_note = label("", "muted")
        self.export_button = button(tr("Export summary PDF…"), tr("Export assessment summary PDF"))
        self.amend_button = button(tr("Amend…"), tr("Amend this finalised assessment"))
        self.save_button = button(tr("Save draft"), tr("Save draft assessment"))
        self.finalise_button = button(tr("Finalise…"), tr("Finalise the assessment"), primary=True)
        self.export_button.clicked.connect(self._export)
        self.amend_button.clicked.connect(self.amend)
        self.save_button.clicked.connect(self.save_now)
        self.finalise_button.clicked.connect(self.finalise)
        self._pager(row)
        row.addWidget(self.saved_note, 1)
        for widget in (
            self.export_button,
            self.amend_button,
            self.save_button,
            self.finalise_button,
        ):
            row.addWidget(widget)
        return row

    # ------------------------------------------------------------------ loading

    def load(self, view: AssessmentView) -> None:
        """Show an assessment (editable if draft, read-only if final)."""
        self._timer.stop()
        self._loading = True
        try:
            self.view = view
            self._rebuild_pages(view)
            self._fill(view)
        finally:
            self._loading = False
        self._set_mode(view)
        self._update_progress()
        if self.navigator.count():
            self.navigator.setCurrentRow(0)

    def _rebuild_pages(self, view: AssessmentView) -> None:
        while self.stack.count():
            page = self.stack.widget(0)
            if page is None:
                break
            self.stack.removeWidget(page)
            page.deleteLater()
        self.navigator.clear()
        self.pages = []
        for domain in view.domain_set.domain_set.domains:
            page = DomainPage(domain)
            page.changed.connect(self._edited)
            self.pages.append(page)
            self.stack.addWidget(page)
            self.navigator.addItem(QListWidgetItem("○  " + domain.name))
        self._add_text_pages()

    def _add_text_pages(self) -> None:
        tr = self.tr
        self.carer_page = _TextPage(
            tr("Carer"),
            tr("If someone cares for the client, their own wellbeing and needs, in their words."),
        )
        self.carer_wellbeing = self.carer_page.add_text(
            tr("How the carer is doing"), tr("Carer's own wellbeing")
        )
        self.carer_needs = self.carer_page.add_text(
            tr("What the carer needs"), tr("Carer's own needs")
        )
        self.carer_page.column.addStretch(1)
        self.summary_page = _TextPage(
            tr("Summary"), tr("The overall picture, in plain words the client would recognise.")
        )
        self.summary = self.summary_page.add_text(
            tr("Summary"), tr("Assessment summary"), height=180
        )
        self.with_client = QCheckBox(tr("Completed together with the client"))
        self.with_client.setAccessibleName(tr("Completed together with the client"))
        self.with_client.clicked.connect(lambda _c: self._edited())
        self.summary_page.column.addWidget(self.with_client)
        self.summary_page.column.addStretch(1)
        for page, name in ((self.carer_page, tr("Carer")), (self.summary_page, tr("Summary"))):
            self.stack.addWidget(page)
            self.navigator.addItem(QListWidgetItem(name))
        for edit in (self.carer_wellbeing, self.carer_needs, self.summary):
            edit.textChanged.connect(self._edited)

    def _fill(self, view: AssessmentView) -> None:
        self.stage.setCurrentIndex(max(self.stage.findData(view.stage), 0))
        self.assessed_on.setDate(QDate(view.assessed_on))
        for page in self.pages:
            page.set_reading(view.reading(page.domain.key))
        self.carer_wellbeing.setPlainText(view.carer_wellbeing)
        self.carer_needs.setPlainText(view.carer_needs)
        self.summary.setPlainText(view.summary)
        self.with_client.setChecked(view.completed_with_client)

    def _set_mode(self, view: AssessmentView) -> None:
        tr = self.tr
        final = view.is_final
        for page in self.pages:
            page.set_read_only(final)
        for edit in (self.carer_wellbeing, self.carer_needs, self.summary):
            edit.setReadOnly(final)
        for widget in (self.stage, self.assessed_on, self.with_client):
            widget.setEnabled(not final)
        self.save_button.setVisible(not final)
        self.finalise_button.setVisible(not final)
        self.amend_button.setVisible(final)
        self.title.setText(
            tr("Amendment") if view.supersedes_id and not final else tr("Assessment")
        )
        if final:
            when = view.finalised_at.strftime("%d %b %Y") if view.finalised_at else ""
            self.status.setText(tr("Final · {0}").format(when))
            self._show_banner(
                tr("This assessment is final and cannot be changed. To correct it, use Amend."),
                "notice",
            )
        else:
            self.status.setText(tr("Draft"))
            if view.supersedes_id:
                self._show_banner(
                    tr("This draft corrects a finalised assessment and will replace it."),
                    "notice",
                )
            else:
                self.banner.hide()
        self.saved_note.setText("")

    def _show_banner(self, text: str, role: str) -> None:
        self.banner.setText(text)
        set_role(self.banner, role)
        self.banner.show()

    def discard(self) -> None:
        """Drop what is shown without saving (on lock)."""
        self._timer.stop()
        self.view = None
        self._loading = True
        try:
            for page in self.pages:
                page.set_reading(ReadingInput(page.domain.key))
            if self.pages:
                for edit in (self.carer_wellbeing, self.carer_needs, self.summary):
                    edit.clear()
        finally:
            self._loading = False

    # ------------------------------------------------------------------ navigation

    def _show_page(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        self.previous_button.setEnabled(row > 0)
        self.next_button.setEnabled(row < self.stack.count() - 1)
        self.scroller.verticalScrollBar().setValue(0)

    def _step(self, delta: int) -> None:
        row = self.navigator.currentRow() + delta
        if 0 <= row < self.navigator.count():
            self.navigator.setCurrentRow(row)

    def show_area(self, domain_key: str) -> None:
        """Jump to a domain's page."""
        for row, page in enumerate(self.pages):
            if page.domain.key == domain_key:
                self.navigator.setCurrentRow(row)

    def _back(self) -> None:
        if self._timer.isActive():
            self.save_now()
        self.back_requested.emit()

    # ------------------------------------------------------------------ data

    def current_input(self) -> AssessmentInput:
        """What the form holds now."""
        stage = self.stage.currentData()
        return AssessmentInput(
            stage=AssessmentStage(stage),
            assessed_on=_python_date(self.assessed_on),
            readings=tuple(page.reading() for page in self.pages),
            summary=self.summary.toPlainText(),
            carer_wellbeing=self.carer_wellbeing.toPlainText(),
            carer_needs=self.carer_needs.toPlainText(),
            completed_with_client=self.with_client.isChecked(),
        )

    def _edited(self) -> None:
        if self._loading or self.view is None or self.view.is_final:
            return
        self._update_progress()
        self.saved_note.setText(self.tr("Unsaved changes…"))
        self._timer.start()

    @property
    def save_pending(self) -> bool:
        """Whether an autosave is scheduled."""
        return self._timer.isActive()

    def _update_progress(self) -> None:
        done = 0
        for row, page in enumerate(self.pages):
            recorded = not page.reading().is_empty
            done += recorded
            item = self.navigator.item(row)
            # Filled and hollow circles have the same width, so a long name wraps the same.
            item.setText(("●  " if recorded else "○  ") + page.domain.name)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, page.domain.name)
        total = len(self.pages)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress_text.setText(self.tr("{0} of {1} areas recorded").format(done, total))

    def save_now(self) -> None:
        """Save the draft to the vault now."""
        self._timer.stop()
        view = self.view
        if view is None or view.is_final:
            return
        data = self.current_input()
        service = self._ctx.services.assessments
        self._ctx.tasks.run(
            lambda: service.save_draft(view.id, data),
            guarded(self, self._saved),
            guarded(self, self._failed),
            label="save assessment draft",
        )

    def _saved(self, view: AssessmentView) -> None:
        self.view = view
        self.saved_note.setText(self.tr("Draft saved"))
        self._ctx.hub.announce(Changes.ASSESSMENTS)
        self.saved.emit(view.id)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            text = "\n".join(error.errors.values())
            self._ctx.dialogs.warn(self, self.tr("Check the assessment"), text)
            return
        self._ctx.dialogs.error(self, self.tr("Could not save"), str(error))

    def finalise(self) -> None:
        """Ask, then save and finalise (priority areas become needs)."""
        view = self.view
        if view is None or view.is_final:
            return
        ok = self._ctx.dialogs.confirm(
            self,
            self.tr("Finalise assessment"),
            self.tr(
                "A final assessment cannot be changed afterwards (corrections are amendments). "
                "Areas marked as a priority become needs for the plan. Finalise now?"
            ),
            ok=self.tr("Finalise"),
        )
        if not ok:
            return
        self._timer.stop()
        data = self.current_input()
        service = self._ctx.services.assessments
        self._ctx.tasks.run(
            lambda: service.finalise(view.id, data),
            guarded(self, self._finalised),
            guarded(self, self._failed),
            label="finalise assessment",
        )

    def _finalised(self, result: FinaliseResult) -> None:
        self.load(result.assessment)
        self._ctx.hub.announce(Changes.ASSESSMENTS | Changes.PLANS)
        self.finalised.emit(result.assessment.id)

    def amend(self) -> None:
        """Start an amendment of this final assessment."""
        view = self.view
        if view is None or not view.is_final:
            return
        service = self._ctx.services.assessments
        self._ctx.tasks.run(
            lambda: service.amend(view.id),
            guarded(self, self._amended),
            guarded(self, self._failed),
            label="amend assessment",
        )

    def _amended(self, view: AssessmentView) -> None:
        self.load(view)
        self._ctx.hub.announce(Changes.ASSESSMENTS)
        self.amendment_started.emit(view.id)

    def _export(self) -> None:
        if self.view is not None:
            if self._timer.isActive():
                self.save_now()
            self.export_requested.emit(self.view.id)
