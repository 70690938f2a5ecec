"""Assessments: drafts, finalising, immutability, amendments, needs and distance travelled."""

from datetime import date, timedelta

import pytest

from casedesk.domain.clients import ClientInput
from casedesk.domain.clock import today
from casedesk.domain.enums import AssessmentStage, NeedStatus, RecordStatus
from casedesk.services.assessments import AssessmentInput, ReadingInput
from casedesk.services.bundle import Services
from casedesk.services.errors import ImmutableRecordError, ValidationError
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF


@pytest.fixture
def services(tmp_path):
    vault = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    vault.create("correct horse battery staple")
    yield Services.for_vault(vault)
    vault.lock()


@pytest.fixture
def client_id(services):
    return services.clients.add_client(ClientInput("Ada", "Example", date_of_birth="1980-02-03")).id


def _input(on: date, scores: dict[str, int], **readings: ReadingInput) -> AssessmentInput:
    items = {k: ReadingInput(k, client_score=v) for k, v in scores.items()}
    items.update(readings)
    return AssessmentInput(AssessmentStage.INITIAL, on, tuple(items.values()))


def test_draft_saved_over_several_visits(services, client_id):
    draft = services.assessments.start(client_id, AssessmentStage.INITIAL)
    assert draft.status == RecordStatus.DRAFT
    first = _input(today(), {"housing": 3})
    services.assessments.save_draft(draft.id, first)
    second = AssessmentInput(
        AssessmentStage.INITIAL,
        today(),
        (
            ReadingInput("housing", 4, 3, strengths="Keeps the flat tidy", priority=True),
            ReadingInput("money_benefits", 6),
        ),
        summary="Good first talk",
    )
    view = services.assessments.save_draft(draft.id, second)
    assert view.reading("housing").client_score == 4
    assert view.reading("housing").strengths == "Keeps the flat tidy"
    assert view.reading("money_benefits").client_score == 6
    assert view.summary == "Good first talk"
    rows = services.assessments.list_for_client(client_id)
    assert [(r.id, r.domains_done) for r in rows] == [(draft.id, 2)]


def test_scores_are_checked(services, client_id):
    draft = services.assessments.start(client_id, AssessmentStage.INITIAL)
    with pytest.raises(ValidationError) as caught:
        services.assessments.save_draft(draft.id, _input(today(), {"housing": 11}))
    assert "housing.client_score" in caught.value.errors
    with pytest.raises(ValidationError):
        services.assessments.save_draft(draft.id, _input(today(), {"no-such-area": 3}))


def test_finalise_freezes_and_makes_needs(services, client_id):
    draft = services.assessments.start(client_id, AssessmentStage.INITIAL)
    data = _input(
        today(),
        {"money_benefits": 5},
        housing=ReadingInput(
            "housing",
            2,
            needs="Somewhere safe to live",
            client_words="I want my own place",
            priority=True,
        ),
    )
    result = services.assessments.finalise(draft.id, data)
    assert result.assessment.is_final
    assert len(result.need_ids) == 1
    needs = services.needs.list_for_client(client_id)
    assert [(n.domain_key, n.description, n.status) for n in needs] == [
        ("housing", "Somewhere safe to live", NeedStatus.OPEN)
    ]
    prefill = services.needs.goal_prefill_for_need(needs[0].id)
    assert prefill.domain_key == "housing"
    assert prefill.client_words == "I want my own place"
    assert "Somewhere safe to live" in prefill.suggested_framing
    with pytest.raises(ImmutableRecordError):
        services.assessments.save_draft(draft.id, _input(today(), {"housing": 9}))
    with pytest.raises(ImmutableRecordError):
        services.assessments.finalise(draft.id)
    assert services.assessments.get(draft.id).reading("housing").client_score == 2


def test_finalise_needs_something_recorded(services, client_id):
    draft = services.assessments.start(client_id, AssessmentStage.INITIAL)
    with pytest.raises(ValidationError):
        services.assessments.finalise(draft.id)


def test_amendment_supersedes_and_replaces_the_reading(services, client_id):
    draft = services.assessments.start(client_id, AssessmentStage.INITIAL)
    services.assessments.finalise(draft.id, _input(today(), {"housing": 2, "money_benefits": 5}))
    amendment = services.assessments.amend(draft.id)
    assert amendment.supersedes_id == draft.id
    assert amendment.reading("money_benefits").client_score == 5
    with pytest.raises(ValidationError):
        services.assessments.amend(draft.id)
    services.assessments.finalise(
        amendment.id, _input(today(), {"housing": 3, "money_benefits": 5})
    )
    rows = {r.id: r for r in services.assessments.list_for_client(client_id)}
    assert rows[draft.id].superseded_by_id == amendment.id
    distance = services.assessments.distance(client_id)
    assert [p.assessment_id for p in distance.points] == [amendment.id]
    assert distance.points[0].scores["housing"] == 3


def test_distance_first_previous_latest_and_trend(services, client_id):
    start = today() - timedelta(days=300)
    ids = []
    for n, score in enumerate((2, 4, 5, 7)):
        draft = services.assessments.start(
            client_id, AssessmentStage.REVIEW, assessed_on=start + timedelta(days=90 * n)
        )
        data = _input(start + timedelta(days=90 * n), {"housing": score, "money_benefits": 9 - n})
        services.assessments.finalise(draft.id, data)
        ids.append(draft.id)
    services.assessments.start(client_id, AssessmentStage.REVIEW)  # drafts are not counted
    distance = services.assessments.distance(client_id)
    assert len(distance.domains) == 14
    labelled = distance.first_previous_latest()
    assert [(k, p.assessment_id) for k, p in labelled] == [
        ("first", ids[0]),
        ("previous", ids[2]),
        ("latest", ids[3]),
    ]
    assert [s for _, s in distance.trend("housing")] == [2, 4, 5, 7]
    assert distance.trend("legal") == ()


def test_summary_document_has_every_domain_and_readings(services, client_id):
    draft = services.assessments.start(client_id, AssessmentStage.INITIAL)
    data = _input(
        today(),
        {"money_benefits": 5},
        housing=ReadingInput("housing", 4, strengths="Brilliant cook"),
    )
    services.assessments.finalise(draft.id, data)
    document = services.assessments.summary_document(draft.id)
    assert len(document.domains) == 14
    assert any(d.strengths == "Brilliant cook" for d in document.domains)
    assert len(document.readings) == 1
    assert document.client_display_name == "Ada Example"


def test_discard_draft(services, client_id):
    draft = services.assessments.start(client_id, AssessmentStage.INITIAL)
    services.assessments.discard_draft(draft.id)
    assert services.assessments.list_for_client(client_id) == []
