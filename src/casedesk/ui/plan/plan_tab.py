"""The Plan tab: the living plan of the current episode, its goals, actions, reviews, versions.

All database work goes through ``ctx.tasks.run``; every service call returns the whole plan
again, so the tab redraws from what was saved. Dialogs are opened non-modally (``open()``)
and kept in ``self.dialog`` so tests can fill them in without blocking.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.clock import today
from casedesk.domain.enums import ActionStatus, PlanState
from casedesk.domain.my_details import AGREE_NEEDS_DETAILS, MyDetails
from casedesk.domain.plans import PlanEvent, PlanTransitionError
from casedesk.services.bundle import Services
from casedesk.services.changes import Changes
from casedesk.services.errors import ImmutableRecordError, ValidationError, VaultError
from casedesk.services.exits import EpisodeRecord
from casedesk.services.goals import coach
from casedesk.services.needs import GoalPrefill
from casedesk.services.plans import ActionView, GoalView, PlanSummary, PlanView
from casedesk.ui.context import AppContext
from casedesk.ui.messages import describe_error
from casedesk.ui.plan.action_editor import ActionEditor
from casedesk.ui.plan.fields import DataCombo
from casedesk.ui.plan.goal_editor import GoalChoices, GoalEditor
from casedesk.ui.plan.labels import confirm_agreeing, label_for
from casedesk.ui.plan.models import GoalRow, action_model, goal_model, proxy_for
from casedesk.ui.plan.period_dialog import PeriodDialog
from casedesk.ui.plan.smart_panel import SmartPanel
from casedesk.ui.widgets.basics import Card, button, guarded, label, set_role
from casedesk.ui.widgets.client_table_model import RowTableModel
from casedesk.ui.widgets.form_draft import DraftDialog, FormDraft, draft_key


@dataclass(frozen=True)
class PlanTabData:
    """What the tab shows, loaded in one background call."""

    plan: PlanView | None
    episodes: tuple[EpisodeRecord, ...]
    domains: tuple[tuple[str, str], ...] = ()
    needs: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    plans: tuple[PlanSummary, ...] = field(default_factory=tuple)


# Life-domain names per open vault: the built-in set never changes while the app runs.
_DOMAIN_CACHE: WeakKeyDictionary[object, tuple[tuple[str, str], ...]] = WeakKeyDictionary()


def load_plan_tab(
    services: Services, client_id: str, domains: tuple[tuple[str, str], ...] | None = None
) -> PlanTabData:
    """Read the plan, episodes, life domains and needs (runs on the database thread)."""
    if domains is None:
        domains = _DOMAIN_CACHE.get(services.domain_sets)
    if domains is None:
        try:
            stored = services.domain_sets.default_set().domain_set
            domains = tuple((d.key, d.name) for d in stored.domains)
            _DOMAIN_CACHE[services.domain_sets] = domains
        except VaultError:
            domains = ()
    needs = tuple(
        (n.id, f"{n.domain_name}: {n.description}" if n.domain_name else n.description)
        for n in services.needs.list_for_client(client_id, open_only=True)
    )
    return PlanTabData(
        plan=services.plans.current_plan(client_id),
        episodes=tuple(services.exits.episodes(client_id)),
        domains=domains,
        needs=needs,
        plans=tuple(services.plans.list_plans(client_id)),
    )


@dataclass(frozen=True)
class GoalFromNeed:
    """What "Create goal from this need" found: the plan tab's data and the need's prefill.

    Attributes:
        data: the plan tab, read afresh (with the draft plan just started, if any).
        prefill: the goal's starting point from the need.
        started: a draft plan was started for this goal (there was none).
    """

    data: PlanTabData
    prefill: GoalPrefill
    started: bool


def prepare_goal_from_need(
    services: Services,
    client_id: str,
    need_id: str,
    domains: tuple[tuple[str, str], ...] | None = None,
) -> GoalFromNeed:
    """Read the plan for a goal from a need, starting a draft plan when there is none.

    No plan is started for a client whose support has ended: reopening is the worker's
    decision, not a side effect of creating a goal. Runs on the database thread.
    """
    prefill = services.needs.goal_prefill_for_need(need_id)
    data = load_plan_tab(services, client_id, domains)
    support_ended = bool(data.episodes) and not data.episodes[0].is_open
    if data.plan is not None or support_ended:
        return GoalFromNeed(data, prefill, started=False)
    services.plans.start_plan(client_id)
    return GoalFromNeed(load_plan_tab(services, client_id, data.domains), prefill, started=True)


GOAL_WIDTHS = (30, 0, 130, 150, 64, 92)  # 0: the goal text stretches
ACTION_WIDTHS = (0, 150, 96, 90)


def _table(accessible: str) -> QTableView:
    view = QTableView()
    view.setAccessibleName(accessible)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    return view


def _size_columns(view: QTableView, widths: tuple[int, ...]) -> None:
    """Fixed starting widths (cheap: no measuring every cell), one stretching column."""
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    for column, width in enumerate(widths):
        if width:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        else:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)


class PlanTab(QWidget):
    """One client's living case plan."""

    def __init__(self, ctx: AppContext, client_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._client_id = client_id
        self.disposed = False
        self.data: PlanTabData | None = None
        self.dialog: QDialog | None = None
        self._domains: tuple[tuple[str, str], ...] | None = None
        self._selected_goal: str | None = None
        self._announcing = False
        self.goals = goal_model(self)
        self.goal_proxy = proxy_for(self.goals, self)
        self.action_items = action_model(self)
        self.action_proxy = proxy_for(self.action_items, self)
        self._build()
        self._connect()
        self._sync_buttons()
        ctx.hub.changed.connect(self._on_hub_changed)
        self.reload()

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        tr = self.tr
        self.state_label = label("", "heading")
        self.state_label.setAccessibleName(tr("Plan state"))
        self.details = label("", "muted", wrap=True)
        self.plan_picker = DataCombo(tr("Which plan to show"))
        self.period_button = button(tr("Period\u2026"), tr("Plan period and review interval"))
        self.start_button = button(tr("Start a plan"), tr("Start a case plan"), primary=True)
        self.agree_button = button(tr("Agree plan\u2026"), tr("Agree the plan as a new version"))
        self.review_button = button(tr("Review\u2026"), tr("Review the plan"))
        self.keep_button = button(tr("Keep as it is"), tr("End the review with no new version"))
        self.versions_button = button(tr("Versions\u2026"), tr("View and compare versions"))
        self.exit_button = button(tr("End support\u2026"), tr("End support and close the case"))
        self.reopen_button = button(tr("Reopen support"), tr("Reopen support: a new episode"))
        header = Card()
        top = QHBoxLayout()
        top.addWidget(label(tr("Case plan"), "heading"))
        top.addWidget(self.state_label)
        top.addWidget(self.plan_picker)
        top.addStretch(1)
        for b in (
            self.period_button,
            self.start_button,
            self.agree_button,
            self.review_button,
            self.keep_button,
            self.versions_button,
            self.exit_button,
            self.reopen_button,
        ):
            top.addWidget(b)
        header.body.addLayout(top)
        header.body.addWidget(self.details)
        self.episode_line = label("", "notice", wrap=True)
        self.follow_up_button = button(tr("Follow-up made"), tr("Record the follow-up contact"))
        episode_row = QHBoxLayout()
        episode_row.addWidget(self.episode_line, 1)
        episode_row.addWidget(self.follow_up_button)
        header.body.addLayout(episode_row)

        self.goal_view = _table(tr("Goals"))
        self.goal_view.setModel(self.goal_proxy)
        _size_columns(self.goal_view, GOAL_WIDTHS)
        self.add_goal_button = button(tr("Add goal\u2026"), tr("Add a goal"), primary=True)
        self.edit_goal_button = button(tr("Edit\u2026"), tr("Edit the selected goal"))
        self.goal_up = button("\u2191", tr("Move goal up"))
        self.goal_down = button("\u2193", tr("Move goal down"))
        self.remove_goal_button = button(tr("Remove"), tr("Remove the selected goal"))
        goal_buttons = QHBoxLayout()
        for b in (
            self.add_goal_button,
            self.edit_goal_button,
            self.goal_up,
            self.goal_down,
            self.remove_goal_button,
        ):
            goal_buttons.addWidget(b)
        goal_buttons.addStretch(1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(label(tr("Goals"), "subheading"))
        left_layout.addWidget(self.goal_view, 1)
        left_layout.addLayout(goal_buttons)

        self.action_view = _table(tr("Actions for the selected goal"))
        self.action_view.setModel(self.action_proxy)
        _size_columns(self.action_view, ACTION_WIDTHS)
        self.add_action_button = button(tr("Add action\u2026"), tr("Add an action to the goal"))
        self.edit_action_button = button(tr("Edit\u2026"), tr("Edit the selected action"))
        self.action_up = button("\u2191", tr("Move action up"))
        self.action_down = button("\u2193", tr("Move action down"))
        self.done_button = button(tr("Mark done"), tr("Mark the selected action done"))
        self.remove_action_button = button(tr("Remove"), tr("Remove the selected action"))
        action_buttons = QHBoxLayout()
        for b in (
            self.add_action_button,
            self.edit_action_button,
            self.action_up,
            self.action_down,
            self.done_button,
            self.remove_action_button,
        ):
            action_buttons.addWidget(b)
        action_buttons.addStretch(1)
        self.coach = SmartPanel()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.actions_heading = label(tr("Actions"), "subheading")
        right_layout.addWidget(self.actions_heading)
        right_layout.addWidget(self.action_view, 1)
        right_layout.addLayout(action_buttons)
        right_layout.addWidget(self.coach, 0)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([800, 460])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(header)
        layout.addWidget(splitter, 1)

    def _connect(self) -> None:
        self.start_button.clicked.connect(self.start_plan)
        self.period_button.clicked.connect(self.edit_period)
        self.plan_picker.activated.connect(lambda _i: self._on_plan_picked())
        self.agree_button.clicked.connect(self.agree)
        self.review_button.clicked.connect(self.review)
        self.keep_button.clicked.connect(self.keep_current)
        self.versions_button.clicked.connect(self.show_versions)
        self.exit_button.clicked.connect(self.end_support)
        self.reopen_button.clicked.connect(self.reopen)
        self.follow_up_button.clicked.connect(self.follow_up_made)
        self.add_goal_button.clicked.connect(lambda: self.edit_goal(new=True))
        self.edit_goal_button.clicked.connect(lambda: self.edit_goal())
        self.goal_up.clicked.connect(lambda: self.move_goal(-1))
        self.goal_down.clicked.connect(lambda: self.move_goal(1))
        self.remove_goal_button.clicked.connect(self.remove_goal)
        self.add_action_button.clicked.connect(lambda: self.edit_action(new=True))
        self.edit_action_button.clicked.connect(lambda: self.edit_action())
        self.action_up.clicked.connect(lambda: self.move_action(-1))
        self.action_down.clicked.connect(lambda: self.move_action(1))
        self.done_button.clicked.connect(self.mark_done)
        self.remove_action_button.clicked.connect(self.remove_action)
        self.goal_view.selectionModel().currentRowChanged.connect(self._on_goal_selected)
        self.goal_view.doubleClicked.connect(lambda _index: self.edit_goal())
        self.action_view.selectionModel().currentRowChanged.connect(lambda *_: self._sync_buttons())
        self.action_view.doubleClicked.connect(lambda _index: self.edit_action())

    # ------------------------------------------------------------------ loading

    @property
    def plan(self) -> PlanView | None:
        """The plan shown (None when the episode has none yet)."""
        return self.data.plan if self.data else None

    def reload(self) -> None:
        """Load the plan off the GUI thread."""
        services, cid, domains = self._ctx.services, self._client_id, self._domains
        self._ctx.tasks.run(
            lambda: load_plan_tab(services, cid, domains),
            guarded(self, self.show_data),
            guarded(self, self._on_error),
            label="load plan",
        )

    def show_data(self, data: PlanTabData) -> None:
        """Show freshly loaded data."""
        self._domains = data.domains
        self.data = data
        self._fill_picker(data)
        self.show_plan(data.plan)

    def _fill_picker(self, data: PlanTabData) -> None:
        tr = self.tr
        items: list[tuple[str, Any]] = []
        current = data.plan.id if data.plan else None
        if current is None:
            items.append((tr("This episode: no plan yet"), None))
        for summary in data.plans:
            start = _day(summary.period_start or summary.created_on)
            text = (
                tr("Current plan (from {start})")
                if summary.id == current
                else tr("Earlier plan from {start} ({state})")
            ).format(start=start, state=label_for(summary.state).lower())
            items.append((text, summary.id))
        self.plan_picker.set_items(items, current)
        self.plan_picker.setVisible(len(items) > 1)

    def _on_plan_picked(self) -> None:
        plan_id = self.plan_picker.value()
        data = self.data
        if data is None:
            return
        if plan_id is None or (data.plan is not None and plan_id == data.plan.id):
            self.reload()
            return
        plans = self._ctx.services.plans
        self._ctx.tasks.run(
            lambda: plans.get_plan(plan_id),
            guarded(self, self.show_plan),
            guarded(self, self._on_error),
            label="load earlier plan",
        )

    def show_plan(self, plan: PlanView | None) -> None:
        """Redraw the plan (after a load or a change)."""
        if self.data is None:
            self.data = PlanTabData(plan, ())
        elif plan is not self.data.plan:
            self.data = dataclasses.replace(self.data, plan=plan)
        self._show_header(plan)
        names = dict(self.data.domains)
        on = today()
        rows = [
            GoalRow(i + 1, g, coach(g, plan, on), names.get(g.domain_key, g.domain_key))
            for i, g in enumerate(plan.goals if plan else ())
        ]
        self.goals.set_rows(rows)
        self._reselect_goal()
        self._sync_buttons()

    def _show_header(self, plan: PlanView | None) -> None:
        tr = self.tr
        episode = self._latest_episode()
        if plan is None:
            self.state_label.setText(tr("No plan yet"))
            self.details.setText(
                tr("Support has ended. Reopen support to start a new episode and plan.")
                if episode is not None and not episode.is_open
                else tr("Start a plan with the client: their goals, in their words.")
            )
        else:
            text = label_for(plan.state)
            if plan.current_version:
                text += tr(" \u00b7 version {n}").format(n=plan.current_version)
            self.state_label.setText(text)
            set_role(
                self.state_label, "notice" if plan.state is PlanState.UNDER_REVIEW else "heading"
            )
            self.details.setText(self._details(plan))
        self._show_episode(episode)

    def _details(self, plan: PlanView) -> str:
        tr = self.tr
        parts = []
        if plan.period_start or plan.period_end:
            parts.append(
                tr("Plan period {start} to {end}").format(
                    start=_day(plan.period_start), end=_day(plan.period_end)
                )
            )
        if plan.next_review_on:
            overdue = plan.next_review_on < today()
            parts.append(
                (tr("Review overdue since {d}") if overdue else tr("Next review {d}")).format(
                    d=_day(plan.next_review_on)
                )
            )
        if plan.review_interval_days:
            parts.append(tr("reviewed every {n} days").format(n=plan.review_interval_days))
        if plan.state is PlanState.UNDER_REVIEW:
            parts.append(tr("Changes are saved to the next version when you agree it."))
        elif plan.state is PlanState.AGREED:
            parts.append(tr("Agreed versions are frozen; start a review to change the plan."))
        return " \u00b7 ".join(parts)

    def _latest_episode(self) -> EpisodeRecord | None:
        episodes = self.data.episodes if self.data else ()
        return episodes[0] if episodes else None

    def _show_episode(self, episode: EpisodeRecord | None) -> None:
        tr = self.tr
        pending = (
            episode is not None
            and not episode.is_open
            and episode.follow_up_on is not None
            and episode.followed_up_at is None
        )
        if episode is not None and not episode.is_open:
            text = tr("Support ended {d} ({why}).").format(
                d=_day(episode.closed_on), why=label_for(episode.closure_reason)
            )
            if pending:
                text += " " + tr("Follow-up contact due {d}.").format(d=_day(episode.follow_up_on))
            self.episode_line.setText(text)
            self.episode_line.show()
        else:
            self.episode_line.hide()
        self.follow_up_button.setVisible(pending)

    # ------------------------------------------------------------------ selection

    def selected_goal(self) -> GoalView | None:
        """The goal selected in the goals table."""
        index = self.goal_view.currentIndex()
        if not index.isValid():
            return None
        row: GoalRow = self.goal_proxy.data(index, RowTableModel.ObjectRole)
        return row.goal

    def selected_action(self) -> ActionView | None:
        """The action selected in the actions table."""
        index = self.action_view.currentIndex()
        if not index.isValid():
            return None
        action: ActionView = self.action_proxy.data(index, RowTableModel.ObjectRole)
        return action

    def select_goal(self, goal_id: str) -> None:
        """Select a goal by id."""
        for row in range(self.goal_proxy.rowCount()):
            index = self.goal_proxy.index(row, 0)
            item: GoalRow = self.goal_proxy.data(index, RowTableModel.ObjectRole)
            if item.goal.id == goal_id:
                self.goal_view.selectionModel().setCurrentIndex(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                return

    def select_action(self, action_id: str) -> None:
        """Select an action of the selected goal by id."""
        for row in range(self.action_proxy.rowCount()):
            index = self.action_proxy.index(row, 0)
            item: ActionView = self.action_proxy.data(index, RowTableModel.ObjectRole)
            if item.id == action_id:
                self.action_view.selectionModel().setCurrentIndex(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                return

    def _reselect_goal(self) -> None:
        wanted = self._selected_goal
        rows = self.goals.rows()
        if wanted is None or not any(r.goal.id == wanted for r in rows):
            wanted = rows[0].goal.id if rows else None
        if wanted is not None:
            self.select_goal(wanted)
        self._show_goal(self.selected_goal())

    def _on_goal_selected(self, *_: Any) -> None:
        goal = self.selected_goal()
        self._selected_goal = goal.id if goal else None
        self._show_goal(goal)

    def _show_goal(self, goal: GoalView | None) -> None:
        selected_action = self.selected_action()
        self.action_items.set_rows(goal.actions if goal else ())
        if selected_action is not None:
            self.select_action(selected_action.id)
        self.actions_heading.setText(
            self.tr("Actions for: {goal}").format(goal=goal.label[:60])
            if goal
            else self.tr("Actions")
        )
        self.coach.setVisible(goal is not None)
        if goal is not None:
            self.coach.show_report(coach(goal, self.plan))
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        plan = self.plan
        episode = self._latest_episode()
        open_episode = episode is not None and episode.is_open
        editable = plan is not None and plan.editable
        events = plan.events if plan else ()
        has_goal = self.selected_goal() is not None
        has_action = self.selected_action() is not None
        self.start_button.setVisible(plan is None and (open_episode or episode is None))
        self.period_button.setVisible(editable)
        self.agree_button.setVisible(PlanEvent.AGREE in events)
        self.review_button.setVisible(
            plan is not None and plan.state in (PlanState.AGREED, PlanState.UNDER_REVIEW)
        )
        self.keep_button.setVisible(PlanEvent.KEEP_CURRENT in events)
        self.versions_button.setVisible(plan is not None and bool(plan.versions))
        self.exit_button.setVisible(open_episode)
        self.reopen_button.setVisible(episode is not None and not episode.is_open)
        for b in (self.add_goal_button,):
            b.setEnabled(editable)
        for b in (self.edit_goal_button, self.goal_up, self.goal_down, self.remove_goal_button):
            b.setEnabled(editable and has_goal)
        self.add_action_button.setEnabled(editable and has_goal)
        for b in (self.edit_action_button, self.action_up, self.action_down):
            b.setEnabled(editable and has_action)
        self.remove_action_button.setEnabled(editable and has_action)
        self.done_button.setEnabled(
            plan is not None and plan.state is not PlanState.CLOSED and has_action
        )

    # ------------------------------------------------------------------ running changes

    def _change(
        self,
        work: Callable[[], Any],
        changes: Changes = Changes.PLANS,
        *,
        label_text: str = "change plan",
        after: Callable[[Any], None] | None = None,
    ) -> None:
        def done(result: Any) -> None:
            if isinstance(result, PlanView):
                self.show_plan(result)
            if after is not None:
                after(result)
            self._announce(changes)

        self._ctx.tasks.run(
            work, guarded(self, done), guarded(self, self._on_error), label=label_text
        )

    def _announce(self, changes: Changes) -> None:
        self._announcing = True
        try:
            self._ctx.hub.announce(changes)
        finally:
            self._announcing = False

    def _on_hub_changed(self, changes: Changes) -> None:
        if self._announcing or self.disposed:
            return
        if changes & (Changes.PLANS | Changes.CLIENTS | Changes.ASSESSMENTS | Changes.DIRECTORY):
            self.reload()

    def _on_error(self, exc: BaseException) -> None:
        tr = self.tr
        if isinstance(exc, PlanTransitionError):
            self._ctx.dialogs.warn(self, tr("Not possible right now"), str(exc))
        elif isinstance(exc, ImmutableRecordError | ValidationError | VaultError):
            self._ctx.dialogs.warn(self, tr("Not saved"), describe_error(exc))
        else:
            self._ctx.dialogs.error(self, tr("Something went wrong"), describe_error(exc))

    # ------------------------------------------------------------------ plan actions

    def start_plan(self) -> None:
        """Start a draft plan for the current episode."""
        cid = self._client_id
        self._change(
            lambda: self._ctx.services.plans.start_plan(cid),
            Changes.PLANS,
            after=lambda _r: self.reload(),
        )

    def agree(self) -> None:
        """Agree the plan (after confirming): the next version is frozen.

        Refused with a plain message until the worker's name and phone number are in My
        details: the client's copy must say who to call.
        """
        plan = self.plan
        if plan is None:
            return
        self._ctx.tasks.run(
            self._ctx.services.profile.get,
            guarded(self, lambda details: self._agree_if_ready(plan, details)),
            guarded(self, self._on_error),
            label="check my details",
        )

    def _agree_if_ready(self, plan: PlanView, details: MyDetails) -> None:
        if not details.ready_for_agreeing:
            self._ctx.dialogs.warn(
                self, self.tr("Add your details first"), self.tr(AGREE_NEEDS_DETAILS)
            )
            return
        if not confirm_agreeing(self._ctx.dialogs, self, (plan.current_version or 0) + 1):
            return
        plan_id = plan.id
        self._change(lambda: self._ctx.services.plans.agree(plan_id))

    def edit_period(self) -> None:
        """Change the plan period and review interval (draft or under review)."""
        plan = self.plan
        if plan is None:
            return
        dialog = PeriodDialog(plan, self)
        plan_id = plan.id

        def save() -> None:
            start, end, days = dialog.start.value(), dialog.end.value(), dialog.interval.value()
            self._change(lambda: self._ctx.services.plans.set_period(plan_id, start, end, days))

        dialog.accepted.connect(save)
        self._open(dialog)

    def keep_current(self) -> None:
        """End a review with no new version."""
        if self.plan is not None:
            plan_id = self.plan.id
            self._change(lambda: self._ctx.services.plans.keep_current(plan_id))

    def review(self) -> None:
        """Open (or resume) the review of an agreed plan."""
        from casedesk.ui.plan.review_dialog import ReviewDialog

        plan = self.plan
        if plan is None:
            return
        services = self._ctx.services

        def open_it() -> Any:
            review = services.reviews.open_review(plan.id)
            return review, services.plans.get_plan(plan.id)

        def show(result: Any) -> None:
            review, fresh = result
            self.show_plan(fresh)
            dialog = ReviewDialog(self._ctx, fresh, review, self)
            dialog.finished_review.connect(self._after_review)
            self._open(dialog)

        self._change(open_it, Changes.PLANS, after=show)

    def _after_review(self, plan: PlanView) -> None:
        self.show_plan(plan)
        self._announce(Changes.PLANS)

    def show_versions(self) -> None:
        """Show agreed versions and their differences."""
        from casedesk.ui.plan.versions_dialog import VersionsDialog

        if self.plan is not None:
            self._open(VersionsDialog(self._ctx, self.plan, self))

    # ------------------------------------------------------------------ goals

    def edit_goal(
        self, *, new: bool = False, prefill: Callable[[GoalEditor], None] | None = None
    ) -> None:
        """Open the goal editor for a new goal or the selected one (typing kept as a draft)."""
        plan = self.plan
        goal = None if new else self.selected_goal()
        if plan is None or (not new and goal is None):
            return
        if not plan.editable:
            self._explain_frozen(plan)
            return
        editor = GoalEditor(plan, goal, self._choices(), self)
        if prefill is not None:
            prefill(editor)  # where the form starts, not typing
        goal_id, plan_id, cid = goal.id if goal else None, plan.id, self._client_id
        key = draft_key("goal", "edit", goal_id) if goal_id else draft_key("goal", "new", cid)
        editor.draft = FormDraft(
            self._ctx, editor, key, self.tr("Restore the goal you were writing on {when}?")
        )

        def save() -> None:
            data = editor.result_input()
            goals = self._ctx.services.goals
            if goal_id is None:
                self._change(
                    lambda: goals.add_goal(plan_id, data, draft_key=key),
                    after=self._select_last_goal,
                )
            else:
                self._change(lambda: goals.update_goal(goal_id, data, draft_key=key))

        editor.accepted.connect(save)
        self._open(editor)

    def new_goal_from_need(self, need_id: str) -> None:
        """Open the goal editor prefilled from a need (assessment's "Create goal").

        Reads the plan afresh first (the tab may have only just been built). With no plan
        yet, a draft plan is started for the goal; when the plan can't take a new goal now
        (agreed, or support has ended) the worker is told what to do first.
        """
        services, cid, domains = self._ctx.services, self._client_id, self._domains
        self._ctx.tasks.run(
            lambda: prepare_goal_from_need(services, cid, need_id, domains),
            guarded(self, self._show_goal_from_need),
            guarded(self, self._on_error),
            label="goal from need",
        )

    def _show_goal_from_need(self, prepared: GoalFromNeed) -> None:
        self.show_data(prepared.data)
        plan = prepared.data.plan
        if prepared.started:
            self._announce(Changes.PLANS)
        if plan is None or not plan.editable:
            self._explain_goal_blocked(plan)
            return
        prefill = prepared.prefill
        self.edit_goal(
            new=True,
            prefill=lambda editor: editor.prefill(
                prefill.need_id,
                prefill.domain_key,
                prefill.client_words,
                prefill.suggested_framing,
            ),
        )

    def _explain_goal_blocked(self, plan: PlanView | None) -> None:
        tr = self.tr
        if plan is not None and plan.state is PlanState.AGREED:
            self._ctx.dialogs.info(
                self,
                tr("Start a review first"),
                tr(
                    "Version {n} of the plan is agreed and frozen. Choose Review… to open it, "
                    "then create the goal from the need again: it becomes part of the next "
                    "version when you agree it."
                ).format(n=plan.current_version or 0),
            )
            return
        self._ctx.dialogs.info(
            self,
            tr("Support has ended"),
            tr(
                "This client's support has ended, so their plan is closed. Choose Reopen "
                "support to start a new episode and plan, then create the goal from the need."
            ),
        )

    def _select_last_goal(self, plan: Any) -> None:
        if isinstance(plan, PlanView) and plan.goals:
            self._selected_goal = plan.goals[-1].id
            self.select_goal(plan.goals[-1].id)

    def _choices(self) -> GoalChoices:
        data = self.data
        return GoalChoices(data.domains if data else (), data.needs if data else ())

    def move_goal(self, delta: int) -> None:
        """Move the selected goal up or down."""
        goal = self.selected_goal()
        if goal is not None:
            self._change(lambda: self._ctx.services.goals.move_goal(goal.id, delta))

    def remove_goal(self) -> None:
        """Remove the selected goal (after confirming)."""
        goal = self.selected_goal()
        if goal is None:
            return
        if self._ctx.dialogs.confirm(
            self,
            self.tr("Remove goal"),
            self.tr("Remove this goal and its actions from the plan? Agreed versions keep it."),
            ok=self.tr("Remove"),
        ):
            self._change(lambda: self._ctx.services.goals.remove_goal(goal.id))

    # ------------------------------------------------------------------ actions

    def edit_action(self, *, new: bool = False) -> None:
        """Open the action editor (loads the directory first, for agencies)."""
        goal = self.selected_goal()
        action = None if new else self.selected_action()
        plan = self.plan
        if plan is None or goal is None or (not new and action is None):
            return
        if not plan.editable:
            self._explain_frozen(plan)
            return
        directory = self._ctx.services.directory

        def show(entries: Sequence[Any]) -> None:
            editor = ActionEditor(action, [(e.id, e.label) for e in entries], self)
            key = (
                draft_key("action", "edit", action.id)
                if action
                else draft_key("action", "new", goal.id)
            )
            editor.draft = FormDraft(
                self._ctx, editor, key, self.tr("Restore the action you were writing on {when}?")
            )

            def save() -> None:
                data = editor.result_input()
                goals = self._ctx.services.goals
                if action is None:
                    self._change(lambda: goals.add_action(goal.id, data, draft_key=key))
                else:
                    self._change(lambda: goals.update_action(action.id, data, draft_key=key))

            editor.accepted.connect(save)
            self._open(editor)

        self._ctx.tasks.run(
            directory.list_services,
            guarded(self, show),
            guarded(self, self._on_error),
            label="load directory",
        )

    def move_action(self, delta: int) -> None:
        """Move the selected action up or down within its goal."""
        action = self.selected_action()
        if action is not None:
            self._change(
                lambda: self._ctx.services.goals.move_action(action.id, delta),
                after=lambda _r: self.select_action(action.id),
            )

    def mark_done(self) -> None:
        """Mark the selected action done (allowed in an agreed plan: it is progress)."""
        action = self.selected_action()
        if action is not None:
            self._change(
                lambda: self._ctx.services.goals.set_action_status(action.id, ActionStatus.DONE)
            )

    def remove_action(self) -> None:
        """Remove the selected action (after confirming)."""
        action = self.selected_action()
        if action is not None and self._ctx.dialogs.confirm(
            self, self.tr("Remove action"), self.tr("Remove this action?"), ok=self.tr("Remove")
        ):
            self._change(lambda: self._ctx.services.goals.remove_action(action.id))

    # ------------------------------------------------------------------ exit and reopen

    def end_support(self) -> None:
        """Open the exit form."""
        from casedesk.ui.exit.exit_dialog import ExitDialog

        dialog = ExitDialog(self._ctx, self._client_id, self)
        dialog.exited.connect(lambda _record: self._after_exit())
        self._open(dialog)

    def _after_exit(self) -> None:
        self._announce(Changes.CLIENTS | Changes.PLANS)
        self.reload()

    def reopen(self) -> None:
        """Reopen support: a new episode; all earlier history is kept."""
        if not self._ctx.dialogs.confirm(
            self,
            self.tr("Reopen support"),
            self.tr(
                "Start a new episode of support? The earlier episode, its plan and every agreed "
                "version stay in the record unchanged."
            ),
            ok=self.tr("Reopen"),
        ):
            return
        cid = self._client_id
        self._change(
            lambda: self._ctx.services.exits.reopen(cid),
            Changes.CLIENTS | Changes.PLANS,
            after=lambda _r: self.reload(),
        )

    def follow_up_made(self) -> None:
        """Record that the post-exit follow-up contact was made."""
        episode = self._latest_episode()
        if episode is not None:
            self._change(
                lambda: self._ctx.services.exits.record_follow_up(episode.id),
                Changes.CLIENTS,
                after=lambda _r: self.reload(),
            )

    # ------------------------------------------------------------------ helpers

    def _explain_frozen(self, plan: PlanView) -> None:
        self._ctx.dialogs.info(
            self,
            self.tr("The plan is agreed"),
            self.tr(
                "Version {n} is agreed and frozen. Start a review to make changes; they become "
                "the next version when you agree it."
            ).format(n=plan.current_version or 0),
        )

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open()

    def clear(self) -> None:
        """Forget everything shown (on lock)."""
        self.data = None
        self.goals.clear()
        self.action_items.clear()
        if isinstance(self.dialog, DraftDialog):
            self.dialog.close_keeping_draft()  # locking must not stop to ask about typed text
        elif self.dialog is not None:
            self.dialog.reject()
        self.state_label.clear()
        self.details.clear()


def _day(value: date | None) -> str:
    return value.isoformat() if value else "\u2014"
