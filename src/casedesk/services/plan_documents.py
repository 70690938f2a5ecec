"""Plan documents: build, sign, store, verify and find the PDFs clients sign and keep.

A document is always made from an *agreed* plan version's frozen snapshot, so the same version
gives the same PDF bytes (before signing). Every exported or signed file is stored encrypted in
the vault with its SHA-256, so any copy can later be checked against it. Nothing is written
outside the vault unless the caller saves the returned bytes where the user asked.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain import enums as E
from casedesk.domain.clients import display_name
from casedesk.domain.clock import today as local_today
from casedesk.domain.documents import (
    CaseManagerContact,
    CopyKind,
    PaperSize,
    PlanAction,
    PlanDocument,
    PlanGoal,
    RenderOptions,
    ReviewEntry,
    SignatureRole,
    SupportItem,
    Target,
)
from casedesk.domain.domain_sets import builtin_domain_sets
from casedesk.domain.plans import GoalSnapshot, PlanSnapshot, snapshot_from_data
from casedesk.export.content_hash import parse_qr_payload, plan_content_hash
from casedesk.paths import resources_dir
from casedesk.services import audit
from casedesk.services.attachments import add_attachment
from casedesk.services.errors import NotFound
from casedesk.services.profile import ProfileService
from casedesk.storage.engine import Database
from casedesk.storage.models import (
    Attachment,
    CasePlan,
    Client,
    PlanVersion,
    Professional,
    ReferralOut,
    Review,
    ServiceEntry,
    Signature,
    SignedDocument,
    SigningIdentity,
    SupportPerson,
)

if TYPE_CHECKING:  # reportlab and pyHanko load only when a document is made or checked
    from casedesk.export.plan_pdf import BuiltPlanPdf
    from casedesk.export.signing import SigningIdentity as LoadedIdentity
    from casedesk.export.verify import VaultMatch, VerificationResult

PDF = "application/pdf"
_ROLE_TO_SIGNER = {
    SignatureRole.CLIENT: E.SignerRole.CLIENT,
    SignatureRole.CASE_MANAGER: E.SignerRole.CASE_MANAGER,
    SignatureRole.GUARDIAN: E.SignerRole.GUARDIAN_CARER,
    SignatureRole.INTERPRETER: E.SignerRole.INTERPRETER,
}


@dataclass(frozen=True)
class ExportRequest:
    """What to export: which version, which copy, and whether to sign."""

    client_id: str
    version_no: int | None = None  # None: the current agreed version
    file_copy: bool = False
    large_print: bool = False
    paper: PaperSize = PaperSize.A4
    sign: bool = False
    drawn_signatures: dict[SignatureRole, bytes] | None = None  # PNGs from the signature pad
    signer_names: dict[SignatureRole, str] | None = None


@dataclass(frozen=True)
class ExportedPlan:
    """A built (and possibly signed) plan PDF, already stored in the vault."""

    data: bytes
    sha256: str
    content_hash: str
    version_id: str
    version_no: int
    signed: bool
    document_id: str


@dataclass(frozen=True)
class DocumentRow:
    """One stored document of a client, for the Documents tab."""

    id: str
    plan_version_id: str | None
    version_no: int | None
    kind: E.DocumentKind
    created_at: datetime
    digitally_signed: bool
    sha256: str
    size: int
    options: dict[str, Any]


@dataclass(frozen=True)
class VersionRef:
    """Where a scanned QR code points."""

    client_id: str
    plan_id: str
    version_id: str
    version_no: int
    content_matches: bool


class PlanDocumentService:
    """Export, sign, verify and list plan documents."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._profile = ProfileService(db)

    # ------------------------------------------------------------------ building

    def plan_document(self, client_id: str, version_no: int | None = None) -> PlanDocument:
        """The printable description of an agreed plan version.

        Raises:
            NotFound: the client has no agreed plan (or no such version).
        """
        with self._db.read() as session:
            version, plan, client = self._version(session, client_id, version_no)
            return self._document(session, version, plan, client)

    def _document(
        self, session: Session, version: PlanVersion, plan: CasePlan, client: Client
    ) -> PlanDocument:
        snapshot = snapshot_from_data(version.snapshot)
        profile = self._profile.get()
        domain_names = _domain_names()
        return PlanDocument(
            client_display_name=display_name(
                client.given_name, client.family_name, client.preferred_name
            ),
            preferred_language=client.preferred_language or "en",
            plan_id=plan.id,
            version_number=version.version_no,
            version_id=version.id,
            agreed_on=version.agreed_on,
            period_start=snapshot.period_start or plan.period_start,
            period_end=snapshot.period_end or plan.period_end,
            next_review_on=_next_review(session, version, plan),
            goals=tuple(_goal(goal, domain_names) for goal in _active_goals(snapshot)),
            case_manager=CaseManagerContact(
                name=profile.name or "Your case manager",
                organisation=profile.organisation,
                phone=profile.phone,
                email=profile.email,
                hours=profile.hours,
            ),
            out_of_hours_help=profile.out_of_hours_help,
            supports=_supports(session, client.id),
            referrals=_referrals(session, client.id, version.agreed_on),
            reviews=_reviews(session, plan.id, version.agreed_on),
        )

    def _version(
        self, session: Session, client_id: str, version_no: int | None
    ) -> tuple[PlanVersion, CasePlan, Client]:
        client = session.get(Client, client_id)
        if client is None or client.deleted_at is not None:
            raise NotFound("That client record could not be found.")
        query = (
            select(PlanVersion, CasePlan)
            .join(CasePlan, CasePlan.id == PlanVersion.plan_id)
            .where(CasePlan.client_id == client_id, CasePlan.deleted_at.is_(None))
        )
        if version_no is not None:
            query = query.where(PlanVersion.version_no == version_no)
        row = session.execute(
            query.order_by(PlanVersion.agreed_on.desc(), PlanVersion.version_no.desc())
        ).first()
        if row is None:
            which = f"version {version_no}" if version_no is not None else "an agreed version"
            raise NotFound(f"This client's plan has no {which} yet. Agree the plan first.")
        return row[0], row[1], client

    # ------------------------------------------------------------------ export and sign

    def preview(self, request: ExportRequest) -> bytes:
        """The pages an export would make, unsigned, for reading before signing.

        Built exactly as :meth:`export` builds them (same version, options and printed code)
        but neither signed nor stored: a preview is not a copy anyone was given. The bytes
        stay in memory; the caller shows them without writing a file.
        """
        _document, built = self._build(request)
        return built.data

    def _build(self, request: ExportRequest) -> tuple[PlanDocument, BuiltPlanPdf]:
        from casedesk.export.plan_pdf import build_plan_pdf

        document = self.plan_document(request.client_id, request.version_no)
        options = RenderOptions(
            copy=CopyKind.FILE if request.file_copy else CopyKind.CLIENT,
            large_print=request.large_print,
            paper=request.paper,
            language=document.preferred_language,
        )
        return document, build_plan_pdf(document, options)

    def export(self, request: ExportRequest) -> ExportedPlan:
        """Build the PDF (signing it if asked), store it encrypted, and return its bytes."""
        from casedesk.export.signature_images import place_signature_images
        from casedesk.export.signing import sign_plan_pdf

        document, built = self._build(request)
        data = built.data
        drawn = request.drawn_signatures or {}
        if drawn:
            data = place_signature_images(data, drawn, built.layout)
        fingerprint = ""
        if request.sign:
            identity = self.signing_identity()
            signed = sign_plan_pdf(
                data, identity, built.layout, reason=f"Case plan version {document.version_number}"
            )
            data, fingerprint = signed.data, signed.certificate_fingerprint
        sha = hashlib.sha256(data).hexdigest()
        doc_id = self._store_export(
            document, request, data, sha, built.content_hash, fingerprint, drawn
        )
        return ExportedPlan(
            data,
            sha,
            built.content_hash,
            document.version_id,
            document.version_number,
            request.sign,
            doc_id,
        )

    def _store_export(
        self,
        document: PlanDocument,
        request: ExportRequest,
        data: bytes,
        sha: str,
        content_hash: str,
        fingerprint: str,
        drawn: dict[SignatureRole, bytes],
    ) -> str:
        names = request.signer_names or {}
        with self._db.session() as session:
            attachment = add_attachment(session, request.client_id, data, PDF, "Plan document")
            record = SignedDocument(
                plan_version_id=document.version_id,
                client_id=request.client_id,
                kind=E.DocumentKind.FILE_COPY if request.file_copy else E.DocumentKind.CLIENT_COPY,
                attachment_id=attachment.id,
                sha256=sha,
                digitally_signed=request.sign,
                signer_certificate_sha256=fingerprint,
                options={
                    "large_print": request.large_print,
                    "paper": request.paper.value,
                    "content_hash": content_hash,
                    "version_no": document.version_number,
                },
            )
            session.add(record)
            for role, png in drawn.items():
                image = add_attachment(session, request.client_id, png, "image/png", "Signature")
                session.add(
                    Signature(
                        plan_version_id=document.version_id,
                        signer_role=_ROLE_TO_SIGNER[role],
                        signer_name=names.get(role, ""),
                        method=E.SignatureMethod.ON_SCREEN,
                        signed_on=local_today(),
                        image_attachment_id=image.id,
                        document_sha256=sha,
                    )
                )
            session.flush()
            action = "plan.signed" if request.sign else "plan.exported"
            audit.record(
                session,
                action,
                "signed_document",
                record.id,
                client_id=request.client_id,
                summary=f"Plan version {document.version_number} "
                + ("signed and stored" if request.sign else "exported"),
            )
            return record.id

    def signing_identity(self) -> LoadedIdentity:
        """The case manager's signing identity, created (self-signed) at first use."""
        from casedesk.export.signing import generate_self_signed_identity, load_signing_identity

        with self._db.read() as session:
            row = _current_identity(session)
            if row is not None:
                return load_signing_identity(row.pkcs12, row.pkcs12_password)
        profile = self._profile.get()
        generated = generate_self_signed_identity(
            profile.name or "casedesk case manager", profile.organisation, profile.email
        )
        with self._db.session() as session:
            session.add(
                SigningIdentity(
                    label=generated.subject_name,
                    pkcs12=generated.pkcs12,
                    pkcs12_password=generated.password,
                    certificate_sha256=generated.fingerprint_sha256,
                    self_signed=True,
                )
            )
        return load_signing_identity(generated.pkcs12, generated.password)

    def import_identity(self, pkcs12: bytes, password: str) -> str:
        """Store an agency-issued PKCS#12 as the signing identity; returns the signer's name.

        Raises:
            SigningIdentityError: not a PKCS#12 file, wrong password, or no private key.
        """
        from casedesk.export.signing import load_signing_identity

        identity = load_signing_identity(pkcs12, password)
        with self._db.session() as session:
            session.add(
                SigningIdentity(
                    label=identity.subject_name,
                    pkcs12=pkcs12,
                    pkcs12_password=password,
                    certificate_sha256=identity.fingerprint_sha256,
                    self_signed=False,
                )
            )
        return identity.subject_name

    # ------------------------------------------------------------------ verify and find

    def verify(self, data: bytes) -> VerificationResult:
        """Verify a plan PDF, then match it against this vault.

        The verdict itself (signatures, changes after signing) is the same with or without a
        vault; the vault adds whose certificate it is (one of this vault's signing identities,
        matched by fingerprint) and which stored plan version the file is (matched by the
        SHA-256 of the file, or of the file as it was signed, before any later timestamp).
        """
        from casedesk.export.verify import verify_plan_pdf, with_vault_match

        result = verify_plan_pdf(data)
        with self._db.read() as session:
            match = _vault_match(session, result)
        return with_vault_match(result, match)

    def find_by_qr(self, payload: str) -> VersionRef:
        """The plan version a printed QR code names.

        Raises:
            ValueError: not a casedesk plan code.
            NotFound: no such version in this vault.
        """
        version_id, content_hash = parse_qr_payload(payload)
        with self._db.read() as session:
            version = session.get(PlanVersion, version_id)
            if version is None:
                raise NotFound("That plan version is not in this vault.")
            plan = session.get(CasePlan, version.plan_id)
            assert plan is not None
            hashes = {
                str(d.options.get("content_hash", ""))
                for d in session.scalars(
                    select(SignedDocument).where(SignedDocument.plan_version_id == version_id)
                )
            }
            client = session.get(Client, plan.client_id)
            assert client is not None
            current = plan_content_hash(self._document(session, version, plan, client))
            return VersionRef(
                plan.client_id,
                plan.id,
                version.id,
                version.version_no,
                content_hash in hashes or content_hash == current,
            )

    # ------------------------------------------------------------------ paper and listing

    def mark_signed_on_paper(
        self,
        version_id: str,
        signer_role: E.SignerRole,
        signer_name: str,
        signed_on: date,
        scan: bytes | None = None,
        media_type: str = PDF,
    ) -> str:
        """Record a wet-ink signature on a printed version, with the scan if there is one."""
        with self._db.session() as session:
            version = session.get(PlanVersion, version_id)
            if version is None:
                raise NotFound("That plan version is not in this vault.")
            plan = session.get(CasePlan, version.plan_id)
            assert plan is not None
            image_id = None
            if scan:
                scanned = add_attachment(session, plan.client_id, scan, media_type, "Signed scan")
                image_id = scanned.id
                session.add(
                    SignedDocument(
                        plan_version_id=version_id,
                        client_id=plan.client_id,
                        kind=E.DocumentKind.SCAN,
                        attachment_id=scanned.id,
                        sha256=scanned.sha256,
                        options={"version_no": version.version_no, "media_type": media_type},
                    )
                )
            signature = Signature(
                plan_version_id=version_id,
                signer_role=signer_role,
                signer_name=signer_name,
                method=E.SignatureMethod.WET_INK,
                signed_on=signed_on,
                image_attachment_id=image_id,
            )
            session.add(signature)
            session.flush()
            audit.record(
                session,
                "plan.signed_on_paper",
                "signature",
                signature.id,
                client_id=plan.client_id,
                summary=f"Plan version {version.version_no} signed on paper",
            )
            return signature.id

    def documents(self, client_id: str) -> list[DocumentRow]:
        """Every exported, signed or scanned document of a client, newest first."""
        with self._db.read() as session:
            rows = session.execute(
                select(SignedDocument, Attachment.size)
                .join(Attachment, Attachment.id == SignedDocument.attachment_id)
                .where(SignedDocument.client_id == client_id)
                .order_by(SignedDocument.created_at.desc())
            )
            return [
                DocumentRow(
                    d.id,
                    d.plan_version_id,
                    d.options.get("version_no"),
                    d.kind,
                    d.created_at,
                    d.digitally_signed,
                    d.sha256,
                    size,
                    dict(d.options),
                )
                for d, size in rows
            ]

    def document_bytes(self, document_id: str) -> bytes:
        """The stored file of a document (decrypted from the vault, in memory)."""
        with self._db.read() as session:
            record = session.get(SignedDocument, document_id)
            if record is None or record.attachment_id is None:
                raise NotFound("That document is not in this vault.")
            attachment = session.get(Attachment, record.attachment_id)
            assert attachment is not None
            return attachment.content

    def signatures(
        self, version_id: str
    ) -> list[tuple[E.SignerRole, str, E.SignatureMethod, date]]:
        """Who signed a version, how and when."""
        with self._db.read() as session:
            rows = session.scalars(select(Signature).where(Signature.plan_version_id == version_id))
            return [(s.signer_role, s.signer_name, s.method, s.signed_on) for s in rows]


# ====================================================================== helpers


def _vault_match(session: Session, result: VerificationResult) -> VaultMatch:
    """What the vault knows of a verified file: its stored document and the signers' identities."""
    from casedesk.export.verify import VaultMatch

    hashes = {h for h in (result.sha256, result.signed_sha256) if h}
    row = session.execute(
        select(SignedDocument, PlanVersion.version_no)
        .outerjoin(PlanVersion, PlanVersion.id == SignedDocument.plan_version_id)
        .where(SignedDocument.sha256.in_(hashes))
        .order_by(SignedDocument.created_at)
    ).first()
    fingerprints = {
        s.certificate.fingerprint_sha256 for s in result.signatures if s.certificate is not None
    }
    # Every identity this vault ever held (also replaced ones): an old plan was signed with it.
    identities = {
        fingerprint: label
        for fingerprint, label in session.execute(
            select(SigningIdentity.certificate_sha256, SigningIdentity.label).where(
                SigningIdentity.certificate_sha256.in_(fingerprints)
            )
        )
    }
    if row is None:
        return VaultMatch(document_found=False, identities=identities)
    document, version_no = row
    return VaultMatch(
        document_found=True,
        identities=identities,
        plan_version=version_no,
        plan_version_id=document.plan_version_id,
    )


def _current_identity(session: Session) -> SigningIdentity | None:
    return session.scalars(
        select(SigningIdentity)
        .where(SigningIdentity.deleted_at.is_(None))
        .order_by(SigningIdentity.created_at.desc())
    ).first()


def _domain_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for domain_set in builtin_domain_sets(resources_dir()):
        for domain in domain_set.domains:
            names.setdefault(domain.key, domain.name)
    return names


def _active_goals(snapshot: PlanSnapshot) -> list[GoalSnapshot]:
    return [g for g in snapshot.goals if g.lifecycle != E.GoalLifecycle.ENTERED_IN_ERROR.value]


def _goal(goal: GoalSnapshot, domain_names: dict[str, str]) -> PlanGoal:
    return PlanGoal(
        client_words=goal.client_words,
        worker_framing=goal.worker_framing,
        domain=domain_names.get(goal.domain_key or "", goal.domain_key or ""),
        term=E.GoalTerm(goal.term) if goal.term else E.GoalTerm.SHORT,
        priority=E.Priority(goal.priority) if goal.priority else E.Priority.MEDIUM,
        lifecycle=E.GoalLifecycle(goal.lifecycle) if goal.lifecycle else E.GoalLifecycle.ACTIVE,
        achievement=E.GoalAchievement(goal.achievement) if goal.achievement else None,
        targets=tuple(
            Target(t.measure or "", t.baseline or "", t.target or "", t.due) for t in goal.targets
        ),
        actions=tuple(
            PlanAction(
                what=a.description,
                performer=E.Performer(a.performer) if a.performer else E.Performer.CLIENT,
                performer_name=a.performer_name or "",
                due=a.due,
                status=E.ActionStatus(a.status) if a.status else E.ActionStatus.NOT_STARTED,
            )
            for a in goal.actions
        ),
    )


def _next_review(session: Session, version: PlanVersion, plan: CasePlan) -> date | None:
    """The review after this version: when the next version was agreed, else as scheduled."""
    later = session.scalars(
        select(PlanVersion.agreed_on)
        .where(PlanVersion.plan_id == plan.id, PlanVersion.version_no > version.version_no)
        .order_by(PlanVersion.version_no)
    ).first()
    stored = version.snapshot.get("next_review_on") if isinstance(version.snapshot, dict) else None
    if isinstance(stored, str):
        return date.fromisoformat(stored)
    return later or plan.next_review_on


def _supports(session: Session, client_id: str) -> tuple[SupportItem, ...]:
    items: list[SupportItem] = []
    for person in session.scalars(
        select(SupportPerson)
        .where(SupportPerson.client_id == client_id, SupportPerson.deleted_at.is_(None))
        .order_by(SupportPerson.created_at)
    ):
        items.append(SupportItem(person.name, person.relationship, person.phone))
    for pro in session.scalars(
        select(Professional)
        .where(Professional.client_id == client_id, Professional.deleted_at.is_(None))
        .order_by(Professional.created_at)
    ):
        purpose = ", ".join(p for p in (pro.role, pro.organisation) if p)
        items.append(SupportItem(pro.name, purpose, pro.phone))
    return tuple(items)


def _referrals(session: Session, client_id: str, as_of: date) -> tuple[SupportItem, ...]:
    rows = session.execute(
        select(ReferralOut, ServiceEntry)
        .outerjoin(ServiceEntry, ServiceEntry.id == ReferralOut.service_id)
        .where(
            ReferralOut.client_id == client_id,
            ReferralOut.deleted_at.is_(None),
            ReferralOut.drafted_on <= as_of,
        )
        .order_by(ReferralOut.drafted_on)
    )
    return tuple(
        SupportItem(
            name=(service.name if service else referral.agency_name) or referral.agency_name,
            purpose=referral.reason,
            contact=service.phone if service else "",
            referral_status=referral.status,
        )
        for referral, service in rows
        if referral.status != E.ReferralStatus.CLOSED
    )


def _reviews(session: Session, plan_id: str, as_of: date) -> tuple[ReviewEntry, ...]:
    rows = session.scalars(
        select(Review)
        .where(
            Review.plan_id == plan_id,
            Review.deleted_at.is_(None),
            Review.status == E.RecordStatus.FINAL,
            Review.held_on <= as_of,
        )
        .order_by(Review.held_on)
    )
    return tuple(
        ReviewEntry(r.held_on, r.summary or r.achievements or "Plan reviewed together.")
        for r in rows
    )
