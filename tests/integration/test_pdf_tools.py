"""Plan and assessment PDFs checked with independent tools: poppler's pdfsig, pdftotext, pdftoppm.

pdfsig exits 0 even when a signature is broken, so every check reads its output.
"""

from __future__ import annotations

import io
import re
import shutil
import statistics
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from casedesk.domain.documents import RenderOptions, SignatureRole
from casedesk.export.assessment_pdf import build_assessment_pdf
from casedesk.export.plan_pdf import BuiltPlanPdf, build_plan_pdf
from casedesk.export.samples import sample_assessment, sample_plan
from casedesk.export.signature_images import ink_area, place_signature_images
from casedesk.export.signing import (
    SigningIdentity,
    generate_self_signed_identity,
    load_signing_identity,
    sign_plan_pdf,
)
from casedesk.export.verify import VerificationStatus, verify_plan_pdf

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdfsig", "pdftotext", "pdftoppm")),
    reason="poppler-utils (pdfsig, pdftotext, pdftoppm) not installed",
)


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def identity() -> SigningIdentity:
    generated = generate_self_signed_identity("Sam Okafor", "Riverbend Community Support")
    return load_signing_identity(generated.pkcs12, generated.password)


def _signature_png() -> bytes:
    image = Image.new("RGBA", (400, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        [(10, 90), (80, 20), (140, 100), (220, 30), (300, 95), (390, 40)],
        fill=(20, 20, 80, 255),
        width=7,
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _run(args: list[str], pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [*args, str(path)], capture_output=True, text=True, check=False, timeout=30
    ).stdout


def _text(pdf: bytes, *extra: str) -> str:
    out = subprocess.run(
        ["pdftotext", *extra, "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    ).stdout.decode("utf-8")
    return out


def _flat(text: str) -> str:
    """pdftotext output with line breaks, bidi marks and presentation forms undone."""
    text = unicodedata.normalize("NFKC", text).replace("\u202b", "").replace("\u202c", "")
    return " ".join(text.split())


def _flip_title_byte(pdf: bytes) -> bytes:
    index = pdf.index(b"/Title (") + len(b"/Title (")
    return pdf[:index] + (b"X" if pdf[index : index + 1] != b"X" else b"Y") + pdf[index + 1 :]


def _append_info_update(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    info_ref = writer.trailer.raw_get("/Info")
    info_ref.get_object()[generic.NameObject("/Title")] = generic.TextStringObject("Edited")
    writer.mark_update(info_ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _signed_plan(identity: SigningIdentity) -> tuple[BuiltPlanPdf, bytes]:
    built = build_plan_pdf(sample_plan(3), RenderOptions())
    placed = place_signature_images(
        built.data, {SignatureRole.CLIENT: _signature_png()}, built.layout
    )
    return built, sign_plan_pdf(placed, identity, built.layout).data


# ---------------------------------------------------------------- signatures (pdfsig)


def test_pdfsig_accepts_the_signed_plan(identity, tmp_path):
    _, signed = _signed_plan(identity)
    out = _run(["pdfsig"], signed, tmp_path)
    assert "Signature is Valid." in out
    assert "Total document signed" in out
    assert "Signer Certificate Common Name: Sam Okafor" in out
    assert verify_plan_pdf(signed).ok


def test_one_changed_byte_is_a_digest_mismatch(identity, tmp_path):
    _, signed = _signed_plan(identity)
    tampered = _flip_title_byte(signed)
    assert "Digest Mismatch." in _run(["pdfsig"], tampered, tmp_path)
    result = verify_plan_pdf(tampered)
    assert result.status is VerificationStatus.TAMPERED and not result.ok


def test_appended_update_is_reported_as_modified_after_signing(identity, tmp_path):
    _, signed = _signed_plan(identity)
    updated = _append_info_update(signed)
    out = _run(["pdfsig"], updated, tmp_path)
    assert "Signature is Valid." in out  # poppler alone would call this fine...
    assert "Not total document signed" in out
    result = verify_plan_pdf(updated)  # ...so coverage decides
    assert result.status is VerificationStatus.MODIFIED_AFTER_SIGNING
    assert "after it was signed" in result.reason


# ---------------------------------------------------------------- text (pdftotext)


def test_client_copy_text_has_each_goal_in_the_clients_words_and_the_review_date():
    plan = sample_plan(5)
    text = _flat(_text(build_plan_pdf(plan, RenderOptions()).data))
    for goal in plan.goals:
        assert goal.client_words in text
    assert "1 June 2026" in text  # next_review_on, spelled out
    assert plan.case_manager.phone in text
    assert "Riverbend after-hours line" in text


def test_spanish_client_copy_is_in_spanish():
    text = _flat(_text(build_plan_pdf(sample_plan(1, language="es")).data))
    assert "Mi plan de apoyo" in text
    assert "1 de junio de 2026" in text


def test_every_page_carries_version_id_page_count_and_short_hash():
    built = build_plan_pdf(sample_plan(4), RenderOptions())
    pages = _text(built.data).split("\f")[: built.page_count]
    short = built.content_hash[:4]
    for number, page in enumerate(pages, start=1):
        flat = _flat(page)
        assert sample_plan(1).version_id in flat
        assert f"Page {number} of {built.page_count}" in flat
        assert f"Hash {short}" in flat
    assert "Signatures" in _flat(pages[-1])


def _word_heights(pdf: bytes, words: set[str]) -> list[float]:
    html = _text(pdf, "-bbox", "-f", "1", "-l", "1")
    pattern = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [float(m[3]) - float(m[2]) for m in pattern.finditer(html) if m[4] in words]


def test_large_print_body_text_is_at_least_14_points():
    # Words from the intro and the first goal's steps (body text, not headings).
    body_words = {"together.", "options", "choose", "first."}
    plan = sample_plan(2)
    large = _word_heights(build_plan_pdf(plan, RenderOptions(large_print=True)).data, body_words)
    normal = _word_heights(build_plan_pdf(plan, RenderOptions()).data, body_words)
    assert large and normal
    # poppler's word box height is the font size in points.
    assert min(large) >= 14
    assert statistics.median(normal) < 14  # the check tells the two apart


@pytest.mark.parametrize(
    "name",
    [
        "Zoë Ångström-Łukasiewicz",
        "Σοφία Παπαδοπούλου",
        "Дмитрий Иванов",
        "محمد عبد الله",
        "דוד כהן",
        "Nguyễn Thị Minh Khai 😊",
    ],
)
def test_unicode_names_print_and_extract(name):
    text = _flat(_text(build_plan_pdf(sample_plan(1, client_name=name)).data, "-l", "1"))
    assert name in text


def test_assessment_summary_text_has_every_domain_and_a_strength():
    document = sample_assessment()
    text = _flat(_text(build_assessment_pdf(document).data))
    for domain in document.domains:
        assert domain.domain in text
    assert document.domains[0].strengths in text
    assert "What is going well" in text


# ---------------------------------------------------------------- rendering (pdftoppm)


def _render_last_page(pdf: bytes, page_count: int, tmp_path: Path) -> Image.Image:
    prefix = tmp_path / "page"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "72",
            "-png",
            "-f",
            str(page_count),
            "-l",
            str(page_count),
            "-",
            str(prefix),
        ],
        input=pdf,
        check=True,
        timeout=30,
    )
    [png] = sorted(tmp_path.glob("page*.png"))
    image = Image.open(png).convert("L")
    png.unlink()
    return image


def _ink_pixels(image: Image.Image, built: BuiltPlanPdf, role: SignatureRole) -> int:
    area = ink_area(role, built.layout.box(role)).shrink(2)
    page_height = built.layout.page_size[1]
    # At 72 dpi one pixel is one point; PDF y grows upwards, image y downwards.
    crop = image.crop(
        (
            round(area.x),
            round(page_height - area.y - area.height),
            round(area.x + area.width),
            round(page_height - area.y),
        )
    )
    return sum(crop.histogram()[:200])  # pixels darker than light grey


def test_render_shows_ink_in_the_client_box_after_signing(identity, tmp_path):
    built, signed = _signed_plan(identity)
    before = _render_last_page(built.data, built.page_count, tmp_path)
    after = _render_last_page(signed, built.page_count, tmp_path)
    assert _ink_pixels(before, built, SignatureRole.CLIENT) == 0
    assert _ink_pixels(after, built, SignatureRole.CLIENT) > 100
    assert _ink_pixels(after, built, SignatureRole.GUARDIAN) == 0


# ---------------------------------------------------------------- no temporary files


def test_no_file_appears_in_tmpdir_during_build_sign_and_verify(identity, tmp_path, monkeypatch):
    private_tmp = tmp_path / "tmpdir"
    private_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    plan = sample_plan(10, with_interpreter=True)
    built = build_plan_pdf(plan, RenderOptions(large_print=True))
    placed = place_signature_images(
        built.data,
        {SignatureRole.CLIENT: _signature_png(), SignatureRole.CASE_MANAGER: _signature_png()},
        built.layout,
    )
    signed = sign_plan_pdf(placed, identity, built.layout)
    assert verify_plan_pdf(signed.data, known_hashes={signed.sha256}).ok
    build_assessment_pdf(sample_assessment())
    generated = generate_self_signed_identity("Temp Check")
    load_signing_identity(generated.pkcs12, generated.password)
    assert list(private_tmp.iterdir()) == []


# ---------------------------------------------------------------- agency CA trust (NSS)


def _agency_ca_and_worker_p12() -> tuple[bytes, bytes]:
    """An agency CA certificate (DER) and a worker PKCS#12 it issued (password "pw")."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    start = datetime(2025, 1, 1, tzinfo=UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("Riverbend Agency CA"))
        .issuer_name(name("Riverbend Agency CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    worker_key = ec.generate_private_key(ec.SECP256R1())
    worker = (
        x509.CertificateBuilder()
        .subject_name(name("Jordan Lee"))
        .issuer_name(ca.subject)
        .public_key(worker_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"worker", worker_key, worker, [ca], serialization.BestAvailableEncryption(b"pw")
    )
    return ca.public_bytes(serialization.Encoding.DER), p12


@pytest.mark.skipif(not shutil.which("certutil"), reason="certutil (libnss3-tools) not installed")
def test_agency_signed_plan_is_trusted_by_pdfsig_with_the_agency_ca(tmp_path):
    ca_der, p12 = _agency_ca_and_worker_p12()
    identity = load_signing_identity(p12, "pw")
    built = build_plan_pdf(sample_plan(2), RenderOptions())
    signed = sign_plan_pdf(built.data, identity, built.layout).data
    nss = tmp_path / "nssdb"
    nss.mkdir()
    (tmp_path / "ca.der").write_bytes(ca_der)
    certutil = ["certutil", "-d", f"sql:{nss}"]
    subprocess.run([*certutil, "-N", "--empty-password"], check=True, timeout=30)
    subprocess.run(
        [*certutil, "-A", "-n", "agencyca", "-t", "CT,C,C", "-i", str(tmp_path / "ca.der")],
        check=True,
        timeout=30,
    )
    out = _run(["pdfsig", "-nssdir", f"sql:{nss}"], signed, tmp_path)
    assert "Signature is Valid." in out
    assert "Certificate is Trusted." in out
    assert verify_plan_pdf(signed, trust_roots=[ca_der]).trusted


def test_printed_qr_code_matches_the_payload_module_for_module(tmp_path):
    """No QR decoder is installed, so read the printed modules back and compare with segno's."""
    import segno

    from casedesk.export.content_hash import qr_payload
    from casedesk.export.signature_panel import QR_QUIET_ZONE

    plan = sample_plan(2)
    built = build_plan_pdf(plan, RenderOptions())
    prefix = tmp_path / "qr"
    dpi = 288
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-png",
            "-f",
            str(built.page_count),
            "-l",
            str(built.page_count),
            "-",
            str(prefix),
        ],
        input=built.data,
        check=True,
        timeout=30,
    )
    [png] = sorted(tmp_path.glob("qr*.png"))
    page = Image.open(png).convert("L")
    expected = segno.make_qr(
        qr_payload(plan.version_id, built.content_hash), error="m", boost_error=False
    ).matrix
    box = built.layout.qr
    scale = dpi / 72
    unit = box.width / (len(expected) + 2 * QR_QUIET_ZONE)
    top = built.layout.page_size[1] - (box.y + box.height)
    for row, modules in enumerate(expected):
        for column, dark in enumerate(modules):
            x = (box.x + (QR_QUIET_ZONE + column + 0.5) * unit) * scale
            y = (top + (QR_QUIET_ZONE + row + 0.5) * unit) * scale
            assert (page.getpixel((round(x), round(y))) < 128) == bool(dark), (row, column)
