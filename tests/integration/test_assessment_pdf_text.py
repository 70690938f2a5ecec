"""The assessment summary exported from a real vault, read back with poppler's pdftotext."""

import shutil
import subprocess
import unicodedata
from datetime import timedelta

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.domain.clock import today
from casedesk.domain.enums import AssessmentStage
from casedesk.services.assessments import AssessmentInput, ReadingInput
from casedesk.services.bundle import Services
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")

STRENGTH = "Grows tomatoes on the balcony with her grandson"


@pytest.fixture
def services(tmp_path):
    vault = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    vault.create("correct horse battery staple")
    yield Services.for_vault(vault)
    vault.lock()


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def test_summary_pdf_has_every_domain_name_and_the_strength(services, tmp_path):
    client = services.clients.add_client(ClientInput("Mere", "Example", date_of_birth="1960-04-05"))
    first = services.assessments.start(
        client.id, AssessmentStage.INITIAL, assessed_on=today() - timedelta(days=90)
    )
    services.assessments.finalise(
        first.id,
        AssessmentInput(
            AssessmentStage.INITIAL,
            today() - timedelta(days=90),
            (ReadingInput("housing", 3), ReadingInput("safety", 5), ReadingInput("legal", 6)),
        ),
    )
    review = services.assessments.start(client.id, AssessmentStage.REVIEW)
    services.assessments.finalise(
        review.id,
        AssessmentInput(
            AssessmentStage.REVIEW,
            today(),
            (
                ReadingInput("housing", 6, strengths=STRENGTH, client_words="Home feels like mine"),
                ReadingInput("safety", 7),
                ReadingInput("legal", 6),
            ),
            summary="Things are moving.",
        ),
    )
    target = services.assessments.export_summary_pdf(review.id, tmp_path / "summary.pdf")
    out = subprocess.run(
        ["pdftotext", str(target), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode("utf-8")
    text = _flat(out)
    domain_set = services.domain_sets.default_set().domain_set
    for domain in domain_set.domains:
        assert domain.name in text, domain.name
    assert STRENGTH in text
    assert "Home feels like mine" in text
