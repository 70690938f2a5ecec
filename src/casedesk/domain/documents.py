"""What to print: plain, frozen descriptions of plan and assessment documents.

Services fill these from the vault; the export layer turns them into PDFs without ever touching
storage. Everything here is immutable (tuples, not lists) so a document can be hashed, cached and
rendered twice with the same result. Free text is kept exactly as entered; the renderer
escapes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from casedesk.domain.enums import (
    ActionStatus,
    AssessmentStage,
    GoalAchievement,
    GoalLifecycle,
    GoalTerm,
    Performer,
    Priority,
    ReferralStatus,
)


class CopyKind(StrEnum):
    """Which copy of a plan to print."""

    CLIENT = "client_copy"  # plain language, the client's own words, nothing administrative
    FILE = "file_copy"  # full detail for the case file: targets, statuses, SMART, reviews


class PaperSize(StrEnum):
    """Supported paper sizes."""

    A4 = "a4"
    LETTER = "letter"


class SignatureRole(StrEnum):
    """Who signs in which block on the last page of a plan."""

    CLIENT = "client"
    CASE_MANAGER = "case_manager"
    GUARDIAN = "guardian"  # guardian or carer, when one takes part
    INTERPRETER = "interpreter"


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How to print a document.

    Attributes:
        copy: client copy (plain language) or file copy (full detail).
        large_print: body text of at least 14 pt, for people who find small print hard.
        paper: A4 or US Letter.
        language: BCP 47 tag for the labels; ``None`` uses the client's preferred language.
            Labels fall back to English where no translation exists.
    """

    copy: CopyKind = CopyKind.CLIENT
    large_print: bool = False
    paper: PaperSize = PaperSize.A4
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """A measurable indicator of success for a goal (FHIR Goal.target)."""

    measure: str
    baseline: str = ""
    target: str = ""
    due: date | None = None


@dataclass(frozen=True, slots=True)
class PlanAction:
    """One step towards a goal: who does what, by when.

    Attributes:
        what: the step, in plain words.
        performer: the kind of person who does it.
        performer_name: who exactly (e.g. "Maria (sister)", "Housing Trust"); optional.
        due: when it should be done by.
        status: progress so far.
    """

    what: str
    performer: Performer
    performer_name: str = ""
    due: date | None = None
    status: ActionStatus = ActionStatus.NOT_STARTED


@dataclass(frozen=True, slots=True)
class SmartSummary:
    """The worker's SMART framing of a goal (file copy only)."""

    specific: str = ""
    measurable: str = ""
    achievable: str = ""
    relevant: str = ""
    time_bound: str = ""


@dataclass(frozen=True, slots=True)
class PlanGoal:
    """A goal as agreed in one plan version.

    Attributes:
        client_words: the goal as the client said it; this is what the client copy shows.
        worker_framing: the worker's professional wording (file copy).
        domain: life domain name (e.g. "Housing"), already in display form.
        term: short or long term.
        priority: how much it matters now.
        lifecycle: FHIR lifecycle status.
        achievement: FHIR achievement status, if assessed.
        targets: indicators of success.
        smart: SMART framing.
        actions: the steps, in the order they should be shown.
    """

    client_words: str
    worker_framing: str = ""
    domain: str = ""
    term: GoalTerm = GoalTerm.SHORT
    priority: Priority = Priority.MEDIUM
    lifecycle: GoalLifecycle = GoalLifecycle.ACTIVE
    achievement: GoalAchievement | None = None
    targets: tuple[Target, ...] = ()
    smart: SmartSummary = field(default_factory=SmartSummary)
    actions: tuple[PlanAction, ...] = ()


@dataclass(frozen=True, slots=True)
class SupportItem:
    """A support the client has, or a referral out to another service.

    Attributes:
        name: the person, service or agency.
        purpose: what it is for, in plain words.
        contact: how to reach them (phone, address, web).
        referral_status: set for referrals out; ``None`` for existing supports.
    """

    name: str
    purpose: str = ""
    contact: str = ""
    referral_status: ReferralStatus | None = None


@dataclass(frozen=True, slots=True)
class ReviewEntry:
    """One earlier review of the plan (file copy: review history)."""

    reviewed_on: date
    summary: str
    reviewed_by: str = ""


@dataclass(frozen=True, slots=True)
class CaseManagerContact:
    """Who the client can contact about the plan."""

    name: str
    organisation: str = ""
    phone: str = ""
    email: str = ""
    hours: str = ""  # when they can usually be reached, e.g. "Mon-Fri 9-5"


@dataclass(frozen=True, slots=True)
class Participant:
    """An optional co-signer (guardian/carer or interpreter)."""

    name: str
    detail: str = ""  # relationship, or the interpreter's language


@dataclass(frozen=True, slots=True)
class PlanDocument:
    """Everything printed on a case plan version.

    Attributes:
        client_display_name: the name the client wants on their documents.
        preferred_language: BCP 47 tag, e.g. "en", "es", "pt-BR".
        plan_id: the living plan's id.
        version_number: 1, 2, 3... for this plan.
        version_id: the id of this agreed version (printed and in the QR code).
        agreed_on: date the version was agreed; ``None`` while it is still a draft.
        period_start: first day the plan covers.
        period_end: last day the plan covers, if set.
        next_review_on: when the plan will next be looked at together.
        goals: the goals, in display order.
        supports: supports the client already has (family, groups, services).
        referrals: referrals out made as part of this plan.
        reviews: earlier reviews, oldest first (file copy).
        case_manager: contact details printed for the client.
        out_of_hours_help: where to get help when the case manager is not available.
        guardian: optional guardian or carer who also signs.
        interpreter: optional interpreter who also signs.
    """

    client_display_name: str
    preferred_language: str
    plan_id: str
    version_number: int
    version_id: str
    agreed_on: date | None
    period_start: date | None
    period_end: date | None
    next_review_on: date | None
    goals: tuple[PlanGoal, ...]
    case_manager: CaseManagerContact
    out_of_hours_help: str = ""
    supports: tuple[SupportItem, ...] = ()
    referrals: tuple[SupportItem, ...] = ()
    reviews: tuple[ReviewEntry, ...] = ()
    guardian: Participant | None = None
    interpreter: Participant | None = None

    @property
    def signature_roles(self) -> tuple[SignatureRole, ...]:
        """The signature blocks this plan needs, in print order."""
        roles = [SignatureRole.CLIENT, SignatureRole.CASE_MANAGER]
        if self.guardian is not None:
            roles.append(SignatureRole.GUARDIAN)
        if self.interpreter is not None:
            roles.append(SignatureRole.INTERPRETER)
        return tuple(roles)


@dataclass(frozen=True, slots=True)
class DomainAssessment:
    """One life domain in an assessment.

    Attributes:
        domain: display name of the domain (e.g. "Housing").
        client_score: the client's own 1-10 rating, if given.
        worker_score: the worker's observation score, if given.
        strengths: what is going well.
        needs: what would help.
        client_words: the client's own words about this area.
        priority: the client wants to work on this now.
    """

    domain: str
    client_score: int | None = None
    worker_score: int | None = None
    strengths: str = ""
    needs: str = ""
    client_words: str = ""
    priority: bool = False


@dataclass(frozen=True, slots=True)
class ScoreReading:
    """Client scores per domain at one assessment, for the distance-travelled chart.

    Attributes:
        label: legend text, e.g. "First (12 Mar 2026)"; a renderer adds nothing to it.
        taken_on: when the reading was taken.
        scores: ``(domain, score)`` pairs; domains without a score are simply left out.
    """

    label: str
    taken_on: date
    scores: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class CarerSection:
    """An informal carer's own wellbeing and needs."""

    carer_name: str
    relationship: str = ""
    wellbeing: str = ""
    needs: str = ""
    wellbeing_score: int | None = None


@dataclass(frozen=True, slots=True)
class AssessmentDocument:
    """Everything printed on an assessment summary.

    Attributes:
        client_display_name: the name the client wants on their documents.
        preferred_language: BCP 47 tag for labels.
        assessment_id: the assessment's id (printed in the footer).
        stage: initial, review or exit.
        assessed_on: date of the assessment.
        assessor_name: the case manager.
        domains: per-domain scores, strengths, needs and words, in display order.
        readings: first, previous and latest readings (1 to 3 of them, oldest first).
        carer: the carer section, if there is a carer.
        summary: free-text summary.
        scale_max: the top of the scoring scale.
    """

    client_display_name: str
    preferred_language: str
    assessment_id: str
    stage: AssessmentStage
    assessed_on: date
    assessor_name: str
    domains: tuple[DomainAssessment, ...]
    readings: tuple[ScoreReading, ...] = ()
    carer: CarerSection | None = None
    summary: str = ""
    scale_max: int = 10
