"""My details on a real vault: stored and validated, the logo, the gate on agreeing, and who
the audit trail names."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from casedesk.domain.clients import ClientInput
from casedesk.domain.clock import today
from casedesk.domain.my_details import AGREE_NEEDS_DETAILS, MyDetails
from casedesk.domain.plans import PlanTransitionError
from casedesk.services.bundle import Services
from casedesk.services.errors import ValidationError
from casedesk.services.goals import GoalInput, TargetInput
from casedesk.services.profile import MyDetailsMissing
from casedesk.services.reviews import ReviewInput, ReviewOutcome
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.storage.models import AuditEvent
from vaultkit import sample_details

FULL = sample_details()


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    vault = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    vault.create("correct horse battery staple")
    yield Services.for_vault(vault)
    vault.lock()


def _image(kind: str, size: tuple[int, int] = (120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 90, 160)).save(out, format=kind)
    return out.getvalue()


def _plan_with_a_goal(services: Services) -> str:
    client = services.clients.add_client(ClientInput("Mere", "Parata"))
    plan = services.plans.start_plan(client.id)
    target = TargetInput("Rent paid", "0", "4 of 4 weeks", today() + timedelta(60))
    return services.goals.add_goal(plan.id, GoalInput("Keep my flat", targets=(target,))).id


# ----------------------------------------------------------------------------- the details


def test_details_round_trip_and_defaults(services):
    assert services.profile.get() == MyDetails()
    assert "emergency services" in services.profile.get().out_of_hours_help
    saved = services.profile.save(FULL)
    assert saved == FULL
    assert services.profile.get() == FULL
    assert services.profile.save(MyDetails(name="  Ana  Lima ", phone="000")).name == "Ana  Lima"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "call me maybe"),
        ("phone", "12"),  # too few digits to be a number
        ("phone", "1" * 21),
        ("email", "ana.lima@"),
        ("email", "ana lima@example.org"),
        ("name", "x" * 201),
        ("address", "y" * 501),
    ],
)
def test_bad_fields_are_refused_with_a_plain_message_and_nothing_saved(services, field, value):
    services.profile.save(FULL)
    with pytest.raises(ValidationError) as caught:
        services.profile.save(MyDetails(**{**FULL.to_data(), field: value}))
    assert set(caught.value.errors) == {field}
    assert services.profile.get() == FULL


def test_lenient_phone_numbers_pass(services):
    for phone in ("02 5550 1234", "+44 20 7946 0958", "(03) 9555-0199", "988", "555.0199 x 4"):
        assert services.profile.save(MyDetails(phone=phone)).phone == phone


# ----------------------------------------------------------------------------- logo


@pytest.mark.parametrize(("kind", "media_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_logo_is_stored_in_the_vault_and_kept_across_saves(services, kind, media_type):
    data = _image(kind)
    details = services.profile.set_logo(data)
    logo = services.profile.logo()
    assert logo is not None and logo.data == data and logo.media_type == media_type
    assert details.logo_attachment_id == logo.attachment_id
    services.profile.save(FULL)  # editing the text keeps the logo
    assert services.profile.get().logo_attachment_id == logo.attachment_id
    services.profile.remove_logo()
    assert services.profile.logo() is None and services.profile.get().name == "Ana Lima"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (_image("GIF"), "not a PNG or JPEG"),
        (b"\x89PNG\r\n\x1a\n" + b"not really", "not a PNG or JPEG"),
        (_image("PNG")[:60], "not a PNG or JPEG"),  # truncated
        (_image("PNG", (5000, 1)), "5000×1 pixels"),
        (b"\x00" * (1024 * 1024 + 1), "under 1 MB"),
    ],
)
def test_bad_logos_are_refused_and_nothing_changes(services, data, words):
    services.profile.save(FULL)
    with pytest.raises(ValidationError) as caught:
        services.profile.set_logo(data)
    assert words in caught.value.errors["logo"]
    assert services.profile.logo() is None and services.profile.get() == FULL


# ----------------------------------------------------------------------------- agreeing


def test_agreeing_needs_name_and_phone(services):
    plan_id = _plan_with_a_goal(services)
    with pytest.raises(MyDetailsMissing) as caught:
        services.plans.agree(plan_id)
    assert str(caught.value) == AGREE_NEEDS_DETAILS
    assert "Settings → My details" in str(caught.value) and "casedesk me set" in str(caught.value)
    assert isinstance(caught.value, PlanTransitionError)  # screens already show these plainly
    assert services.plans.get_plan(plan_id).current_version is None  # nothing was agreed

    services.profile.save(MyDetails(name="Ana Lima"))
    with pytest.raises(MyDetailsMissing) as caught:
        services.plans.agree(plan_id)
    assert caught.value.missing == ("phone",)
    services.profile.save(MyDetails(name="Ana Lima", phone="02 5550 1234"))
    assert services.plans.agree(plan_id).current_version == 1


def test_finishing_a_review_with_a_new_version_needs_them_too(services):
    plan_id = _plan_with_a_goal(services)
    services.profile.save(FULL)
    services.plans.agree(plan_id)
    review = services.reviews.open_review(plan_id)
    services.profile.save(MyDetails(name="Ana Lima"))  # the phone number was cleared
    with pytest.raises(MyDetailsMissing):
        services.reviews.finish_review(
            review.id, ReviewInput(held_on=today()), ReviewOutcome.AGREE_NEW_VERSION
        )
    assert services.plans.get_plan(plan_id).current_version == 1
    assert services.reviews.list_reviews(plan_id)[0].status.value == "draft"  # rolled back


# ----------------------------------------------------------------------------- who did it


def test_audit_names_the_worker_and_the_device(services):
    client = services.clients.add_client(ClientInput("Before", "Details"))
    assert services.vault.device_name() == socket.gethostname()
    services.profile.save(FULL)
    assert services.vault.set_device_name("  Laptop-2 \n") == "Laptop-2"
    services.clients.add_client(ClientInput("After", "Details"))
    with pytest.raises(ValidationError):
        services.vault.set_device_name("   ")
    assert services.vault.device_name() == "Laptop-2"

    first = services.audit.client_history(client.id)[-1]
    assert (first.actor, first.device_name) == ("", socket.gethostname())
    with services.vault.db.read() as session:
        latest = session.query(AuditEvent).order_by(AuditEvent.occurred_at.desc()).first()
        assert latest is not None
        assert (latest.actor, latest.device_name) == ("Ana Lima", "Laptop-2")
