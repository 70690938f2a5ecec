"""The Assessments tab of a client record: list, distance travelled, needs and the form."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QListView,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.enums import AssessmentStage
from casedesk.services.assessments import AssessmentRow, AssessmentView, DistanceData
from casedesk.services.changes import Changes
from casedesk.services.domain_sets_service import StoredDomainSet
from casedesk.services.needs import NeedView
from casedesk.ui.assessments.charts import DistancePanel
from casedesk.ui.assessments.domain_sets_dialog import DomainSetsDialog
from casedesk.ui.assessments.form import AssessmentForm, stage_names
from casedesk.ui.context import AppContext
from casedesk.ui.widgets.basics import Card, button, guarded, label

SIDE_WIDTH = 320
SUGGESTED_PDF_NAME = "assessment-summary.pdf"


@dataclass(frozen=True)
class _Overview:
    rows: list[AssessmentRow]
    distance: DistanceData
    needs: list[NeedView]
    sets: list[StoredDomainSet]


class AssessmentsTab(QWidget):
    """A client's assessments: overview (list, charts, needs) or one assessment in the form.

    Signals:
        create_goal_requested(str): the user chose "Create goal from this need" (need id).
            The plan's goal editor pre-fills from
            ``services.needs.goal_prefill_for_need(need_id)``.
    """

    create_goal_requested = Signal(str)

    def __init__(self, ctx: AppContext, client_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.client_id = client_id
        self.rows: list[AssessmentRow] = []
        self.stack = QStackedWidget()
        self.form = AssessmentForm(ctx)
        self.stack.addWidget(self._overview_page())
        self.stack.addWidget(self.form)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.stack)
        self.form.back_requested.connect(self.show_overview)
        self.form.finalised.connect(lambda _id: self.reload())
        self.form.amendment_started.connect(lambda _id: self.reload())
        self.form.export_requested.connect(self.export_pdf)
        ctx.hub.changed.connect(self._on_changed)
        self.reload()

    # ------------------------------------------------------------------ layout

    def _overview_page(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(14)
        side = QVBoxLayout()
        side.setSpacing(14)
        side.addWidget(self._list_card(), 3)
        side.addWidget(self._needs_card(), 2)
        holder = QWidget()
        holder.setFixedWidth(SIDE_WIDTH)
        holder.setLayout(side)
        side.setContentsMargins(0, 0, 0, 0)
        row.addWidget(holder)
        self.distance = DistancePanel()
        row.addWidget(self.distance, 1)
        return page

    def _list_card(self) -> Card:
        tr = self.tr
        card = Card(tr("Assessments"))
        new_row = QHBoxLayout()
        self.new_stage = QComboBox()
        self.new_stage.setAccessibleName(tr("Stage of the new assessment"))
        self.new_stage.setMinimumWidth(110)
        for stage, name in stage_names(self).items():
            self.new_stage.addItem(name, stage)
        self.new_button = button(tr("New assessment"), tr("Start a new assessment"), primary=True)
        self.new_button.clicked.connect(self.start_new)
        new_row.addWidget(self.new_stage)
        new_row.addWidget(self.new_button, 1)
        card.body.addLayout(new_row)
        self.domain_set = QComboBox()
        self.domain_set.setAccessibleName(tr("Set of life areas for the new assessment"))
        self.areas_button = button(
            tr("Manage life areas…"), tr("Manage sets of life areas"), link=True
        )
        self.areas_button.clicked.connect(self.manage_areas)
        card.body.addWidget(self.domain_set)
        self.list = QListWidget()
        self.list.setObjectName("plainList")
        self.list.setAccessibleName(tr("Assessments, newest first"))
        self.list.itemActivated.connect(lambda item: self.open_assessment(item.data(_ID)))
        self.list.itemClicked.connect(lambda item: self.open_assessment(item.data(_ID)))
        card.body.addWidget(self.list, 1)
        self.empty = label(tr("No assessments yet."), "muted")
        card.body.addWidget(self.empty)
        card.body.addWidget(self.areas_button)
        return card

    def _needs_card(self) -> Card:
        tr = self.tr
        card = Card(tr("Needs for the plan"))
        self.needs = QListWidget()
        self.needs.setObjectName("plainList")
        self.needs.setAccessibleName(tr("Open needs from assessments"))
        self.needs.setWordWrap(True)
        self.needs.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.needs.setResizeMode(QListView.ResizeMode.Adjust)  # wrap to the width, no h-scroll
        self.needs.currentRowChanged.connect(self._need_selected)
        self.goal_button = button(
            tr("Create goal from this need"), tr("Create a plan goal from the chosen need")
        )
        self.goal_button.setEnabled(False)
        self.goal_button.clicked.connect(self._create_goal)
        card.body.addWidget(self.needs, 1)
        card.body.addWidget(self.goal_button)
        return card

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        """Read the list, distance data and needs again."""
        services, client_id = self._ctx.services, self.client_id

        def read() -> _Overview:
            return _Overview(
                services.assessments.list_for_client(client_id),
                services.assessments.distance(client_id),
                services.needs.list_for_client(client_id, open_only=True),
                services.domain_sets.latest_versions(),
            )

        self._ctx.tasks.run(read, guarded(self, self._show), label="load assessments")

    def _show(self, overview: _Overview) -> None:
        self.rows = overview.rows
        self.list.clear()
        names = stage_names(self)
        for row in overview.rows:
            item = QListWidgetItem(self._row_text(row, names))
            item.setData(_ID, row.id)
            self.list.addItem(item)
        self.empty.setVisible(not overview.rows)
        self.distance.set_data(overview.distance)
        self.needs.clear()
        for need in overview.needs:
            item = QListWidgetItem(f"{need.domain_name}: {need.description}")
            item.setData(_ID, need.id)
            self.needs.addItem(item)
        self.goal_button.setEnabled(False)
        self._show_sets(overview.sets)

    def _show_sets(self, sets: list[StoredDomainSet]) -> None:
        chosen = self.domain_set.currentData()
        self.domain_set.clear()
        for stored in sets:
            self.domain_set.addItem(stored.label, stored.id)
        index = self.domain_set.findData(chosen)
        self.domain_set.setCurrentIndex(max(index, 0))
        self.domain_set.setEnabled(len(sets) > 1)

    def _row_text(self, row: AssessmentRow, names: dict[AssessmentStage, str]) -> str:
        tr = self.tr
        when = row.assessed_on.strftime("%d %b %Y")
        if row.superseded_by_id:
            state = tr("Final · replaced by an amendment")
        elif row.is_final:
            state = tr("Final")
        else:
            state = tr("Draft · {0} of {1} areas").format(row.domains_done, row.domains_total)
        kind = names[row.stage] + (tr(" (amendment)") if row.supersedes_id else "")
        return f"{kind} · {when}\n{state}"

    def _on_changed(self, changes: Changes) -> None:
        if changes & (Changes.ASSESSMENTS | Changes.PLANS) and self.stack.currentIndex() == 0:
            self.reload()

    def save_draft_now(self) -> None:
        """Save pending edits of the open draft at once (before a lock)."""
        if self.form.save_pending:
            self.form.save_now()

    def clear(self) -> None:
        """Forget everything shown (on lock); reload to show it again."""
        self.form.discard()
        self.stack.setCurrentIndex(0)
        self.rows = []
        self.list.clear()
        self.needs.clear()
        self.distance.set_data(DistanceData((), ()))

    # ------------------------------------------------------------------ actions

    def start_new(self) -> None:
        """Start a draft of the chosen stage and open it."""
        stage = AssessmentStage(self.new_stage.currentData())
        set_id = self.domain_set.currentData()
        service, client_id = self._ctx.services.assessments, self.client_id
        self._ctx.tasks.run(
            lambda: service.start(client_id, stage, domain_set_id=set_id),
            guarded(self, self._open_view),
            guarded(self, self._failed),
            label="start assessment",
        )

    def manage_areas(self) -> DomainSetsDialog:
        """Open the life-areas dialog (copy a set, rename or add areas)."""
        dialog = DomainSetsDialog(self._ctx, self)
        dialog.sets_changed.connect(self.reload)
        dialog.open()
        return dialog

    def open_assessment(self, assessment_id: str) -> None:
        """Open one assessment in the form."""
        service = self._ctx.services.assessments
        self._ctx.tasks.run(
            lambda: service.get(assessment_id),
            guarded(self, self._open_view),
            guarded(self, self._failed),
            label="open assessment",
        )

    def _open_view(self, view: AssessmentView) -> None:
        self.form.load(view)
        self.stack.setCurrentIndex(1)

    def show_overview(self) -> None:
        """Back to the list and charts."""
        self.stack.setCurrentIndex(0)
        self.reload()

    def _need_selected(self, row: int) -> None:
        self.goal_button.setEnabled(row >= 0)

    def _create_goal(self) -> None:
        item = self.needs.currentItem()
        if item is not None:
            self.create_goal_requested.emit(str(item.data(_ID)))

    def export_pdf(self, assessment_id: str) -> None:
        """Ask where to save, then build the summary PDF off the GUI thread."""
        tr = self.tr
        target = self._ctx.dialogs.save_file(
            self, tr("Save assessment summary"), SUGGESTED_PDF_NAME, tr("PDF files (*.pdf)")
        )
        if target is None:
            return
        service = self._ctx.services.assessments
        self._ctx.tasks.run(
            lambda: service.export_summary_pdf(assessment_id, Path(target)),
            guarded(self, self._exported),
            guarded(self, self._failed),
            label="export assessment summary",
        )

    def _exported(self, path: Path) -> None:
        self._ctx.dialogs.info(
            self, self.tr("Summary saved"), self.tr("Saved to {0}").format(str(path))
        )

    def _failed(self, error: BaseException) -> None:
        self._ctx.dialogs.error(self, self.tr("Something went wrong"), str(error))


_ID = Qt.ItemDataRole.UserRole
