"""One client's record: header and tabs, loaded in one background call."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import shiboken6
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from casedesk.domain.clock import today
from casedesk.domain.consent import ConsentSummary, summarise
from casedesk.services.audit import AuditEntry
from casedesk.services.bundle import Services
from casedesk.services.changes import Changes
from casedesk.services.clients import ClientRecord
from casedesk.services.consent import ConsentView
from casedesk.services.drafts import SavedDraft
from casedesk.services.episodes import CaseOverview
from casedesk.services.errors import NotFound
from casedesk.services.intake import IntakeView
from casedesk.services.notes import NoteView
from casedesk.services.people import ProfessionalView, SupportPersonView
from casedesk.ui.assessments.tab import AssessmentsTab
from casedesk.ui.client_record.consent_tab import ConsentTab
from casedesk.ui.client_record.header import ClientHeader
from casedesk.ui.client_record.history_tab import HistoryTab
from casedesk.ui.client_record.intake_tab import IntakeTab
from casedesk.ui.client_record.notes_tab import NOTE_DRAFT_MODES, NotesTab, note_draft_key
from casedesk.ui.client_record.placeholder import PlaceholderPanel
from casedesk.ui.client_record.profile_tab import ProfileTab, profile_draft_key
from casedesk.ui.context import AppContext
from casedesk.ui.documents.documents_tab import DocumentsTab
from casedesk.ui.plan import PlanTab
from casedesk.ui.referrals import ReferralsTab
from casedesk.ui.risk.screen import RiskTab
from casedesk.ui.widgets.basics import guarded
from casedesk.ui.widgets.client_fields import QT_TRANSLATE_NOOP

# Tab slots later features fill: name -> (title, what fills it).
LATER_SLOTS = {
    "assessments": (
        QT_TRANSLATE_NOOP("ClientRecordScreen", "Assessments"),
        QT_TRANSLATE_NOOP(
            "ClientRecordScreen",
            "Strengths and needs assessments arrive with the assessment feature.",
        ),
    ),
    "plan": (
        QT_TRANSLATE_NOOP("ClientRecordScreen", "Plan"),
        QT_TRANSLATE_NOOP(
            "ClientRecordScreen",
            "The case plan, goals, reviews and signed copies arrive with the case planning "
            "feature.",
        ),
    ),
    "referrals": (
        QT_TRANSLATE_NOOP("ClientRecordScreen", "Referrals"),
        QT_TRANSLATE_NOOP(
            "ClientRecordScreen",
            "Referrals out to other agencies, tracked until closed, arrive with the referrals "
            "feature.",
        ),
    ),
    "documents": (
        QT_TRANSLATE_NOOP("ClientRecordScreen", "Documents"),
        QT_TRANSLATE_NOOP(
            "ClientRecordScreen",
            "Signed plans, scans and exported documents arrive with the documents feature.",
        ),
    ),
}


@dataclass(frozen=True)
class RecordData:
    """Everything a record shows, loaded together off the GUI thread."""

    client: ClientRecord
    overview: CaseOverview
    consents: list[ConsentView]
    consent_summary: ConsentSummary
    intake: IntakeView | None
    support: list[SupportPersonView]
    professionals: list[ProfessionalView]
    notes: list[NoteView]
    history: list[AuditEntry]
    note_drafts: list[SavedDraft]
    profile_draft: SavedDraft | None


def load_record(services: Services, client_id: str, on: date, *, drafts: bool) -> RecordData:
    """Read a whole record (runs on the database thread)."""
    consents = services.consent.list_consents(client_id)
    note_drafts: list[SavedDraft] = []
    profile_draft = None
    if drafts:
        for mode in NOTE_DRAFT_MODES:
            found = services.drafts.load(note_draft_key(mode, client_id))
            if found is not None:
                note_drafts.append(found)
        profile_draft = services.drafts.load(profile_draft_key(client_id))
    return RecordData(
        client=services.clients.get_client(client_id),
        overview=services.episodes.overview(client_id),
        consents=consents,
        consent_summary=summarise([c.terms for c in consents], on),
        intake=services.intake.get_intake(client_id),
        support=services.people.support_network(client_id),
        professionals=services.people.professionals(client_id),
        notes=services.notes.list_notes(client_id, include_entered_in_error=True),
        history=services.audit.client_history(client_id),
        note_drafts=note_drafts,
        profile_draft=profile_draft,
    )


class LazyPage(QWidget):
    """A tab page whose real content is built the first time it is needed.

    Args:
        factory: builds the content, given its parent (this page).
        adopt: called once with the content right after it is built.
    """

    def __init__(
        self,
        factory: Callable[[QWidget], QWidget],
        adopt: Callable[[QWidget], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._factory = factory
        self._adopt = adopt
        self.built: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def ensure(self) -> QWidget:
        """The content, building it now if needed."""
        if self.built is None:
            self.built = self._factory(self)
            layout = self.layout()
            assert layout is not None
            layout.addWidget(self.built)
            self._adopt(self.built)
        return self.built


class SlotMap:
    """The record's named tab slots. Reading ``slots[name]`` builds a pending slot first."""

    def __init__(self, owner: ClientRecordScreen) -> None:
        self._owner = owner
        self._pages: dict[str, QWidget] = {}

    def __getitem__(self, name: str) -> QWidget:
        self._owner.ensure_slot(name)
        return self._pages[name]

    def __contains__(self, name: object) -> bool:
        return name in self._pages

    def __iter__(self) -> Iterator[str]:
        return iter(self._pages)

    def page(self, name: str) -> QWidget:
        """The tab page for ``name`` as it is now (a placeholder while pending)."""
        return self._pages[name]

    def set_page(self, name: str, widget: QWidget) -> None:
        """Record the page shown for ``name``."""
        self._pages[name] = widget

    def pages(self) -> list[QWidget]:
        """Every slot page, without building anything."""
        return list(self._pages.values())

    def name_of(self, widget: QWidget | None) -> str | None:
        """The slot a page belongs to."""
        return next((n for n, w in self._pages.items() if w is widget), None)


class ClientRecordScreen(QWidget):
    """A client's record. Later features fill the Assessments, Plan, Referrals, Documents slots.

    Signals:
        loaded(): the record (re)loaded and every tab shows it.
        not_found(): the client no longer exists.
    """

    loaded = Signal()
    not_found = Signal()

    def __init__(self, ctx: AppContext, client_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._client_id = client_id
        self.disposed = False
        self.data: RecordData | None = None
        self._drafts_offered = False
        self.header = ClientHeader(self)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Client record sections"))
        self.tabs.setDocumentMode(True)
        # Tabs are born inside the tab widget's page stack: re-parenting a filled widget tree
        # would make Qt re-apply the style sheet to all of it.
        self._stack = stack = self.tabs.findChild(QStackedWidget)
        self.profile = ProfileTab(ctx, client_id, stack)
        # The other tabs are built when first shown (or asked for): opening stays fast.
        self._pages = {
            "intake": LazyPage(lambda p: IntakeTab(ctx, client_id, p), self._adopt, stack),
            "consent": LazyPage(lambda p: ConsentTab(ctx, client_id, p), self._adopt, stack),
            "notes": LazyPage(lambda p: NotesTab(ctx, client_id, p), self._adopt, stack),
            "history": LazyPage(lambda p: HistoryTab(p), self._adopt, stack),
        }
        self.slots = SlotMap(self)
        self._pending: dict[str, Callable[[], None]] = {}
        self._build()
        # Later features' tabs are built one per event-loop turn after the record first
        # paints (or at once when asked for), so opening never blocks on all of them together.
        risk = PlaceholderPanel(self.tr("Risk"), "", self._stack)
        self.add_tab(risk, self.tr("Risk"))
        self.slots.set_page("risk", risk)
        self.defer_slot("plan", lambda: PlanTab(ctx, client_id))
        self.defer_slot("assessments", self._build_assessments)
        self.defer_slot("risk", lambda: RiskTab(ctx, client_id))
        self.defer_slot("referrals", lambda: ReferralsTab(ctx, client_id))
        self.defer_slot("documents", lambda: DocumentsTab(ctx, client_id))
        self._connect_signals()
        self.reload()

    @property
    def client_id(self) -> str:
        """Whose record this is."""
        return self._client_id

    @property
    def assessments(self) -> AssessmentsTab:
        """The Assessments tab (built now if still pending)."""
        return self.slots["assessments"]  # type: ignore[return-value]

    @property
    def risk(self) -> RiskTab:
        """The Risk tab (built now if still pending)."""
        return self.slots["risk"]  # type: ignore[return-value]

    def _build_assessments(self) -> QWidget:
        tab = AssessmentsTab(self._ctx, self._client_id)
        tab.create_goal_requested.connect(self._goal_from_need)
        return tab

    def defer_slot(self, name: str, build: Callable[[], QWidget]) -> None:
        """Fill slot ``name`` with ``build()`` soon (or as soon as anything asks for it)."""
        self._pending[name] = lambda: self.set_slot(name, build())

    def ensure_slot(self, name: str) -> None:
        """Build a pending slot now."""
        build = self._pending.pop(name, None)
        if build is not None:
            build()

    def _build_next_slot(self) -> None:
        if not shiboken6.isValid(self) or self.disposed or self.data is None:
            return  # gone, cleared on lock, or not loaded (yet): nothing to build for
        if self._pending:
            self.ensure_slot(next(iter(self._pending)))
        if self._pending:
            QTimer.singleShot(0, self._build_next_slot)

    @property
    def intake(self) -> IntakeTab:
        """The Intake tab (built on first use)."""
        return self._pages["intake"].ensure()  # type: ignore[return-value]

    @property
    def consent(self) -> ConsentTab:
        """The Consent tab (built on first use)."""
        return self._pages["consent"].ensure()  # type: ignore[return-value]

    @property
    def notes(self) -> NotesTab:
        """The Notes tab (built on first use)."""
        return self._pages["notes"].ensure()  # type: ignore[return-value]

    @property
    def history(self) -> HistoryTab:
        """The History tab (built on first use)."""
        return self._pages["history"].ensure()  # type: ignore[return-value]

    def _build(self) -> None:
        tr = self.tr
        self.tabs.addTab(self.profile, tr("Profile"))
        self.tabs.addTab(self._pages["intake"], tr("Intake"))
        self.tabs.addTab(self._pages["consent"], tr("Consent"))
        self.tabs.addTab(self._pages["notes"], tr("Notes"))
        for name, (title, text) in LATER_SLOTS.items():
            panel = PlaceholderPanel(tr(title), tr(text), self._stack)
            self.slots.set_page(name, panel)
            self.tabs.addTab(panel, tr(title))
        self.tabs.addTab(self._pages["history"], tr("History"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 8)
        layout.setSpacing(10)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)

    def _connect_signals(self) -> None:
        self.profile.data_changed.connect(self._on_tab_changed)
        self.tabs.currentChanged.connect(self._on_tab_shown)
        self._ctx.hub.changed.connect(self._on_hub_changed)

    def _on_tab_shown(self, index: int) -> None:
        page = self.tabs.widget(index)
        if isinstance(page, LazyPage):
            page.ensure()
        name = self.slots.name_of(page)
        if name is not None and name in self._pending:
            self.ensure_slot(name)

    def _adopt(self, tab: QWidget) -> None:
        """Wire a lazily built tab and show it what is already loaded."""
        changed = getattr(tab, "data_changed", None)
        if changed is not None:
            changed.connect(self._on_tab_changed)
        if self.data is not None:
            self._fill(tab, self.data)

    def _fill(self, tab: QWidget, data: RecordData) -> None:
        if isinstance(tab, IntakeTab):
            tab.set_intake(data.intake)
        elif isinstance(tab, ConsentTab):
            tab.set_consents(data.consents, data.consent_summary)
        elif isinstance(tab, NotesTab):
            tab.set_goals(data.overview.goals)
            tab.set_notes(data.notes)
        elif isinstance(tab, HistoryTab):
            tab.set_history(data.history)

    # ------------------------------------------------------------------ public

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Add a tab before History; returns its index."""
        index = self.tabs.indexOf(self._pages["history"])
        return self.tabs.insertTab(index, widget, title)

    def set_slot(self, name: str, widget: QWidget) -> None:
        """Replace a named placeholder (assessments, plan, referrals, documents, risk)."""
        self._pending.pop(name, None)
        old = self.slots.page(name)
        index = self.tabs.indexOf(old)
        title = self.tabs.tabText(index)
        current = self.tabs.currentIndex() == index
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, widget, title)
        if current:
            self.tabs.setCurrentIndex(index)
        self.slots.set_page(name, widget)
        old.deleteLater()

    def show_tab(self, title: str) -> None:
        """Switch to the tab with this (translated) title."""
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index) == title:
                self.tabs.setCurrentIndex(index)
                return

    def reload(self) -> None:
        """Load (or reload) the whole record off the GUI thread."""
        services, cid, on = self._ctx.services, self._client_id, today()
        drafts = not self._drafts_offered
        self._ctx.tasks.run(
            lambda: load_record(services, cid, on, drafts=drafts),
            guarded(self, self._on_loaded),
            guarded(self, self._on_load_error),
            label="open client record",
        )

    def save_drafts_now(self) -> None:
        """Write pending drafts at once (call before locking)."""
        notes = self._pages["notes"].built
        if isinstance(notes, NotesTab):
            notes.save_draft_now()
        self.profile.save_draft_now()
        for name in ("assessments", "risk"):
            hook = getattr(self.slots.page(name), "save_draft_now", None)
            if callable(hook):
                hook()

    def clear(self) -> None:
        """Empty every widget and model (used on lock); the record must be reopened after.

        Typing not yet autosaved is queued for saving first: the database thread runs it
        before the lock that follows, so the draft is offered back after unlocking.
        """
        self.save_drafts_now()
        self.data = None
        self.header.clear()
        self.profile.clear()
        for page in self._pages.values():
            built = page.built
            if built is not None:
                built.clear()  # type: ignore[attr-defined]
        self._pending.clear()
        for slot in self.slots.pages():
            clear = getattr(slot, "clear", None)
            if callable(clear):
                clear()

    # ------------------------------------------------------------------ private

    def _on_loaded(self, data: RecordData) -> None:
        first = self.data is None
        self.data = data
        on = today()
        self.header.show_record(data.client, data.overview, data.consent_summary, on)
        self.profile.set_record(data.client)
        self.profile.set_people(data.support, data.professionals)
        for page in self._pages.values():
            if page.built is not None:
                self._fill(page.built, data)
        if not self._drafts_offered:
            self._drafts_offered = True
            self.profile.offer_draft(data.profile_draft)
            if data.note_drafts:
                self.notes.offer_draft(data.note_drafts)
        if first and self._pending:
            QTimer.singleShot(0, self._build_next_slot)
        self.loaded.emit()

    def _goal_from_need(self, need_id: str) -> None:
        """The assessment's "Create goal from this need": open the plan's goal editor."""
        plan = self.slots["plan"]
        self.tabs.setCurrentWidget(plan)  # the slot's page is the plan tab itself
        if isinstance(plan, PlanTab):
            plan.new_goal_from_need(need_id)

    def _on_load_error(self, exc: BaseException) -> None:
        if isinstance(exc, NotFound):
            self.not_found.emit()
            return
        self._ctx.dialogs.error(
            self,
            self.tr("Could not open"),
            self.tr("This record could not be opened. Please try again."),
        )

    def _on_tab_changed(self, changes: Changes) -> None:
        self._ctx.hub.announce(changes)  # every screen, this one included, reloads from it

    def _on_hub_changed(self, changes: Changes) -> None:
        if changes & (
            Changes.CLIENTS
            | Changes.NOTES
            | Changes.CONSENT
            | Changes.INTAKE
            | Changes.RISK
            | Changes.PLANS
        ):
            self.reload()
