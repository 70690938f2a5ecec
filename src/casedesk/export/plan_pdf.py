"""Case plan PDFs: the client's copy in plain language and the full file copy.

Built in memory and deterministic: the same :class:`PlanDocument` and :class:`RenderOptions` give
byte-identical output. Every page carries the plan version id, the agreed date, "page x of y" and
the short content hash; the last page ends with the signature panel and QR code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
)

from casedesk.domain.documents import (
    CopyKind,
    Participant,
    PlanDocument,
    RenderOptions,
    SignatureRole,
)
from casedesk.export.blocks import safe
from casedesk.export.content_hash import plan_content_hash, qr_payload, short_hash
from casedesk.export.labels import labels_for
from casedesk.export.page import (
    FrameGeometry,
    Typography,
    build_pdf,
    draw_footer,
    draw_running_header,
    make_styles,
)
from casedesk.export.plan_client_copy import client_story
from casedesk.export.plan_file_copy import file_story
from casedesk.export.plan_sections import PlanContext
from casedesk.export.signature_panel import (
    PanelText,
    SignatureLayout,
    SignaturePanel,
    SignerLine,
    signature_layout,
)

_ROLE_LABEL_KEYS = {
    SignatureRole.CLIENT: "sig.client",
    SignatureRole.CASE_MANAGER: "sig.case_manager",
    SignatureRole.GUARDIAN: "sig.guardian",
    SignatureRole.INTERPRETER: "sig.interpreter",
}


@dataclass(frozen=True, slots=True)
class BuiltPlanPdf:
    """A rendered plan and what signing code needs to know about it.

    Attributes:
        data: the PDF bytes.
        sha256: SHA-256 of ``data`` (hex).
        content_hash: SHA-256 of the plan content, printed on every page and in the QR code.
        page_count: number of pages.
        layout: where the signature boxes and QR code are on the last page.
    """

    data: bytes
    sha256: str
    content_hash: str
    page_count: int
    layout: SignatureLayout

    @property
    def last_page_index(self) -> int:
        """Zero-based index of the page holding the signature blocks."""
        return self.page_count - 1


def plan_layout(document: PlanDocument, options: RenderOptions) -> SignatureLayout:
    """Where the signature boxes of this plan land on its last page (no rendering needed)."""
    return signature_layout(options, document.signature_roles)


def build_plan_pdf(document: PlanDocument, options: RenderOptions | None = None) -> BuiltPlanPdf:
    """Render a plan version to PDF bytes, in memory.

    Args:
        document: what the plan says.
        options: client or file copy, large print, paper size and label language.

    Returns:
        The bytes with their hash, the content hash and the signature layout.
    """
    options = options or RenderOptions()
    labels = labels_for(options, document.preferred_language)
    typo = Typography.for_options(options)
    context = PlanContext(
        document=document,
        options=options,
        labels=labels,
        typo=typo,
        styles=make_styles(typo),
        width=FrameGeometry.for_options(options).width,
        content_hash=plan_content_hash(document),
    )
    story = client_story(context) if options.copy is CopyKind.CLIENT else file_story(context)
    story.append(_signature_panel(context))
    pages: list[int] = []
    title_key = "plan.client.title" if options.copy is CopyKind.CLIENT else "plan.file.title"
    data = build_pdf(
        story,
        options,
        _page_decorator(context, pages),
        title=f"{labels.text(title_key)} v{document.version_number}",
        subject=f"Plan version {document.version_id}",
        language=labels.language,
    )
    return BuiltPlanPdf(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        content_hash=context.content_hash,
        page_count=pages[-1],
        layout=plan_layout(document, options),
    )


# ---------------------------------------------------------------- page furniture


def _page_decorator(context: PlanContext, pages: list[int]) -> Callable[[Canvas, int, int], None]:
    labels, document = context.labels, context.document
    date_text = (
        labels.date(document.agreed_on)
        if document.agreed_on is not None
        else labels.text("footer.draft")
    )
    title_key = (
        "plan.client.title" if context.options.copy is CopyKind.CLIENT else "plan.file.title"
    )
    header = f"{labels.text(title_key)} · {document.client_display_name}"

    def decorate(canvas: Canvas, page: int, total: int) -> None:
        pages.append(total)
        if page > 1:
            draw_running_header(canvas, context.options, context.typo, header)
        draw_footer(
            canvas,
            context.options,
            context.typo,
            left=(
                labels.text(
                    "footer.version",
                    number=document.version_number,
                    version_id=document.version_id,
                ),
                date_text,
            ),
            right=(
                labels.text("footer.page", page=page, pages=total),
                labels.text("footer.hash", hash=short_hash(context.content_hash)),
            ),
        )

    return decorate


def _signature_panel(context: PlanContext) -> Flowable:
    labels, document = context.labels, context.document
    names = {
        SignatureRole.CLIENT: document.client_display_name,
        SignatureRole.CASE_MANAGER: document.case_manager.name,
        SignatureRole.GUARDIAN: _participant_line(document.guardian),
        SignatureRole.INTERPRETER: _participant_line(document.interpreter),
    }
    signers = [
        SignerLine(role, labels.text(_ROLE_LABEL_KEYS[role]), names[role])
        for role in document.signature_roles
    ]
    text = PanelText(
        heading=safe(labels.text("sig.heading")),
        statement=safe(labels.text("sig.statement")),
        date_label=labels.text("sig.date"),
        qr_caption=labels.text("sig.qr_caption"),
        version_line=labels.text(
            "footer.version", number=document.version_number, version_id=document.version_id
        ),
        hash_line=labels.text("footer.hash", hash=short_hash(context.content_hash)),
        qr_payload=qr_payload(document.version_id, context.content_hash),
    )
    return SignaturePanel(context.options, signers, text)


def _participant_line(participant: Participant | None) -> str:
    """Name plus relationship or language, e.g. "Maria Rivera (sister, carer)"."""
    if participant is None:
        return ""
    if participant.detail:
        return f"{participant.name} ({participant.detail})"
    return participant.name
