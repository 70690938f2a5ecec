"""The vault schema: typed SQLAlchemy 2 models for the whole case-management cycle.

Conventions:
- Synced tables derive from :class:`Synced`: a UUIDv7 ``id``, a ``row_version`` bumped on every
  change, UTC ``created_at``/``updated_at``, the HLC of the last change, and ``deleted_at`` as a
  tombstone (rows are never hard-deleted). Every change writes an outbox row in the same
  transaction (see :mod:`casedesk.storage.outbox`).
- ``__sync__ = "append_only"`` marks evidentiary tables (audit, signatures, signed documents,
  agreed plan versions): inserted, never changed. Notes and assessments become immutable once
  locked/finalised; a correction is a new row that supersedes the old one.
- Local-only tables (outbox, drafts, device metadata, sync bookkeeping) derive from :class:`Base`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from casedesk.domain import enums as E
from casedesk.domain.clock import utcnow
from casedesk.domain.ids import new_id
from casedesk.storage.types import EnumText, UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(36)


class Base(DeclarativeBase):
    """Declarative base with a stable constraint naming convention (batch migrations need it)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        date: Date(),
        str: Text(),
    }


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Mapped[Any]:
    return mapped_column(ID, ForeignKey(target), nullable=nullable, index=index)


class Synced(Base):
    """Columns every synced table carries."""

    __abstract__ = True
    __sync__: ClassVar[str] = "mutable"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    hlc: Mapped[str] = mapped_column(String(64), default="")

    @classmethod
    def immutable_reason(cls, before: Mapping[str, Any], changed: set[str]) -> str | None:
        """Why a change is refused, judged on the values as loaded (None when allowed).

        Args:
            before: column values before this unit of work changed them.
            changed: names of the columns being changed.
        """
        if cls.__sync__ == "append_only":
            return "This record is part of the permanent file and cannot be changed."
        return None


# ============================================================================ people


class Client(Synced):
    """A person supported by the service."""

    __tablename__ = "client"

    given_name: Mapped[str]
    family_name: Mapped[str]
    preferred_name: Mapped[str] = mapped_column(default="")
    date_of_birth: Mapped[date | None]
    pronouns: Mapped[str] = mapped_column(default="")
    phone: Mapped[str] = mapped_column(default="")
    email: Mapped[str] = mapped_column(default="")
    address_line1: Mapped[str] = mapped_column(default="")
    address_line2: Mapped[str] = mapped_column(default="")
    town: Mapped[str] = mapped_column(default="")
    region: Mapped[str] = mapped_column(default="")
    postcode: Mapped[str] = mapped_column(default="")
    preferred_language: Mapped[str] = mapped_column(default="en")
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    intensity: Mapped[E.Intensity] = mapped_column(
        EnumText(E.Intensity), default=E.Intensity.MODERATE
    )
    status: Mapped[E.ClientStatus] = mapped_column(
        EnumText(E.ClientStatus), default=E.ClientStatus.ACTIVE
    )
    notes: Mapped[str] = mapped_column(default="")

    __table_args__ = (
        Index("ix_client_family_given", "family_name", "given_name"),
        Index("ix_client_status", "status"),
    )


class ClientIdentifier(Synced):
    """An identifier for a client in another system (health number, agency reference...)."""

    __tablename__ = "client_identifier"

    client_id: Mapped[str] = _fk("client.id")
    system: Mapped[str]  # e.g. "Medicare", "NHS number", "Agency ref"
    value: Mapped[str]


class SupportPerson(Synced):
    """Someone in the client's support network: family, friends, informal carers."""

    __tablename__ = "support_person"

    client_id: Mapped[str] = _fk("client.id")
    name: Mapped[str]
    relationship: Mapped[str] = mapped_column(default="")
    phone: Mapped[str] = mapped_column(default="")
    email: Mapped[str] = mapped_column(default="")
    is_carer: Mapped[bool] = mapped_column(Boolean, default=False)
    is_emergency_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(default="")


class Professional(Synced):
    """Another professional involved with the client (GP, psychiatrist, housing officer...)."""

    __tablename__ = "professional"

    client_id: Mapped[str] = _fk("client.id")
    name: Mapped[str]
    role: Mapped[str] = mapped_column(default="")
    organisation: Mapped[str] = mapped_column(default="")
    phone: Mapped[str] = mapped_column(default="")
    email: Mapped[str] = mapped_column(default="")
    notes: Mapped[str] = mapped_column(default="")


# ===================================================================== episode, intake, consent


class Episode(Synced):
    """One period of support, from acceptance to exit. Reopening starts a new episode."""

    __tablename__ = "episode"

    client_id: Mapped[str] = _fk("client.id")
    opened_on: Mapped[date]
    closed_on: Mapped[date | None]
    closure_reason: Mapped[E.ClosureReason | None] = mapped_column(EnumText(E.ClosureReason))
    closure_detail: Mapped[str] = mapped_column(default="")
    exit_summary: Mapped[str] = mapped_column(default="")
    achievements: Mapped[str] = mapped_column(default="")
    supports_in_place: Mapped[str] = mapped_column(default="")
    feedback_rating: Mapped[int | None]  # client's own rating of the service, 1-5
    feedback_comments: Mapped[str] = mapped_column(default="")
    follow_up_on: Mapped[date | None]
    followed_up_at: Mapped[datetime | None]

    # Covering: the latest episode per client for the whole caseload, read from the index.
    __table_args__ = (
        Index(
            "ix_episode_latest",
            "client_id",
            "opened_on",
            "created_at",
            "closed_on",
            "follow_up_on",
            "followed_up_at",
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )


class Intake(Synced):
    """Referral in, screening and the acceptance decision for an episode."""

    __tablename__ = "intake"

    client_id: Mapped[str] = _fk("client.id")
    episode_id: Mapped[str | None] = _fk("episode.id", nullable=True)
    referral_date: Mapped[date | None]
    source_type: Mapped[str] = mapped_column(default="")  # self, GP, hospital, agency...
    source_name: Mapped[str] = mapped_column(default="")
    reason: Mapped[str] = mapped_column(default="")
    screening_outcome: Mapped[E.ScreeningOutcome] = mapped_column(
        EnumText(E.ScreeningOutcome), default=E.ScreeningOutcome.PENDING
    )
    screening_notes: Mapped[str] = mapped_column(default="")
    decision: Mapped[E.IntakeDecision] = mapped_column(
        EnumText(E.IntakeDecision), default=E.IntakeDecision.PENDING
    )
    decision_date: Mapped[date | None]
    decline_reason: Mapped[str] = mapped_column(default="")
    referred_on_to: Mapped[str] = mapped_column(default="")
    rights_explained_on: Mapped[date | None]
    limits_explained: Mapped[bool] = mapped_column(Boolean, default=False)


class Consent(Synced):
    """A consent record: what the client agreed to, with whom, when, and any withdrawal."""

    __tablename__ = "consent"

    client_id: Mapped[str] = _fk("client.id")
    scope: Mapped[E.ConsentScope] = mapped_column(EnumText(E.ConsentScope))
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)  # named agencies covered
    given_on: Mapped[date]
    expires_on: Mapped[date | None]
    withdrawn_on: Mapped[date | None]
    method: Mapped[str] = mapped_column(default="verbal")  # verbal, written, electronic
    notes: Mapped[str] = mapped_column(default="")
    signature_id: Mapped[str | None] = _fk("signature.id", nullable=True, index=False)

    # Covering: every live consent of the caseload, in client order, read from the index.
    __table_args__ = (
        Index(
            "ix_consent_facts",
            "client_id",
            "id",
            "scope",
            "agencies",
            "given_on",
            "expires_on",
            "withdrawn_on",
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )


class RiskScreen(Synced):
    """A structured risk screen. The latest one sets the client's risk flag."""

    __tablename__ = "risk_screen"

    client_id: Mapped[str] = _fk("client.id")
    screened_on: Mapped[date]
    risk_to_self: Mapped[E.RiskLevel] = mapped_column(
        EnumText(E.RiskLevel), default=E.RiskLevel.NONE
    )
    risk_to_self_notes: Mapped[str] = mapped_column(default="")
    risk_to_others: Mapped[E.RiskLevel] = mapped_column(
        EnumText(E.RiskLevel), default=E.RiskLevel.NONE
    )
    risk_to_others_notes: Mapped[str] = mapped_column(default="")
    risk_from_others: Mapped[E.RiskLevel] = mapped_column(
        EnumText(E.RiskLevel), default=E.RiskLevel.NONE
    )
    risk_from_others_notes: Mapped[str] = mapped_column(default="")
    children_in_home: Mapped[bool] = mapped_column(Boolean, default=False)
    children_notes: Mapped[str] = mapped_column(default="")
    worker_safety: Mapped[E.RiskLevel] = mapped_column(
        EnumText(E.RiskLevel), default=E.RiskLevel.NONE
    )
    worker_safety_notes: Mapped[str] = mapped_column(default="")
    overall_level: Mapped[E.RiskLevel] = mapped_column(
        EnumText(E.RiskLevel), default=E.RiskLevel.LOW
    )
    review_on: Mapped[date | None]
    status: Mapped[E.RecordStatus] = mapped_column(
        EnumText(E.RecordStatus), default=E.RecordStatus.DRAFT
    )
    supersedes_id: Mapped[str | None] = _fk("risk_screen.id", nullable=True, index=False)

    # Partial and covering: "latest live screen per client" is one index seek, and the
    # caseload-wide Tasks read takes the level and review date from the index too.
    __table_args__ = (
        Index(
            "ix_risk_screen_latest",
            "client_id",
            "screened_on",
            "created_at",
            "overall_level",
            "review_on",
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )

    @classmethod
    def immutable_reason(cls, before: Mapping[str, Any], changed: set[str]) -> str | None:
        """A finalised screen is evidence; corrections are new screens."""
        if before["status"] == E.RecordStatus.FINAL and changed - {"status"}:
            return "A finalised risk screen cannot be changed; record a new screen instead."
        return None


# ============================================================================ assessment


class DomainSetRecord(Synced):
    """A versioned assessment domain set (the built-in one or a user's copy), stored whole."""

    __tablename__ = "domain_set"
    __sync__ = "append_only"

    key: Mapped[str] = mapped_column(String(100))
    version: Mapped[int]
    name: Mapped[str]
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)

    # Not unique: two devices can each store a row for one key and version (see
    # casedesk.domain.reference), and both must be kept (migration 0006).
    __table_args__ = (Index("ix_domain_set_key_version", "key", "version"),)


class Assessment(Synced):
    """A strengths-based holistic assessment; draft over several visits, then final."""

    __tablename__ = "assessment"

    client_id: Mapped[str] = _fk("client.id")
    episode_id: Mapped[str | None] = _fk("episode.id", nullable=True)
    domain_set_id: Mapped[str] = _fk("domain_set.id")
    stage: Mapped[E.AssessmentStage] = mapped_column(EnumText(E.AssessmentStage))
    assessed_on: Mapped[date]
    status: Mapped[E.RecordStatus] = mapped_column(
        EnumText(E.RecordStatus), default=E.RecordStatus.DRAFT
    )
    finalised_at: Mapped[datetime | None]
    supersedes_id: Mapped[str | None] = _fk("assessment.id", nullable=True, index=False)
    summary: Mapped[str] = mapped_column(default="")
    carer_wellbeing: Mapped[str] = mapped_column(default="")
    carer_needs: Mapped[str] = mapped_column(default="")
    completed_with_client: Mapped[bool] = mapped_column(Boolean, default=True)

    @classmethod
    def immutable_reason(cls, before: Mapping[str, Any], changed: set[str]) -> str | None:
        """Finalised assessments are immutable; an amendment supersedes."""
        if before["status"] == E.RecordStatus.FINAL and changed - {"status", "finalised_at"}:
            return "A finalised assessment cannot be changed; add an amendment instead."
        return None


class AssessmentReading(Synced):
    """One domain's reading within an assessment."""

    __tablename__ = "assessment_reading"

    assessment_id: Mapped[str] = _fk("assessment.id")
    domain_key: Mapped[str] = mapped_column(String(100))
    client_score: Mapped[int | None]  # 1-10, the client's own rating
    worker_score: Mapped[int | None]  # 1-10, optional observation
    strengths: Mapped[str] = mapped_column(default="")
    needs: Mapped[str] = mapped_column(default="")
    client_words: Mapped[str] = mapped_column(default="")
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)  # set when the assessment is final

    @classmethod
    def immutable_reason(cls, before: Mapping[str, Any], changed: set[str]) -> str | None:
        """Readings of a final assessment are frozen with it."""
        if before["locked"] and changed - {"locked"}:
            return "This reading belongs to a finalised assessment and cannot be changed."
        return None


class Need(Synced):
    """A need identified in assessment, which goals address."""

    __tablename__ = "need"

    client_id: Mapped[str] = _fk("client.id")
    episode_id: Mapped[str | None] = _fk("episode.id", nullable=True)
    domain_key: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str]
    source_assessment_id: Mapped[str | None] = _fk("assessment.id", nullable=True, index=False)
    status: Mapped[E.NeedStatus] = mapped_column(EnumText(E.NeedStatus), default=E.NeedStatus.OPEN)


# ============================================================================ plan


class CasePlan(Synced):
    """The living case plan for an episode. Agreed versions are frozen in PlanVersion."""

    __tablename__ = "case_plan"

    client_id: Mapped[str] = _fk("client.id")
    episode_id: Mapped[str | None] = _fk("episode.id", nullable=True)
    state: Mapped[E.PlanState] = mapped_column(EnumText(E.PlanState), default=E.PlanState.DRAFT)
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    next_review_on: Mapped[date | None]
    review_interval_days: Mapped[int | None]
    current_version_no: Mapped[int] = mapped_column(default=0)


class PlanVersion(Synced):
    """A frozen, numbered, agreed plan version: the content the client signs and keeps."""

    __tablename__ = "plan_version"
    __sync__ = "append_only"

    plan_id: Mapped[str] = _fk("case_plan.id")
    version_no: Mapped[int]
    agreed_on: Mapped[date]
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))

    # Not unique: two devices can each agree the same plan while apart; both versions are
    # evidence and both are kept (migration 0006).
    __table_args__ = (Index("ix_plan_version_plan_no", "plan_id", "version_no"),)


class Goal(Synced):
    """A goal, aligned with HL7 FHIR Goal."""

    __tablename__ = "goal"

    plan_id: Mapped[str] = _fk("case_plan.id")
    client_id: Mapped[str] = _fk("client.id")
    need_id: Mapped[str | None] = _fk("need.id", nullable=True)
    domain_key: Mapped[str] = mapped_column(String(100), default="")
    client_words: Mapped[str]  # the goal in the client's own words
    worker_framing: Mapped[str] = mapped_column(default="")
    term: Mapped[E.GoalTerm] = mapped_column(EnumText(E.GoalTerm), default=E.GoalTerm.SHORT)
    priority: Mapped[E.Priority] = mapped_column(EnumText(E.Priority), default=E.Priority.MEDIUM)
    lifecycle_status: Mapped[E.GoalLifecycle] = mapped_column(
        EnumText(E.GoalLifecycle), default=E.GoalLifecycle.PROPOSED
    )
    achievement_status: Mapped[E.GoalAchievement] = mapped_column(
        EnumText(E.GoalAchievement), default=E.GoalAchievement.IN_PROGRESS
    )
    status_date: Mapped[date | None]
    status_reason: Mapped[str] = mapped_column(default="")
    start_date: Mapped[date | None]
    expressed_by: Mapped[E.ExpressedBy] = mapped_column(
        EnumText(E.ExpressedBy), default=E.ExpressedBy.CLIENT
    )
    sort_order: Mapped[int] = mapped_column(default=0)

    # Covering: an action's client and plan in one index seek (the Tasks read).
    __table_args__ = (
        Index(
            "ix_goal_owner", "id", "client_id", "plan_id", sqlite_where=text("deleted_at IS NULL")
        ),
    )


class GoalTarget(Synced):
    """A measurable target for a goal (FHIR Goal.target: measure required when detail is)."""

    __tablename__ = "goal_target"

    goal_id: Mapped[str] = _fk("goal.id")
    measure: Mapped[str] = mapped_column(default="")
    baseline: Mapped[str] = mapped_column(default="")
    target: Mapped[str] = mapped_column(default="")  # target value or text
    due_on: Mapped[date | None]


class Action(Synced):
    """A step towards a goal: what, who, by when."""

    __tablename__ = "action"

    goal_id: Mapped[str] = _fk("goal.id")
    description: Mapped[str]
    performer: Mapped[E.Performer] = mapped_column(
        EnumText(E.Performer), default=E.Performer.CLIENT
    )
    performer_name: Mapped[str] = mapped_column(default="")
    service_id: Mapped[str | None] = _fk("service_entry.id", nullable=True)
    due_on: Mapped[date | None]
    status: Mapped[E.ActionStatus] = mapped_column(
        EnumText(E.ActionStatus), default=E.ActionStatus.NOT_STARTED
    )
    completed_on: Mapped[date | None]
    notes: Mapped[str] = mapped_column(default="")
    sort_order: Mapped[int] = mapped_column(default=0)

    # ix_action_open_due covers the caseload-wide Tasks read of open actions (migration 0005).
    __table_args__ = (
        Index("ix_action_status_due", "status", "due_on"),
        Index(
            "ix_action_open_due",
            "due_on",
            "goal_id",
            "id",
            "status",
            "description",
            sqlite_where=text("deleted_at IS NULL AND status NOT IN ('done', 'cancelled')"),
        ),
    )


class Review(Synced):
    """A plan review: achievements celebrated, barriers named, new supports."""

    __tablename__ = "review"

    plan_id: Mapped[str] = _fk("case_plan.id")
    held_on: Mapped[date]
    status: Mapped[E.RecordStatus] = mapped_column(
        EnumText(E.RecordStatus), default=E.RecordStatus.DRAFT
    )
    achievements: Mapped[str] = mapped_column(default="")
    barriers: Mapped[str] = mapped_column(default="")
    new_supports: Mapped[str] = mapped_column(default="")
    summary: Mapped[str] = mapped_column(default="")
    risk_rechecked: Mapped[bool] = mapped_column(Boolean, default=False)


class GoalReview(Synced):
    """Per-goal progress recorded at a review."""

    __tablename__ = "goal_review"

    review_id: Mapped[str] = _fk("review.id")
    goal_id: Mapped[str] = _fk("goal.id")
    achievement_status: Mapped[E.GoalAchievement] = mapped_column(EnumText(E.GoalAchievement))
    progress_note: Mapped[str] = mapped_column(default="")
    client_scaling_score: Mapped[int | None]  # 0-10 "where are you now"


# ============================================================================ referrals, directory


class ServiceEntry(Synced):
    """An agency or service in the offline directory."""

    __tablename__ = "service_entry"

    name: Mapped[str]
    organisation: Mapped[str] = mapped_column(default="")
    category: Mapped[str] = mapped_column(default="")
    phone: Mapped[str] = mapped_column(default="")
    email: Mapped[str] = mapped_column(default="")
    website: Mapped[str] = mapped_column(default="")
    address: Mapped[str] = mapped_column(default="")
    hours: Mapped[str] = mapped_column(default="")
    eligibility: Mapped[str] = mapped_column(default="")
    area_served: Mapped[str] = mapped_column(default="")
    notes: Mapped[str] = mapped_column(default="")

    __table_args__ = (Index("ix_service_entry_name", "name"),)


class ReferralOut(Synced):
    """A referral to another agency, tracked until it is closed."""

    __tablename__ = "referral_out"

    client_id: Mapped[str] = _fk("client.id")
    goal_id: Mapped[str | None] = _fk("goal.id", nullable=True)
    service_id: Mapped[str | None] = _fk("service_entry.id", nullable=True)
    agency_name: Mapped[str] = mapped_column(default="")  # free text when not in the directory
    reason: Mapped[str] = mapped_column(default="")
    status: Mapped[E.ReferralStatus] = mapped_column(
        EnumText(E.ReferralStatus), default=E.ReferralStatus.DRAFTED
    )
    drafted_on: Mapped[date]
    sent_on: Mapped[date | None]
    responded_on: Mapped[date | None]
    attended_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    follow_up_on: Mapped[date | None]
    notes: Mapped[str] = mapped_column(default="")

    # Covering: open referrals' follow-ups for the whole caseload, read from the index.
    __table_args__ = (
        Index(
            "ix_referral_follow_up",
            "follow_up_on",
            "client_id",
            "id",
            "status",
            "agency_name",
            "service_id",
            sqlite_where=text("deleted_at IS NULL AND status != 'closed'"),
        ),
    )


# ============================================================================ notes


class CaseNote(Synced):
    """A contact or file note. Editable until locked; after that only amended (superseded)."""

    __tablename__ = "case_note"

    client_id: Mapped[str] = _fk("client.id", index=False)
    episode_id: Mapped[str | None] = _fk("episode.id", nullable=True, index=False)
    contact_type: Mapped[E.ContactType] = mapped_column(EnumText(E.ContactType))
    occurred_at: Mapped[datetime]
    duration_minutes: Mapped[int | None]
    location: Mapped[str] = mapped_column(default="")
    body: Mapped[str]
    author: Mapped[str] = mapped_column(default="")
    locked_at: Mapped[datetime | None]
    amends_id: Mapped[str | None] = _fk("case_note.id", nullable=True, index=False)
    # Entered in error: kept (notes are never deleted) but hidden from the record (0007).
    status: Mapped[E.NoteStatus] = mapped_column(
        EnumText(E.NoteStatus), default=E.NoteStatus.CURRENT, server_default="current"
    )
    error_reason: Mapped[str] = mapped_column(default="", server_default="")
    entered_in_error_at: Mapped[datetime | None]

    __table_args__ = (
        # Partial: only live rows, so "last contact per client" is an index seek.
        Index(
            "ix_case_note_client_when",
            "client_id",
            "occurred_at",
            sqlite_where=text("deleted_at IS NULL"),
        ),
        # The automatic-lock sweep reads only notes not locked yet (few, once swept).
        Index(
            "ix_case_note_unlocked",
            "created_at",
            sqlite_where=text("locked_at IS NULL AND deleted_at IS NULL"),
        ),
    )

    @classmethod
    def immutable_reason(cls, before: Mapping[str, Any], changed: set[str]) -> str | None:
        """Locked notes are evidence; an amendment is a new note.

        Marking a note entered in error changes no content, so it is allowed on a locked note
        (it is the only way to retract one); the lock time itself may be restamped (two
        devices locking the same note), never removed (the SQLite trigger refuses that).
        """
        if before["locked_at"] is not None and changed - NOTE_STATUS_FIELDS - {"locked_at"}:
            return "This note is locked. Add an amendment instead of changing it."
        return None


NOTE_STATUS_FIELDS = frozenset({"status", "error_reason", "entered_in_error_at"})


class NoteGoal(Synced):
    """Links a note to the goals it worked on."""

    __tablename__ = "note_goal"
    __sync__ = "append_only"

    note_id: Mapped[str] = _fk("case_note.id")
    goal_id: Mapped[str] = _fk("goal.id")


# ============================================================================ signatures, documents


class Attachment(Synced):
    """An encrypted file (scan, image, PDF) kept inside the vault."""

    __tablename__ = "attachment"
    __sync__ = "append_only"

    client_id: Mapped[str | None] = _fk("client.id", nullable=True)
    media_type: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(default="")
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # Synced as a content-addressed blob, not inline in the change log.
    content: Mapped[bytes] = mapped_column(LargeBinary, info={"sync": "blob"})


class Signature(Synced):
    """A signature given on a plan version (on screen, on paper, or digital)."""

    __tablename__ = "signature"
    __sync__ = "append_only"

    plan_version_id: Mapped[str | None] = _fk("plan_version.id", nullable=True)
    signer_role: Mapped[E.SignerRole] = mapped_column(EnumText(E.SignerRole))
    signer_name: Mapped[str]
    method: Mapped[E.SignatureMethod] = mapped_column(EnumText(E.SignatureMethod))
    signed_on: Mapped[date]
    image_attachment_id: Mapped[str | None] = _fk("attachment.id", nullable=True, index=False)
    document_sha256: Mapped[str] = mapped_column(String(64), default="")
    witness: Mapped[str] = mapped_column(default="")


class SignedDocument(Synced):
    """An exported, signed or scanned document for a plan version, with its hash."""

    __tablename__ = "signed_document"
    __sync__ = "append_only"

    plan_version_id: Mapped[str | None] = _fk("plan_version.id", nullable=True)
    client_id: Mapped[str] = _fk("client.id")
    kind: Mapped[E.DocumentKind] = mapped_column(EnumText(E.DocumentKind))
    attachment_id: Mapped[str | None] = _fk("attachment.id", nullable=True, index=False)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    digitally_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    signer_certificate_sha256: Mapped[str] = mapped_column(String(64), default="")
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SigningIdentity(Synced):
    """The case manager's signing certificate and key (PKCS#12), encrypted by the vault."""

    __tablename__ = "signing_identity"

    label: Mapped[str]
    pkcs12: Mapped[bytes] = mapped_column(LargeBinary, info={"sync": "blob"})
    pkcs12_password: Mapped[str]
    certificate_sha256: Mapped[str] = mapped_column(String(64))
    self_signed: Mapped[bool] = mapped_column(Boolean, default=True)


# ============================================================================ audit, settings


class AuditEvent(Synced):
    """Who did what to which record, when. Append-only."""

    __tablename__ = "audit_event"
    __sync__ = "append_only"

    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(default="")
    action: Mapped[str] = mapped_column(String(60))
    entity_table: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str] = mapped_column(ID)
    client_id: Mapped[str | None] = mapped_column(ID, index=False)
    summary: Mapped[str] = mapped_column(default="")
    # The device's name when the event was recorded (``actor`` is the worker's name from My
    # details); events written before 0007 have neither.
    device_name: Mapped[str] = mapped_column(default="", server_default="")

    __table_args__ = (Index("ix_audit_event_client_when", "client_id", "occurred_at"),)


class Preference(Synced):
    """A synced preference (worker profile, review intervals...). ``id`` is the key."""

    __tablename__ = "preference"

    value: Mapped[Any] = mapped_column(JSON)


# ============================================================================ local-only


class LocalMeta(Base):
    """Per-device facts (device id, last HLC, vault name). Never synced."""

    __tablename__ = "local_meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str]


class OutboxOp(Base):
    """One local change waiting to be pushed, written in the same transaction as the change."""

    __tablename__ = "sync_outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    op_id: Mapped[str] = mapped_column(ID, unique=True, default=new_id)
    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[str] = mapped_column(ID)
    kind: Mapped[str] = mapped_column(String(10))  # insert | update | delete
    base_version: Mapped[int | None]
    fields: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # changed fields (updates)
    hlc: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending|sent|acked|rejected
    error: Mapped[str] = mapped_column(default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_sync_outbox_state_seq", "state", "seq"),)


class Draft(Base):
    """Autosaved form or note text, so typing survives a crash or a lock. Never synced."""

    __tablename__ = "draft"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # e.g. "note:new:<client id>"
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncConflict(Synced):
    """A field changed differently on two devices, kept for a person to review.

    Synced, so every device shows the same queue and a person's choice reaches all of them.
    """

    __tablename__ = "sync_conflict"

    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[str] = mapped_column(ID)
    field: Mapped[str] = mapped_column(String(60))
    local_value: Mapped[Any] = mapped_column(JSON)
    remote_value: Mapped[Any] = mapped_column(JSON)
    local_hlc: Mapped[str] = mapped_column(String(64), default="")
    remote_hlc: Mapped[str] = mapped_column(String(64), default="")
    winner: Mapped[str] = mapped_column(String(10), default="")  # local | remote | edit
    review_required: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[E.ConflictState] = mapped_column(
        EnumText(E.ConflictState), default=E.ConflictState.OPEN
    )
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[Any] = mapped_column(JSON, default=None)  # the value a person chose

    __table_args__ = (Index("ix_sync_conflict_state", "state"),)


class SyncRowMeta(Base):
    """What this device last agreed with the hub about a row. Never synced.

    ``hub_version`` is the base for the next push; ``field_hlc`` holds when each field last
    changed, as of that version (the base of a per-field merge).
    """

    __tablename__ = "sync_row_meta"

    table_name: Mapped[str] = mapped_column(String(60), primary_key=True)
    row_id: Mapped[str] = mapped_column(ID, primary_key=True)
    hub_version: Mapped[int] = mapped_column(default=0)
    field_hlc: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="synced")  # synced | error
    error: Mapped[str] = mapped_column(default="")


SYNCED_MODELS: tuple[type[Synced], ...] = (
    Client,
    ClientIdentifier,
    SupportPerson,
    Professional,
    Episode,
    Intake,
    Consent,
    RiskScreen,
    DomainSetRecord,
    Assessment,
    AssessmentReading,
    Need,
    CasePlan,
    PlanVersion,
    Goal,
    GoalTarget,
    Action,
    Review,
    GoalReview,
    ServiceEntry,
    ReferralOut,
    CaseNote,
    NoteGoal,
    Attachment,
    Signature,
    SignedDocument,
    SigningIdentity,
    AuditEvent,
    Preference,
    SyncConflict,
)
SYNCED_TABLES = {model.__tablename__: model for model in SYNCED_MODELS}


class ClientActivity(Base):
    """Per-client facts the caseload screens need, kept by triggers. Local and derived.

    The caseload list and the task screen need, for every client, the last contact, the
    latest live risk screen (level and review date), the latest live episode (when support
    started, and a post-exit follow-up still to make) and whether a consent to collect and
    store information is on file. Looking each up per client meant thousands of index seeks
    on cold, encrypted pages; triggers on case_note, risk_screen, episode and consent keep
    this one small table current instead (migrations 0004 and 0005).
    """

    __tablename__ = "client_activity"

    client_id: Mapped[str] = mapped_column(ID, primary_key=True)
    last_contact_at: Mapped[datetime | None]
    risk_level: Mapped[str | None] = mapped_column(String(40))
    risk_review_on: Mapped[date | None]
    support_started_on: Mapped[date | None]
    exit_follow_up_on: Mapped[date | None]
    store_consent_on_file: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
