"""A realistic, deterministic synthetic caseload for demos, screenshots and benchmarks.

Everything is fictional. The same seed and anchor date give the same records (ids included).
Rows are written with bulk inserts (an ORM flush per row would take minutes for 5,000 clients),
each with its outbox row, so a demo vault is a truthful vault that can sync like any other.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any, cast

from sqlalchemy import Connection, Table, select

from casedesk.domain import enums as E
from casedesk.domain.clock import today as local_today
from casedesk.domain.domain_sets import load_domain_set, to_data
from casedesk.domain.ids import uuid7_from
from casedesk.domain.my_details import MyDetails
from casedesk.domain.plans import ActionSnapshot, GoalSnapshot, PlanSnapshot, TargetSnapshot
from casedesk.domain.reference import REFERENCE_STAMP
from casedesk.domain.validation import Validator
from casedesk.paths import resources_dir
from casedesk.services import demo_content as C
from casedesk.services.demo_story import (
    REVIEW_DAYS,
    ClientProfile,
    Period,
    ReferralProgress,
    Slip,
    Timeline,
    random_profile,
    worker_caseload,
)
from casedesk.services.plans import snapshot_data_and_hash
from casedesk.services.preferences import PROFILE_KEY
from casedesk.storage.engine import Database
from casedesk.storage.migrate import rebuild_client_activity, rebuild_note_index
from casedesk.storage.models import (
    Action,
    Assessment,
    AssessmentReading,
    AuditEvent,
    CaseNote,
    CasePlan,
    Client,
    ClientIdentifier,
    Consent,
    DomainSetRecord,
    Episode,
    Goal,
    GoalReview,
    GoalTarget,
    Intake,
    Need,
    NoteGoal,
    OutboxOp,
    PlanVersion,
    Preference,
    Professional,
    ReferralOut,
    Review,
    RiskScreen,
    ServiceEntry,
    SupportPerson,
)

BATCH_CLIENTS = 250
MAX_DEMO_CLIENTS = 100_000
# The story runs 88 years back (the oldest clients) and a year or two ahead (due dates); these
# anchors keep every date a real, sensible one (born after 1900, before year 9999).
EARLIEST_ANCHOR = date(2000, 1, 1)
LATEST_ANCHOR = date(2099, 12, 31)
DEMO_DEVICE = "demo-data"
NOTES_PER_CLIENT = {
    E.Intensity.INTENSIVE: 90,
    E.Intensity.HIGH: 65,
    E.Intensity.MODERATE: 45,
    E.Intensity.LOW: 25,
}
DEFAULT_DOMAIN_SET = "casedesk-core.v1.json"


@dataclass(frozen=True)
class DemoSummary:
    """How much was generated."""

    clients: int
    rows: dict[str, int]


class _Sink:
    """Collects rows per table and writes them, with outbox rows, in bulk.

    Values are converted to SQLite primitives here and written with one prepared
    ``executemany`` per table, in the same formats the ORM column types use.
    """

    def __init__(self, conn: Connection, rng: random.Random, base_ms: int) -> None:
        self.conn = conn
        self.rng = rng
        self.rows: dict[Table, list[dict[str, Any]]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self._ms = base_ms
        self._counter = 0

    def new_id(self) -> str:
        self._ms += 1
        return uuid7_from(self._ms, self.rng)

    def add(self, model: type[Any], **values: Any) -> str:
        row_id = values.setdefault("id", self.new_id())
        self._counter = (self._counter + 1) % 0xFFFF
        created = values.pop("_created", None)
        stamp_ms = int(created.timestamp() * 1000) if created else self._ms
        values["hlc"] = f"{stamp_ms:015d}-{self._counter:05d}-{DEMO_DEVICE}"
        values["row_version"] = 1
        values["created_at"] = values["updated_at"] = created or _ms_to_datetime(self._ms)
        values.setdefault("deleted_at", None)
        self.rows[model.__table__].append(values)
        return str(row_id)

    def flush(self) -> None:
        outbox: list[dict[str, Any]] = []
        for table, rows in self.rows.items():
            _bulk_insert(self.conn, table, rows)
            self.counts[table.name] += len(rows)
            outbox.extend(
                {
                    "op_id": self.new_id(),
                    "table_name": table.name,
                    "row_id": row["id"],
                    "kind": "insert",
                    "base_version": None,
                    "fields": None,
                    "hlc": row["hlc"],
                    "state": "pending",
                    "error": "",
                    "created_at": row["created_at"],
                }
                for row in rows
            )
        if outbox:
            _bulk_insert(self.conn, cast(Table, OutboxOp.__table__), outbox)
        self.rows.clear()


def _ms_to_datetime(unix_ms: int) -> datetime:
    return datetime.fromtimestamp(unix_ms / 1000, UTC)


def _datetime_text(value: datetime) -> str:
    naive_utc = value.astimezone(UTC).replace(tzinfo=None)
    return naive_utc.isoformat(sep=" ", timespec="microseconds")


def _json_text(value: Any) -> str:
    return json.dumps(value)


def _identity(value: Any) -> Any:
    return value


# The stored form of each Python type, matching the ORM column types (naive-UTC text datetimes).
_TO_SQL: dict[type, Any] = {
    str: _identity,
    int: _identity,
    float: _identity,
    bool: int,
    type(None): _identity,
    datetime: _datetime_text,
    date: date.isoformat,
    dict: _json_text,
    list: _json_text,
}


def _sql_value(value: Any) -> Any:
    convert = _TO_SQL.get(type(value))
    if convert is not None:
        return convert(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str):  # e.g. SQLAlchemy's quoted_name
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__}")


def _bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    placeholders = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})"
    params = [tuple(_sql_value(row[c]) for c in columns) for row in rows]
    conn.exec_driver_sql(sql, params)


class DemoGenerator:
    """Builds one client's whole story at a time.

    Args:
        sink: where rows go.
        rng: the seeded random source (all randomness comes from here).
        anchor: "today" for the generated story.
        domain_keys: assessment domain keys of the domain set used.
        domain_set_id: the stored domain set the assessments use.
        services: directory entries (id, name) for referrals and agency actions.
    """

    def __init__(
        self,
        sink: _Sink,
        rng: random.Random,
        anchor: date,
        domain_keys: list[str],
        domain_set_id: str,
        services: list[tuple[str, str]],
    ) -> None:
        self.sink = sink
        self.rng = rng
        self.anchor = anchor
        self.domain_keys = domain_keys
        self.domain_set_id = domain_set_id
        self.services = services
        self.timeline = Timeline(rng, anchor)

    # ------------------------------------------------------------------ one client

    def client(self, profile: ClientProfile | None = None) -> None:
        """Generate one client's record, history, plan and notes.

        Args:
            profile: Who the client is (the default demo's roster); None draws one at random
                (synthetic caseloads).
        """
        rng = self.rng
        profile = profile or random_profile(rng)
        period = self.timeline.period(profile)
        given, family = rng.choice(C.GIVEN_NAMES), rng.choice(C.FAMILY_NAMES)
        client_id = self.sink.add(
            Client,
            given_name=given,
            family_name=family,
            preferred_name=rng.choice(("", "", "", given[:3] + "ie")),
            date_of_birth=self.anchor - timedelta(days=rng.randint(18 * 365, 88 * 365)),
            pronouns=rng.choice(C.PRONOUNS),
            phone=f"04{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            email="" if rng.random() < 0.5 else f"{given.lower()}.{rng.randint(1, 99)}@example.org",
            address_line1=f"{rng.randint(1, 240)} {rng.choice(C.FAMILY_NAMES)} Road",
            address_line2="",
            town=rng.choice(C.TOWNS),
            region="",
            postcode=str(rng.randint(2000, 7999)),
            preferred_language=rng.choice(C.LANGUAGES),
            interpreter_needed=rng.random() < 0.08,
            intensity=profile.intensity,
            status=profile.status,
            notes="",
            _created=datetime.combine(period.opened, time(9), UTC),
        )
        self._people(client_id)
        episode_id = self._episode(client_id, profile, period)
        self._consents(client_id, profile, period)
        self._risk(client_id, profile, period)
        if profile.status == E.ClientStatus.REFERRAL:
            return
        priorities = self._assessments(client_id, episode_id, period)
        goal_ids = self._plan(client_id, episode_id, period, priorities, profile)
        self._referrals(client_id, goal_ids, period, profile)
        self._notes(client_id, episode_id, period, profile, goal_ids, given)

    def _people(self, client_id: str) -> None:
        rng = self.rng
        if rng.random() < 0.6:
            self.sink.add(
                ClientIdentifier,
                client_id=client_id,
                system="Agency ref",
                value=f"CD-{rng.randint(100000, 999999)}",
            )
        for _ in range(rng.randint(0, 3)):
            self.sink.add(
                SupportPerson,
                client_id=client_id,
                name=self._person_name(),
                relationship=rng.choice(C.RELATIONSHIPS),
                phone="",
                email="",
                is_carer=rng.random() < 0.3,
                is_emergency_contact=rng.random() < 0.4,
                notes="",
            )
        for role, org in rng.sample(C.PROFESSIONAL_ROLES, rng.randint(0, 3)):
            self.sink.add(
                Professional,
                client_id=client_id,
                name=self._person_name(),
                role=role,
                organisation=org,
                phone="",
                email="",
                notes="",
            )

    def _person_name(self) -> str:
        return f"{self.rng.choice(C.GIVEN_NAMES)} {self.rng.choice(C.FAMILY_NAMES)}"

    def _episode(self, client_id: str, profile: ClientProfile, period: Period) -> str:
        rng = self.rng
        status, opened, closed_on = profile.status, period.opened, period.closed_on
        closed = closed_on is not None
        follow_up = closed_on + timedelta(weeks=6) if closed_on else None
        episode_id = self.sink.add(
            Episode,
            client_id=client_id,
            opened_on=opened,
            closed_on=closed_on,
            closure_reason=rng.choice(list(E.ClosureReason)) if closed else None,
            closure_detail="",
            exit_summary="Goals reviewed together; supports in place." if closed else "",
            achievements="Stable housing and a regular GP." if closed else "",
            supports_in_place="GP, family, community group" if closed else "",
            feedback_rating=rng.randint(3, 5) if closed else None,
            feedback_comments="Thanks for sticking with me." if closed else "",
            follow_up_on=follow_up,
            followed_up_at=self.timeline.follow_up_made(profile, follow_up),
        )
        self.sink.add(
            Intake,
            client_id=client_id,
            episode_id=episode_id,
            referral_date=opened - timedelta(days=rng.randint(3, 30)),
            source_type=rng.choice(("self", "GP", "hospital", "community agency", "family")),
            source_name="",
            reason="Complex needs across housing, health and money.",
            screening_outcome=E.ScreeningOutcome.ELIGIBLE,
            screening_notes="",
            decision=E.IntakeDecision.ACCEPTED
            if status != E.ClientStatus.REFERRAL
            else E.IntakeDecision.PENDING,
            decision_date=opened if status != E.ClientStatus.REFERRAL else None,
            decline_reason="",
            referred_on_to="",
            rights_explained_on=opened,
            limits_explained=True,
        )
        return episode_id

    def _consents(self, client_id: str, profile: ClientProfile, period: Period) -> None:
        rng, opened = self.rng, period.opened
        self.sink.add(
            Consent,
            client_id=client_id,
            scope=E.ConsentScope.COLLECT_STORE,
            agencies=[],
            given_on=opened,
            expires_on=opened + timedelta(days=730),
            withdrawn_on=None,
            method="written",
            notes="",
            signature_id=None,
        )
        if rng.random() < 0.8 and self.services:
            agencies = [name for _, name in rng.sample(self.services, 2)]
            expires = self.timeline.consent_expiry(profile)
            self.sink.add(
                Consent,
                client_id=client_id,
                scope=E.ConsentScope.SHARE,
                agencies=agencies,
                given_on=opened,
                expires_on=expires,
                withdrawn_on=None if rng.random() < 0.95 else period.until,
                method="verbal",
                notes="",
                signature_id=None,
            )

    def _risk(self, client_id: str, profile: ClientProfile, period: Period) -> None:
        rng = self.rng
        level = profile.risk
        screened = min(period.opened + timedelta(days=rng.randint(0, 20)), period.until)
        self.sink.add(
            RiskScreen,
            client_id=client_id,
            screened_on=screened,
            risk_to_self=level if rng.random() < 0.5 else E.RiskLevel.LOW,
            risk_to_self_notes="",
            risk_to_others=E.RiskLevel.NONE,
            risk_to_others_notes="",
            risk_from_others=level if rng.random() < 0.3 else E.RiskLevel.NONE,
            risk_from_others_notes="",
            children_in_home=rng.random() < 0.25,
            children_notes="",
            worker_safety=E.RiskLevel.LOW if level != E.RiskLevel.HIGH else E.RiskLevel.MEDIUM,
            worker_safety_notes="Visit in pairs" if level == E.RiskLevel.HIGH else "",
            overall_level=level,
            review_on=self.timeline.risk_review(profile, screened),
            status=E.RecordStatus.FINAL,
            supersedes_id=None,
        )

    def _assessments(self, client_id: str, episode_id: str, period: Period) -> list[str]:
        rng = self.rng
        base = {key: rng.randint(2, 7) for key in self.domain_keys}
        stages = [E.AssessmentStage.INITIAL] + [E.AssessmentStage.REVIEW] * rng.randint(0, 2)
        when = period.opened + timedelta(days=rng.randint(3, 21))
        priorities: list[str] = []
        for index, stage in enumerate(stages):
            if when > period.until:
                break
            final = index < len(stages) - 1 or rng.random() < 0.8
            assessment_id = self.sink.add(
                Assessment,
                client_id=client_id,
                episode_id=episode_id,
                domain_set_id=self.domain_set_id,
                stage=stage,
                assessed_on=when,
                status=E.RecordStatus.FINAL if final else E.RecordStatus.DRAFT,
                finalised_at=datetime.combine(when, time(15), UTC) if final else None,
                supersedes_id=None,
                summary="Talked through every area of life together.",
                carer_wellbeing="",
                carer_needs="",
                completed_with_client=True,
            )
            lowest = sorted(base, key=lambda k: base[k])[:3]
            for key in self.domain_keys:
                score = min(10, base[key] + index * rng.randint(0, 2))
                self.sink.add(
                    AssessmentReading,
                    assessment_id=assessment_id,
                    domain_key=key,
                    client_score=score,
                    worker_score=max(1, score - rng.randint(0, 1)),
                    strengths="Keeps trying; good humour; close to family",
                    needs="Needs support with paperwork" if key in lowest else "",
                    client_words="I'm getting there." if key in lowest else "",
                    priority=key in lowest,
                    locked=final,
                )
            if index == 0:
                priorities = lowest
            when += timedelta(days=rng.randint(60, 150))
        return priorities

    def _plan(
        self,
        client_id: str,
        episode_id: str,
        period: Period,
        priorities: list[str],
        profile: ClientProfile,
    ) -> list[str]:
        # An exited client's plan was closed at exit, as the app does it: goals completed,
        # steps not done cancelled (Timeline.action), no review due.
        rng = self.rng
        start = period.opened + timedelta(days=rng.randint(7, 30))
        end = self.timeline.plan_end(start, period)
        review_days = REVIEW_DAYS[profile.intensity]
        plan_id = self.sink.add(
            CasePlan,
            client_id=client_id,
            episode_id=episode_id,
            state=E.PlanState.AGREED if period.closed_on is None else E.PlanState.CLOSED,
            period_start=start,
            period_end=end,
            next_review_on=self.timeline.next_plan_review(profile, start, end),
            review_interval_days=review_days,
            current_version_no=1,
        )
        # The default demo keeps plans small (one worker's plans); benchmarks keep them full.
        goal_count = rng.randint(2, 4) if profile.keeps_up else rng.randint(3, 6)
        templates = rng.sample(C.GOAL_TEMPLATES, goal_count)
        goal_snaps = [
            self._goal(client_id, episode_id, plan_id, template, order, start, period, profile)
            for order, template in enumerate(templates)
        ]
        snapshot = PlanSnapshot(
            version=1, period_start=start, period_end=end, goals=tuple(goal_snaps)
        )
        data, digest = snapshot_data_and_hash(snapshot)
        self.sink.add(
            PlanVersion,
            plan_id=plan_id,
            version_no=1,
            agreed_on=start,
            snapshot=data,
            content_sha256=digest,
        )
        goal_ids = [snap.id for snap in goal_snaps]
        held = start + timedelta(days=review_days)
        # Held within the plan's life: before today, the plan's end and the case's closing.
        if held < min(period.until, end) and (profile.keeps_up or rng.random() < 0.6):
            self._review(plan_id, held, goal_ids)
        return goal_ids

    def _goal(
        self,
        client_id: str,
        episode_id: str,
        plan_id: str,
        template: tuple[str, str, str, str, str],
        order: int,
        start: date,
        period: Period,
        profile: ClientProfile,
    ) -> GoalSnapshot:
        """One goal with its need, target and actions; returns it as agreed at the start."""
        rng = self.rng
        domain, words, framing, measure, target = template
        need_id = self.sink.add(
            Need,
            client_id=client_id,
            episode_id=episode_id,
            domain_key=domain,
            description=framing,
            source_assessment_id=None,
            status=E.NeedStatus.OPEN,
        )
        term = rng.choice(list(E.GoalTerm))
        priority = rng.choice(list(E.Priority))
        achievement = rng.choice(
            (
                E.GoalAchievement.IN_PROGRESS,
                E.GoalAchievement.IMPROVING,
                E.GoalAchievement.NO_CHANGE,
                E.GoalAchievement.ACHIEVED,
            )
        )
        goal_id = self.sink.add(
            Goal,
            plan_id=plan_id,
            client_id=client_id,
            need_id=need_id,
            domain_key=domain,
            client_words=words,
            worker_framing=framing,
            term=term,
            priority=priority,
            lifecycle_status=(
                E.GoalLifecycle.COMPLETED if period.closed_on else E.GoalLifecycle.ACTIVE
            ),
            achievement_status=achievement,
            status_date=start,
            status_reason="",
            start_date=start,
            expressed_by=E.ExpressedBy.CLIENT,
            sort_order=order,
        )
        target_due = start + timedelta(days=rng.randint(60, 300))
        target_id = self.sink.add(
            GoalTarget,
            goal_id=goal_id,
            measure=measure,
            baseline="0",
            target=target,
            due_on=target_due,
        )
        count = rng.randint(1, 3) if profile.keeps_up else rng.randint(2, 4)
        actions = tuple(
            self._action(goal_id, what, who, a_order, start, period, profile,
                         late=profile.slip is Slip.ACTION and order == 0 and a_order == 0)
            for a_order, (what, who) in enumerate(rng.sample(C.ACTION_TEMPLATES, count))
        )
        return GoalSnapshot(
            id=goal_id,
            client_words=words,
            worker_framing=framing,
            domain_key=domain,
            need_id=need_id,
            term=term.value,
            priority=priority.value,
            lifecycle=E.GoalLifecycle.ACTIVE.value,
            achievement=E.GoalAchievement.IN_PROGRESS.value,
            expressed_by=E.ExpressedBy.CLIENT.value,
            targets=(TargetSnapshot(target_id, measure, "0", target, target_due),),
            actions=actions,
        )

    def _action(
        self,
        goal_id: str,
        what: str,
        who: str,
        order: int,
        start: date,
        period: Period,
        profile: ClientProfile,
        *,
        late: bool,
    ) -> ActionSnapshot:
        """One action; returns it as agreed at the start (before any action was done)."""
        due, status, completed = self.timeline.action(profile, start, period, late)
        service = self.rng.choice(self.services) if who == "agency" else None
        action_id = self.sink.add(
            Action,
            goal_id=goal_id,
            description=what,
            performer=E.Performer(who),
            performer_name="",
            service_id=service[0] if service else None,
            due_on=due,
            status=status,
            completed_on=completed,
            notes="",
            sort_order=order,
        )
        return ActionSnapshot(
            action_id,
            what,
            who,
            service[1] if service else None,
            due,
            E.ActionStatus.NOT_STARTED.value,
        )

    def _review(self, plan_id: str, held: date, goal_ids: list[str]) -> None:
        review_id = self.sink.add(
            Review,
            plan_id=plan_id,
            held_on=held,
            status=E.RecordStatus.FINAL,
            achievements="Rent back on track.",
            barriers="Transport to appointments.",
            new_supports="Community transport",
            summary="Good progress overall.",
            risk_rechecked=True,
        )
        for goal_id in goal_ids:
            self.sink.add(
                GoalReview,
                review_id=review_id,
                goal_id=goal_id,
                achievement_status=E.GoalAchievement.IMPROVING,
                progress_note="Steady progress.",
                client_scaling_score=self.rng.randint(3, 8),
            )

    def _referrals(
        self, client_id: str, goal_ids: list[str], period: Period, profile: ClientProfile
    ) -> None:
        rng = self.rng
        count = rng.randint(0, 2) if profile.keeps_up else rng.randint(0, 3)
        if profile.slip is Slip.REFERRAL_FOLLOW_UP:
            count = max(count, 1)
        for index in range(count):
            service_id, name = rng.choice(self.services)
            late = index == 0 and profile.slip is Slip.REFERRAL_FOLLOW_UP
            drafted, progress, follow_up = self._referral_dates(period, profile, late)
            self.sink.add(
                ReferralOut,
                client_id=client_id,
                goal_id=rng.choice(goal_ids) if goal_ids else None,
                service_id=service_id,
                agency_name=name,
                reason=rng.choice(C.REFERRAL_REASONS),
                status=progress.status,
                drafted_on=drafted,
                sent_on=progress.sent_on,
                responded_on=progress.responded_on,
                attended_on=progress.attended_on,
                closed_on=progress.closed_on,
                follow_up_on=follow_up,
                notes="",
            )

    def _referral_dates(
        self, period: Period, profile: ClientProfile, late: bool
    ) -> tuple[date, ReferralProgress, date | None]:
        """A referral's drafting date, how far it got, and when to follow it up."""
        if late:
            return self.timeline.late_referral()
        rng = self.rng
        wanted = rng.choice(list(E.ReferralStatus))
        if period.closed_on is not None:  # settled one way or another at the exit
            wanted = rng.choice((E.ReferralStatus.CLOSED, E.ReferralStatus.DECLINED))
        drafted = min(period.opened + timedelta(days=rng.randint(10, 200)), period.until)
        progress = self.timeline.referral(wanted, drafted, period.until)
        return drafted, progress, self.timeline.referral_follow_up(
            profile, progress, drafted, period)

    def _notes(
        self,
        client_id: str,
        episode_id: str,
        period: Period,
        profile: ClientProfile,
        goal_ids: list[str],
        given: str,
    ) -> None:
        rng = self.rng
        usual = max(1, int(rng.gauss(NOTES_PER_CLIENT[profile.intensity], 8)))
        for day in self.timeline.note_days(profile, period, usual):
            when = datetime.combine(
                day, time(rng.randint(8, 17), rng.choice((0, 15, 30, 45))), UTC
            )
            contact = rng.choices(list(E.ContactType), weights=(30, 12, 30, 4, 10, 6, 3, 5))[0]
            body = " ".join(
                (
                    rng.choice(C.NOTE_OPENERS).format(
                        name=given, relation=rng.choice(C.RELATIONSHIPS)
                    ),
                    rng.choice(C.NOTE_TOPICS),
                    rng.choice(C.NOTE_TOPICS),
                    rng.choice(C.NOTE_CLOSERS),
                )
            )
            locked = when.date() < self.anchor - timedelta(days=2)
            note_id = self.sink.add(
                CaseNote,
                client_id=client_id,
                episode_id=episode_id,
                contact_type=contact,
                occurred_at=when,
                duration_minutes=rng.choice((10, 15, 30, 45, 60, 90)),
                location=rng.choice(C.CONTACT_LOCATIONS),
                body=body,
                author="Demo Worker",
                locked_at=when + timedelta(hours=2) if locked else None,
                amends_id=None,
                _created=when,
            )
            if goal_ids and rng.random() < 0.3:
                self.sink.add(NoteGoal, note_id=note_id, goal_id=rng.choice(goal_ids))


def _load_domain_set(conn: Connection, sink: _Sink) -> tuple[str, list[str]]:
    """The built-in set, stored as the domain set service stores it (same id on every device)."""
    core = load_domain_set(resources_dir() / "domains" / DEFAULT_DOMAIN_SET)
    set_id = core.ref.reference_id
    table = DomainSetRecord.__table__
    keys = list(core.domain_keys())
    if conn.execute(select(table.c.id).where(table.c.id == set_id)).scalar():
        return set_id, keys
    sink.add(
        DomainSetRecord,
        id=set_id,
        key=core.key,
        version=core.version,
        name=core.name,
        definition=to_data(core),
        builtin=True,
        _created=REFERENCE_STAMP,
    )
    return set_id, keys


def _demo_profile(conn: Connection, sink: _Sink) -> None:
    """A fictional case manager, so demo plans print a contact (only if none is set)."""
    table = Preference.__table__
    if conn.execute(select(table.c.id).where(table.c.id == PROFILE_KEY)).first():
        return
    profile = MyDetails(
        name="Sam Okafor",
        role="Case manager",
        organisation="Riverbend Community Support",
        phone="02 5550 1234",
        email="sam.okafor@example.org",
        hours="Mon-Fri 9am-5pm",
        address="12 River Street\nRiverbend 2999",
    )
    sink.add(Preference, id=PROFILE_KEY, value=profile.to_data())


def _directory(sink: _Sink, rng: random.Random, count: int = 150) -> list[tuple[str, str]]:
    entries = []
    for index in range(count):
        category = C.SERVICE_CATEGORIES[index % len(C.SERVICE_CATEGORIES)]
        name = f"{rng.choice(C.SERVICE_WORDS)} {category} Service {index + 1}"
        entry_id = sink.add(
            ServiceEntry,
            name=name,
            organisation=f"{rng.choice(C.TOWNS)} Community Trust",
            category=category,
            phone=f"1800 {rng.randint(100, 999)} {rng.randint(100, 999)}",
            email=f"intake{index}@example.org",
            website="",
            address=rng.choice(C.TOWNS),
            hours="Mon-Fri 9-5",
            eligibility="Adults in the region",
            area_served="Region-wide",
            notes="",
        )
        entries.append((entry_id, name))
    return entries


def generate_demo_data(
    db: Database, clients: int | None = None, seed: int = 1, anchor: date | None = None
) -> DemoSummary:
    """Add a demo caseload (plus a service directory).

    Everything is written in one transaction: a crash leaves the vault as it was. Note text is
    indexed in one FTS rebuild at the end (about three times faster than row by row).

    Args:
        db: the open vault database.
        clients: None for the default demo, one worker's believable caseload (see
            :mod:`casedesk.services.demo_story`); a number for a synthetic caseload of that
            many clients (benchmarks and load tests).
        seed: the random seed: the same seed and anchor give the same records.
        anchor: the date the story is told up to (default: today).

    Raises:
        ValidationError: ``clients`` or ``anchor`` out of range (nothing is written).
    """
    anchor = anchor or local_today()
    _check_demo_request(clients, anchor)
    rng = random.Random(seed)
    base_ms = int(datetime.combine(anchor, time(0), UTC).timestamp() * 1000) - 10**9
    with db.write_engine.connect() as conn, conn.begin():
        sink = _Sink(conn, rng, base_ms)
        set_id, domain_keys = _load_domain_set(conn, sink)
        _demo_profile(conn, sink)
        services = _directory(sink, rng)
        sink.flush()
        generator = DemoGenerator(sink, rng, anchor, domain_keys, set_id, services)
        roster: list[ClientProfile | None] = (
            list(worker_caseload(rng)) if clients is None else [None] * clients
        )
        with _derived_data_deferred(conn):
            for start in range(0, len(roster), BATCH_CLIENTS):
                for profile in roster[start:start + BATCH_CLIENTS]:
                    generator.client(profile)
                sink.flush()
        sink.add(
            AuditEvent,
            occurred_at=datetime.now(UTC),
            actor="",
            action="demo.generated",
            entity_table="client",
            entity_id=sink.new_id(),
            client_id=None,
            summary=f"{len(roster)} demo clients generated (seed {seed})",
        )
        sink.flush()
    db.generation += 1  # written outside Database.session(): tell caches the data changed
    return DemoSummary(len(roster), dict(sink.counts))


def _check_demo_request(clients: int | None, anchor: date) -> None:
    v = Validator()
    if clients is not None and not 1 <= clients <= MAX_DEMO_CLIENTS:
        v.add("clients", f"Choose between 1 and {MAX_DEMO_CLIENTS:,} clients.")
    if not EARLIEST_ANCHOR <= anchor <= LATEST_ANCHOR:
        v.add(
            "anchor_date",
            f"Choose a date from {EARLIEST_ANCHOR.isoformat()} to {LATEST_ANCHOR.isoformat()}.",
        )
    v.raise_if_any()


@contextmanager
def _derived_data_deferred(conn: Connection) -> Iterator[None]:
    """Index note text and per-client facts once at the end instead of row by row.

    The triggers are dropped and recreated from their own stored SQL in the same transaction,
    so a crash rolls back to the vault as it was, triggers included.
    """
    triggers = (
        "case_note_fts_insert",
        "case_note_activity_insert",
        "risk_screen_activity_insert",
        "episode_activity_insert",
        "consent_activity_insert",
    )
    saved = {
        name: conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
        ).scalar()
        for name in triggers
    }
    for name in triggers:
        conn.exec_driver_sql(f"DROP TRIGGER {name}")
    yield
    for sql in saved.values():
        conn.exec_driver_sql(str(sql))  # recreated exactly as the migrations defined them
    rebuild_note_index(conn)
    rebuild_client_activity(conn)

