"""Strengths-based holistic assessments: drafts over several visits, finalising, amendments.

Rules:
- An assessment is a draft until finalised; drafts are saved to the vault (every field,
  every domain) so it can be filled over several visits.
- Finalising freezes it and its readings (the storage hook refuses later changes) and turns
  each domain marked "priority to work on" into an open need, unless the client already has
  an open need for that domain.
- A correction is an amendment: a new draft copying the final one, with ``supersedes_id``
  pointing at it. Once the amendment is final, the superseded assessment drops out of the
  distance-travelled readings (both stay in the history).
- Distance travelled uses final, not superseded assessments only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.clients import display_name
from casedesk.domain.clock import today, utcnow
from casedesk.domain.documents import (
    AssessmentDocument,
    CarerSection,
    DomainAssessment,
    ScoreReading,
)
from casedesk.domain.domain_sets import SCALE_MAX, SCALE_MIN, DomainSet
from casedesk.domain.enums import AssessmentStage, NeedStatus, RecordStatus
from casedesk.services import audit, preferences
from casedesk.services.domain_sets_service import (
    DomainSetService,
    StoredDomainSet,
    stored_from_row,
)
from casedesk.services.episodes import open_episode_row
from casedesk.services.errors import ImmutableRecordError, NotFound, ValidationError
from casedesk.services.files import write_user_file
from casedesk.storage.engine import Database
from casedesk.storage.models import (
    Assessment,
    AssessmentReading,
    Client,
    DomainSetRecord,
    Need,
)

_READING_TEXT = ("strengths", "needs", "client_words")


@dataclass(frozen=True)
class ReadingInput:
    """What was recorded for one domain (scores 1-10, or None when not scored)."""

    domain_key: str
    client_score: int | None = None
    worker_score: int | None = None
    strengths: str = ""
    needs: str = ""
    client_words: str = ""
    priority: bool = False

    @property
    def is_empty(self) -> bool:
        """Nothing recorded for this domain yet."""
        texts = (self.strengths, self.needs, self.client_words)
        scores = (self.client_score, self.worker_score)
        return (
            all(s is None for s in scores)
            and not any(t.strip() for t in texts)
            and (not self.priority)
        )


@dataclass(frozen=True)
class AssessmentInput:
    """The editable content of a draft assessment."""

    stage: AssessmentStage
    assessed_on: date
    readings: tuple[ReadingInput, ...] = ()
    summary: str = ""
    carer_wellbeing: str = ""
    carer_needs: str = ""
    completed_with_client: bool = True


@dataclass(frozen=True)
class AssessmentRow:
    """One assessment in a client's list."""

    id: str
    stage: AssessmentStage
    assessed_on: date
    status: RecordStatus
    finalised_at: datetime | None
    supersedes_id: str | None
    superseded_by_id: str | None
    domain_set_label: str
    domains_done: int
    domains_total: int

    @property
    def is_final(self) -> bool:
        """Final assessments are read-only."""
        return self.status == RecordStatus.FINAL


@dataclass(frozen=True)
class AssessmentView:
    """A whole assessment with its domain set, for the form."""

    id: str
    client_id: str
    stage: AssessmentStage
    assessed_on: date
    status: RecordStatus
    finalised_at: datetime | None
    supersedes_id: str | None
    summary: str
    carer_wellbeing: str
    carer_needs: str
    completed_with_client: bool
    domain_set: StoredDomainSet
    readings: dict[str, ReadingInput] = field(default_factory=dict)

    @property
    def is_final(self) -> bool:
        """Final assessments are read-only."""
        return self.status == RecordStatus.FINAL

    def reading(self, domain_key: str) -> ReadingInput:
        """The reading for a domain (an empty one if nothing was recorded)."""
        return self.readings.get(domain_key, ReadingInput(domain_key))

    def as_input(self) -> AssessmentInput:
        """The content as an input (e.g. to copy into an amendment)."""
        return AssessmentInput(
            stage=self.stage,
            assessed_on=self.assessed_on,
            readings=tuple(self.readings.values()),
            summary=self.summary,
            carer_wellbeing=self.carer_wellbeing,
            carer_needs=self.carer_needs,
            completed_with_client=self.completed_with_client,
        )


@dataclass(frozen=True)
class FinaliseResult:
    """What finalising did."""

    assessment: AssessmentView
    need_ids: tuple[str, ...]


@dataclass(frozen=True)
class DistancePoint:
    """Client scores at one final assessment."""

    assessment_id: str
    assessed_on: date
    stage: AssessmentStage
    scores: dict[str, int]


@dataclass(frozen=True)
class DistanceData:
    """Readings over time for the distance-travelled chart.

    Attributes:
        domains: ``(key, name)`` in display order (from the newest set used).
        points: final, not superseded assessments, oldest first.
    """

    domains: tuple[tuple[str, str], ...]
    points: tuple[DistancePoint, ...]

    def first_previous_latest(self) -> tuple[tuple[str, DistancePoint], ...]:
        """Up to three labelled readings: first, previous (if distinct) and latest."""
        pts = self.points
        if not pts:
            return ()
        if len(pts) == 1:
            return (("latest", pts[0]),)
        if len(pts) == 2:
            return (("first", pts[0]), ("latest", pts[1]))
        return (("first", pts[0]), ("previous", pts[-2]), ("latest", pts[-1]))

    def trend(self, domain_key: str) -> tuple[tuple[date, int], ...]:
        """A domain's client scores over time (assessments without a score are skipped)."""
        return tuple(
            (p.assessed_on, p.scores[domain_key]) for p in self.points if domain_key in p.scores
        )


def validate_assessment(data: AssessmentInput, domain_set: DomainSet) -> None:
    """Check scores and domain keys.

    Raises:
        ValidationError: naming each bad field as ``<domain key>.<field>``.
    """
    errors: dict[str, str] = {}
    known = set(domain_set.domain_keys())
    for reading in data.readings:
        if reading.domain_key not in known:
            errors[reading.domain_key] = "This area is not in the assessment's domain set."
        for name in ("client_score", "worker_score"):
            score = getattr(reading, name)
            if score is not None and not SCALE_MIN <= score <= SCALE_MAX:
                errors[f"{reading.domain_key}.{name}"] = (
                    f"Use a score from {SCALE_MIN} to {SCALE_MAX}."
                )
    if data.assessed_on > today():
        errors["assessed_on"] = "The assessment date cannot be in the future."
    if errors:
        raise ValidationError(errors)


class AssessmentService:
    """Start, save, finalise and amend assessments; read them for lists, charts and PDFs."""

    def __init__(self, db: Database, domain_sets: DomainSetService | None = None) -> None:
        self._db = db
        self._sets = domain_sets or DomainSetService(db)

    # ------------------------------------------------------------------ writes

    def start(
        self,
        client_id: str,
        stage: AssessmentStage,
        assessed_on: date | None = None,
        domain_set_id: str | None = None,
    ) -> AssessmentView:
        """Begin a draft assessment (with the default domain set unless one is given)."""
        set_id = domain_set_id or self._sets.default_set().id
        with self._db.session() as session:
            _client(session, client_id)
            episode = open_episode_row(session, client_id)
            row = Assessment(
                client_id=client_id,
                episode_id=episode.id if episode else None,
                domain_set_id=set_id,
                stage=stage,
                assessed_on=assessed_on or today(),
                status=RecordStatus.DRAFT,
            )
            session.add(row)
            session.flush()
            audit.record(
                session,
                "assessment.started",
                "assessment",
                row.id,
                client_id=client_id,
                summary=f"{stage.value.capitalize()} assessment started",
            )
            return _view(session, row)

    def save_draft(self, assessment_id: str, data: AssessmentInput) -> AssessmentView:
        """Save everything typed so far (readings are upserted per domain).

        Raises:
            ImmutableRecordError: the assessment is already final.
            ValidationError: a score is off the scale or a domain is unknown.
        """
        with self._db.session() as session:
            row = _assessment(session, assessment_id)
            _refuse_final(row)
            domain_set = stored_from_row(_set_row(session, row.domain_set_id)).domain_set
            validate_assessment(data, domain_set)
            _apply(session, row, data)
            session.flush()
            return _view(session, row)

    def finalise(self, assessment_id: str, data: AssessmentInput | None = None) -> FinaliseResult:
        """Save (optionally) and freeze the assessment; priority domains become needs.

        Raises:
            ImmutableRecordError: already final.
            ValidationError: nothing was recorded, or a score is off the scale.
        """
        with self._db.session() as session:
            row = _assessment(session, assessment_id)
            _refuse_final(row)
            domain_set = stored_from_row(_set_row(session, row.domain_set_id)).domain_set
            if data is not None:
                validate_assessment(data, domain_set)
                _apply(session, row, data)
                session.flush()
            readings = _readings(session, row.id)
            if not any(not _as_input(r).is_empty for r in readings):
                raise ValidationError({"readings": "Record at least one area before finalising."})
            row.status = RecordStatus.FINAL
            row.finalised_at = utcnow()
            for reading in readings:
                reading.locked = True
            need_ids = _needs_from_priorities(session, row, readings, domain_set)
            audit.record(
                session,
                "assessment.finalised",
                "assessment",
                row.id,
                client_id=row.client_id,
                summary=f"Assessment finalised; {len(need_ids)} need(s) from priorities",
            )
            session.flush()
            return FinaliseResult(_view(session, row), need_ids)

    def amend(self, assessment_id: str) -> AssessmentView:
        """Start an amendment: a draft copy of a final assessment that will supersede it.

        Raises:
            ValidationError: the assessment is still a draft (edit it instead), or it was
                already amended (amend the newest one).
        """
        with self._db.session() as session:
            old = _assessment(session, assessment_id)
            if old.status != RecordStatus.FINAL:
                raise ValidationError({"status": "A draft can be edited; it needs no amendment."})
            if _superseded_by(session, old.id) is not None:
                raise ValidationError({"status": "This assessment was already amended."})
            row = Assessment(
                client_id=old.client_id,
                episode_id=old.episode_id,
                domain_set_id=old.domain_set_id,
                stage=old.stage,
                assessed_on=old.assessed_on,
                status=RecordStatus.DRAFT,
                supersedes_id=old.id,
                summary=old.summary,
                carer_wellbeing=old.carer_wellbeing,
                carer_needs=old.carer_needs,
                completed_with_client=old.completed_with_client,
            )
            session.add(row)
            session.flush()
            for reading in _readings(session, old.id):
                session.add(_reading_row(row.id, _as_input(reading)))
            audit.record(
                session,
                "assessment.amendment_started",
                "assessment",
                row.id,
                client_id=old.client_id,
                summary="Amendment started for a finalised assessment",
            )
            session.flush()
            return _view(session, row)

    def discard_draft(self, assessment_id: str) -> None:
        """Throw a draft away (tombstoned, so it syncs). Final assessments cannot be discarded."""
        with self._db.session() as session:
            row = _assessment(session, assessment_id)
            _refuse_final(row)
            now = utcnow()
            for reading in _readings(session, row.id):
                reading.deleted_at = now
            row.deleted_at = now
            audit.record(
                session,
                "assessment.discarded",
                "assessment",
                row.id,
                client_id=row.client_id,
                summary="Draft assessment discarded",
            )

    # ------------------------------------------------------------------ reads

    def get(self, assessment_id: str) -> AssessmentView:
        """One assessment with its readings and domain set.

        Raises:
            NotFound: no such assessment.
        """
        with self._db.read() as session:
            return _view(session, _assessment(session, assessment_id))

    def list_for_client(self, client_id: str) -> list[AssessmentRow]:
        """A client's assessments, newest first."""
        with self._db.read() as session:
            rows = _client_assessments(session, client_id)
            superseded = {r.supersedes_id: r.id for r in rows if r.supersedes_id}
            sets: dict[str, StoredDomainSet] = {}
            result = []
            for row in reversed(rows):
                if row.domain_set_id not in sets:
                    sets[row.domain_set_id] = stored_from_row(_set_row(session, row.domain_set_id))
                stored = sets[row.domain_set_id]
                done = sum(1 for r in _readings(session, row.id) if not _as_input(r).is_empty)
                result.append(
                    AssessmentRow(
                        id=row.id,
                        stage=row.stage,
                        assessed_on=row.assessed_on,
                        status=row.status,
                        finalised_at=row.finalised_at,
                        supersedes_id=row.supersedes_id,
                        superseded_by_id=superseded.get(row.id),
                        domain_set_label=stored.label,
                        domains_done=done,
                        domains_total=len(stored.domain_set.domains),
                    )
                )
            return result

    def distance(self, client_id: str) -> DistanceData:
        """Client scores of every final, current assessment, oldest first."""
        with self._db.read() as session:
            rows = _client_assessments(session, client_id)
            finals = [r for r in rows if r.status == RecordStatus.FINAL]
            replaced = {r.supersedes_id for r in finals if r.supersedes_id}
            current = [r for r in finals if r.id not in replaced]
            points = []
            for row in current:
                scores = {
                    r.domain_key: r.client_score
                    for r in _readings(session, row.id)
                    if r.client_score is not None
                }
                points.append(DistancePoint(row.id, row.assessed_on, row.stage, scores))
            domains = _domain_order(session, current or rows)
            return DistanceData(domains, tuple(points))

    def summary_document(self, assessment_id: str) -> AssessmentDocument:
        """The printable summary of one assessment (with first/previous/latest readings)."""
        view = self.get(assessment_id)
        distance = self.distance(view.client_id)
        with self._db.read() as session:
            client = _client(session, view.client_id)
            worker = preferences.my_details(session).name
            return _document(view, distance, client, worker)

    def summary_pdf(self, assessment_id: str) -> bytes:
        """The assessment summary PDF, in memory (nothing is written or recorded)."""
        # Imported here: reportlab is heavy and most sessions never build a PDF.
        from casedesk.export.assessment_pdf import build_assessment_pdf

        return build_assessment_pdf(self.summary_document(assessment_id)).data

    def export_summary_pdf(self, assessment_id: str, target: Path) -> Path:
        """Write the assessment summary PDF to ``target`` (only ever on the user's request).

        Raises:
            FileRefused: ``target`` is inside a vault or not an ordinary file (nothing written).
        """
        target = write_user_file(self._db, target, self.summary_pdf(assessment_id))
        with self._db.session() as session:
            row = _assessment(session, assessment_id)
            audit.record(
                session,
                "assessment.exported",
                "assessment",
                row.id,
                client_id=row.client_id,
                summary="Assessment summary PDF exported",
            )
        return target


# ---------------------------------------------------------------------- helpers


def _client(session: Session, client_id: str) -> Client:
    client = session.get(Client, client_id)
    if client is None or client.deleted_at is not None:
        raise NotFound("That client is not in this vault.")
    return client


def _assessment(session: Session, assessment_id: str) -> Assessment:
    row = session.get(Assessment, assessment_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("That assessment is not in this vault.")
    return row


def _set_row(session: Session, set_id: str) -> DomainSetRecord:
    row = session.get(DomainSetRecord, set_id)
    if row is None:
        raise NotFound("The assessment's domain set is missing.")
    return row


def _refuse_final(row: Assessment) -> None:
    if row.status == RecordStatus.FINAL:
        raise ImmutableRecordError(
            "A finalised assessment cannot be changed; add an amendment instead."
        )


def _client_assessments(session: Session, client_id: str) -> list[Assessment]:
    """Live assessments, oldest first."""
    return list(
        session.scalars(
            select(Assessment)
            .where(Assessment.client_id == client_id, Assessment.deleted_at.is_(None))
            .order_by(Assessment.assessed_on, Assessment.created_at)
        )
    )


def _superseded_by(session: Session, assessment_id: str) -> str | None:
    return session.scalars(
        select(Assessment.id).where(
            Assessment.supersedes_id == assessment_id, Assessment.deleted_at.is_(None)
        )
    ).first()


def _readings(session: Session, assessment_id: str) -> list[AssessmentReading]:
    return list(
        session.scalars(
            select(AssessmentReading).where(
                AssessmentReading.assessment_id == assessment_id,
                AssessmentReading.deleted_at.is_(None),
            )
        )
    )


def _as_input(row: AssessmentReading) -> ReadingInput:
    return ReadingInput(
        domain_key=row.domain_key,
        client_score=row.client_score,
        worker_score=row.worker_score,
        strengths=row.strengths,
        needs=row.needs,
        client_words=row.client_words,
        priority=row.priority,
    )


def _reading_row(assessment_id: str, data: ReadingInput) -> AssessmentReading:
    return AssessmentReading(
        assessment_id=assessment_id,
        domain_key=data.domain_key,
        client_score=data.client_score,
        worker_score=data.worker_score,
        strengths=data.strengths,
        needs=data.needs,
        client_words=data.client_words,
        priority=data.priority,
    )


def _apply(session: Session, row: Assessment, data: AssessmentInput) -> None:
    """Write the input onto a draft; unchanged fields are left alone (no empty outbox rows)."""
    fields = {
        "stage": data.stage,
        "assessed_on": data.assessed_on,
        "summary": data.summary,
        "carer_wellbeing": data.carer_wellbeing,
        "carer_needs": data.carer_needs,
        "completed_with_client": data.completed_with_client,
    }
    for name, value in fields.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    existing = {r.domain_key: r for r in _readings(session, row.id)}
    for reading in data.readings:
        current = existing.get(reading.domain_key)
        if current is None:
            if not reading.is_empty:
                session.add(_reading_row(row.id, reading))
            continue
        for name in ("client_score", "worker_score", *_READING_TEXT, "priority"):
            value = getattr(reading, name)
            if getattr(current, name) != value:
                setattr(current, name, value)


def _needs_from_priorities(
    session: Session,
    row: Assessment,
    readings: list[AssessmentReading],
    domain_set: DomainSet,
) -> tuple[str, ...]:
    """Open a need for each priority domain without an open need already."""
    open_domains = set(
        session.scalars(
            select(Need.domain_key).where(
                Need.client_id == row.client_id,
                Need.status == NeedStatus.OPEN,
                Need.deleted_at.is_(None),
            )
        )
    )
    created = []
    for reading in sorted(readings, key=lambda r: _order(domain_set, r.domain_key)):
        if not reading.priority or reading.domain_key in open_domains:
            continue
        need = Need(
            client_id=row.client_id,
            episode_id=row.episode_id,
            domain_key=reading.domain_key,
            description=_need_description(reading, domain_set),
            source_assessment_id=row.id,
            status=NeedStatus.OPEN,
        )
        session.add(need)
        session.flush()
        audit.record(
            session,
            "need.added",
            "need",
            need.id,
            client_id=row.client_id,
            summary="Need identified from an assessment priority",
        )
        created.append(need.id)
    return tuple(created)


def _order(domain_set: DomainSet, key: str) -> int:
    keys = domain_set.domain_keys()
    return keys.index(key) if key in keys else len(keys)


def _need_description(reading: AssessmentReading, domain_set: DomainSet) -> str:
    for text in (reading.needs, reading.client_words):
        if text.strip():
            return text.strip()
    name = domain_set.domain(reading.domain_key).name
    return f"Work on: {name}"


def _view(session: Session, row: Assessment) -> AssessmentView:
    stored = stored_from_row(_set_row(session, row.domain_set_id))
    readings = {r.domain_key: _as_input(r) for r in _readings(session, row.id)}
    return AssessmentView(
        id=row.id,
        client_id=row.client_id,
        stage=row.stage,
        assessed_on=row.assessed_on,
        status=row.status,
        finalised_at=row.finalised_at,
        supersedes_id=row.supersedes_id,
        summary=row.summary,
        carer_wellbeing=row.carer_wellbeing,
        carer_needs=row.carer_needs,
        completed_with_client=row.completed_with_client,
        domain_set=stored,
        readings=readings,
    )


def _domain_order(session: Session, rows: list[Assessment]) -> tuple[tuple[str, str], ...]:
    """Domains of the newest set used, then any extra keys from older sets."""
    seen: dict[str, str] = {}
    for row in reversed(rows):
        domain_set = stored_from_row(_set_row(session, row.domain_set_id)).domain_set
        for domain in domain_set.domains:
            seen.setdefault(domain.key, domain.name)
    return tuple(seen.items())


_STAGE_LABELS = {"first": "First", "previous": "Previous", "latest": "Latest"}


def _document(
    view: AssessmentView, distance: DistanceData, client: Client, assessor: str
) -> AssessmentDocument:
    domain_set = view.domain_set.domain_set
    names = dict(distance.domains) | {d.key: d.name for d in domain_set.domains}
    domains = tuple(
        DomainAssessment(
            domain=domain.name,
            client_score=view.reading(domain.key).client_score,
            worker_score=view.reading(domain.key).worker_score,
            strengths=view.reading(domain.key).strengths,
            needs=view.reading(domain.key).needs,
            client_words=view.reading(domain.key).client_words,
            priority=view.reading(domain.key).priority,
        )
        for domain in domain_set.domains
    )
    readings = _document_readings(view, distance, names)
    carer = None
    if view.carer_wellbeing.strip() or view.carer_needs.strip():
        carer = CarerSection(carer_name="", wellbeing=view.carer_wellbeing, needs=view.carer_needs)
    return AssessmentDocument(
        client_display_name=display_name(
            client.given_name, client.family_name, client.preferred_name
        ),
        preferred_language=client.preferred_language or "en",
        assessment_id=view.id,
        stage=view.stage,
        assessed_on=view.assessed_on,
        assessor_name=assessor,
        domains=domains,
        readings=readings,
        carer=carer,
        summary=view.summary,
        scale_max=SCALE_MAX,
    )


def _document_readings(
    view: AssessmentView, distance: DistanceData, names: dict[str, str]
) -> tuple[ScoreReading, ...]:
    """First/previous/latest up to this assessment (a draft counts as the latest)."""
    points = [p for p in distance.points if p.assessed_on <= view.assessed_on]
    points = [p for p in points if p.assessment_id != view.id]
    own = {k: r.client_score for k, r in view.readings.items() if r.client_score is not None}
    points.append(DistancePoint(view.id, view.assessed_on, view.stage, own))
    labelled = DistanceData(distance.domains, tuple(points)).first_previous_latest()
    return tuple(
        ScoreReading(
            label=f"{_STAGE_LABELS[kind]} ({point.assessed_on.strftime('%d %b %Y')})",
            taken_on=point.assessed_on,
            scores=tuple((names.get(key, key), score) for key, score in point.scores.items()),
        )
        for kind, point in labelled
    )
