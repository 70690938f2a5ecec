"""Vocabularies shared by every layer. Values are stable strings: they are stored and synced."""

from __future__ import annotations

from enum import StrEnum


class Intensity(StrEnum):
    """Level of support a client needs; drives review frequency and caseload weight."""

    INTENSIVE = "intensive"
    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"


class ClientStatus(StrEnum):
    """Where a client is in the service cycle."""

    REFERRAL = "referral"  # referred in, not yet accepted
    ACTIVE = "active"
    CLOSED = "closed"
    DECLINED = "declined"  # referral declined at screening


class RiskLevel(StrEnum):
    """Overall or per-item risk rating from a risk screen."""

    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ScreeningOutcome(StrEnum):
    """Result of screening a referral against the service's acceptance criteria."""

    PENDING = "pending"
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"


class IntakeDecision(StrEnum):
    """Whether a referral was accepted into the service."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ConsentScope(StrEnum):
    """What a consent record covers."""

    COLLECT_STORE = "collect_store"  # collect, use and store personal information
    SHARE = "share"  # share information with named agencies
    REFERRAL = "referral"  # refer on to named agencies
    CONTACT_FAMILY = "contact_family"  # talk with named family or carers
    PHOTO_MEDIA = "photo_media"


class ContactType(StrEnum):
    """The kind of contact a case note records."""

    HOME_VISIT = "home_visit"
    OFFICE_VISIT = "office_visit"
    PHONE = "phone"
    VIDEO = "video"
    OUTREACH = "outreach"
    MESSAGE = "message"
    CASE_CONFERENCE = "case_conference"
    ADMIN = "admin"  # a note without client contact (e.g. liaison, file note)


class NoteStatus(StrEnum):
    """Whether a case note stands (FHIR ``DocumentReference.status``: current, entered-in-error).

    A note entered in error (wrong client, wrong visit, typed by mistake) stays in the record and
    its history, hidden from the notes list by default; it is the only way to retract a locked
    note (notes are never deleted).
    """

    CURRENT = "current"
    ENTERED_IN_ERROR = "entered_in_error"


class AssessmentStage(StrEnum):
    """When in the cycle an assessment was made."""

    INITIAL = "initial"
    REVIEW = "review"
    EXIT = "exit"


class RecordStatus(StrEnum):
    """Draft records can change; final ones are immutable (corrections supersede)."""

    DRAFT = "draft"
    FINAL = "final"


class NeedStatus(StrEnum):
    """Progress of an identified need."""

    OPEN = "open"
    MET = "met"
    CLOSED = "closed"


class PlanState(StrEnum):
    """State of the living case plan (its agreed versions are frozen separately)."""

    DRAFT = "draft"
    AGREED = "agreed"
    UNDER_REVIEW = "under_review"
    CLOSED = "closed"


class PlanVersionState(StrEnum):
    """An agreed, numbered plan version is current until the next one supersedes it."""

    CURRENT = "current"
    SUPERSEDED = "superseded"


class GoalLifecycle(StrEnum):
    """HL7 FHIR Goal.lifecycleStatus."""

    PROPOSED = "proposed"
    PLANNED = "planned"
    ACCEPTED = "accepted"
    ACTIVE = "active"
    ON_HOLD = "on-hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ENTERED_IN_ERROR = "entered-in-error"
    REJECTED = "rejected"


class GoalAchievement(StrEnum):
    """HL7 FHIR Goal.achievementStatus."""

    IN_PROGRESS = "in-progress"
    IMPROVING = "improving"
    WORSENING = "worsening"
    NO_CHANGE = "no-change"
    ACHIEVED = "achieved"
    SUSTAINING = "sustaining"
    NOT_ACHIEVED = "not-achieved"
    NO_PROGRESS = "no-progress"
    NOT_ATTAINABLE = "not-attainable"


class GoalTerm(StrEnum):
    """Short- or long-term goal."""

    SHORT = "short"
    LONG = "long"


class Priority(StrEnum):
    """Priority of a goal (FHIR Goal.priority)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class ExpressedBy(StrEnum):
    """Who expressed a goal (FHIR Goal.source)."""

    CLIENT = "client"
    CASE_MANAGER = "case_manager"
    FAMILY_CARER = "family_carer"
    OTHER = "other"


class Performer(StrEnum):
    """Who does an action."""

    CLIENT = "client"
    CASE_MANAGER = "case_manager"
    FAMILY_CARER = "family_carer"
    AGENCY = "agency"


class ActionStatus(StrEnum):
    """Progress of an action (a FHIR Task-like status, simplified)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    DONE = "done"
    CANCELLED = "cancelled"


class ReferralStatus(StrEnum):
    """Status of a referral out to another service."""

    DRAFTED = "drafted"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ATTENDED = "attended"
    CLOSED = "closed"


class ClosureReason(StrEnum):
    """Why an episode of support ended."""

    GOALS_ACHIEVED = "goals_achieved"
    CLIENT_CHOSE_TO_LEAVE = "client_chose_to_leave"
    DISENGAGED = "disengaged"
    TRANSFERRED = "transferred"
    MOVED_AWAY = "moved_away"
    NO_LONGER_ELIGIBLE = "no_longer_eligible"
    DIED = "died"
    OTHER = "other"


class SignerRole(StrEnum):
    """Who signs a plan."""

    CLIENT = "client"
    CASE_MANAGER = "case_manager"
    GUARDIAN_CARER = "guardian_carer"
    INTERPRETER = "interpreter"


class SignatureMethod(StrEnum):
    """How a signature was given."""

    ON_SCREEN = "on_screen"
    WET_INK = "wet_ink"
    DIGITAL = "digital"


class DocumentKind(StrEnum):
    """Kinds of stored documents for a plan version."""

    CLIENT_COPY = "client_copy"
    FILE_COPY = "file_copy"
    SCAN = "scan"
    ASSESSMENT_SUMMARY = "assessment_summary"


class ConflictState(StrEnum):
    """A sync conflict waits for a person, or was resolved."""

    OPEN = "open"
    RESOLVED = "resolved"
