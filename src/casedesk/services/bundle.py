"""All services for one unlocked vault, built together and handed to the UI or CLI."""

from __future__ import annotations

from dataclasses import dataclass

from casedesk.services.assessments import AssessmentService
from casedesk.services.audit import AuditService
from casedesk.services.clients import ClientService
from casedesk.services.consent import ConsentService
from casedesk.services.directory import DirectoryService
from casedesk.services.domain_sets_service import DomainSetService
from casedesk.services.drafts import DraftService
from casedesk.services.episodes import EpisodeService
from casedesk.services.exits import ExitService
from casedesk.services.goals import GoalService
from casedesk.services.intake import IntakeService
from casedesk.services.needs import NeedService
from casedesk.services.notes import NoteService
from casedesk.services.people import PeopleService
from casedesk.services.plan_documents import PlanDocumentService
from casedesk.services.plans import PlanService
from casedesk.services.profile import ProfileService
from casedesk.services.referrals import ReferralService
from casedesk.services.reviews import ReviewService
from casedesk.services.risk import RiskService
from casedesk.services.sync_service import SyncService
from casedesk.services.tasks import TaskService
from casedesk.services.vault_service import VaultService


@dataclass
class Services:
    """The use cases available while a vault is unlocked."""

    vault: VaultService
    clients: ClientService
    notes: NoteService
    drafts: DraftService
    audit: AuditService
    tasks: TaskService
    people: PeopleService
    intake: IntakeService
    consent: ConsentService
    episodes: EpisodeService
    plans: PlanService
    goals: GoalService
    reviews: ReviewService
    referrals: ReferralService
    directory: DirectoryService
    exits: ExitService
    domain_sets: DomainSetService
    assessments: AssessmentService
    needs: NeedService
    risk: RiskService
    sync: SyncService
    documents: PlanDocumentService
    profile: ProfileService

    @classmethod
    def for_vault(cls, vault: VaultService) -> Services:
        """Build every service on the vault's open database."""
        db = vault.db
        return cls(
            vault=vault,
            clients=ClientService(db),
            notes=NoteService(db),
            drafts=DraftService(db),
            audit=AuditService(db),
            tasks=TaskService(db),
            people=PeopleService(db),
            intake=IntakeService(db),
            consent=ConsentService(db),
            episodes=EpisodeService(db),
            plans=PlanService(db),
            goals=GoalService(db),
            reviews=ReviewService(db),
            referrals=ReferralService(db),
            directory=DirectoryService(db),
            exits=ExitService(db),
            domain_sets=DomainSetService(db),
            assessments=AssessmentService(db),
            needs=NeedService(db),
            risk=RiskService(db),
            sync=SyncService(db, vault.device_id),
            documents=PlanDocumentService(db),
            profile=ProfileService(db),
        )
