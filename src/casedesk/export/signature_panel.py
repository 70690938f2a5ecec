"""The signature panel at the foot of a plan's last page, at coordinates known in advance.

The panel always sits at the bottom of the last page's text frame: its flowable claims all the
space left on the page (or moves to a new page when too little is left). So every box's position
depends only on the paper size, the print size and which roles sign, and
:func:`signature_layout` can tell signing code where the boxes are without re-reading the PDF.

Panel, from the bottom of the frame up: the QR row (version id, short hash and the QR code), the
signature blocks (two per row: client and case manager first, then guardian/carer and
interpreter), then the heading and a one-sentence statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import segno
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph

from casedesk.domain.documents import RenderOptions, SignatureRole
from casedesk.export.fonts import BOLD, REGULAR
from casedesk.export.page import FrameGeometry, Palette, Typography, make_styles
from casedesk.export.text import printable

COLUMNS = 2
COLUMN_GAP = 26.0
ROW_GAP = 16.0
INK_BOX_HEIGHT = 66.0
QR_GAP = 18.0
HEADING_GAP = 10.0


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in PDF points, origin at the bottom-left of the page."""

    x: float
    y: float
    width: float
    height: float

    @property
    def rect(self) -> tuple[float, float, float, float]:
        """``(x1, y1, x2, y2)`` as pyHanko and PDF annotations expect."""
        return (self.x, self.y, self.x + self.width, self.y + self.height)

    def shrink(self, margin: float) -> Box:
        """The same box with ``margin`` taken off each side."""
        return Box(
            self.x + margin, self.y + margin, self.width - 2 * margin, self.height - 2 * margin
        )


@dataclass(frozen=True, slots=True)
class SignatureLayout:
    """Where the signature ink boxes and the QR code are on the last page.

    Attributes:
        page_size: ``(width, height)`` of the page in points.
        boxes: the ink box for each signing role.
        qr: where the QR code is drawn.
    """

    page_size: tuple[float, float]
    boxes: dict[SignatureRole, Box]
    qr: Box

    def box(self, role: SignatureRole) -> Box:
        """The ink box for ``role``.

        Raises:
            KeyError: if this plan has no block for that role.
        """
        return self.boxes[role]


@dataclass(frozen=True, slots=True)
class _Metrics:
    label: float
    name: float
    date: float
    qr: float

    @classmethod
    def for_typography(cls, typo: Typography) -> _Metrics:
        return cls(
            label=typo.body * 1.45,
            name=typo.body * 1.45,
            date=typo.body * 2.0,
            qr=76.0 if typo.body >= 14 else 68.0,
        )

    @property
    def block_height(self) -> float:
        return self.label + self.name + 4 + INK_BOX_HEIGHT + self.date


def _grid_height(metrics: _Metrics, role_count: int) -> float:
    rows = -(-role_count // COLUMNS)
    return rows * metrics.block_height + (rows - 1) * ROW_GAP


def signature_layout(options: RenderOptions, roles: Sequence[SignatureRole]) -> SignatureLayout:
    """Where the boxes land on the last page for these options and signing roles."""
    geometry = FrameGeometry.for_options(options)
    metrics = _Metrics.for_typography(Typography.for_options(options))
    column_width = (geometry.width - COLUMN_GAP * (COLUMNS - 1)) / COLUMNS
    grid_top = geometry.y + metrics.qr + QR_GAP + _grid_height(metrics, len(roles))
    boxes: dict[SignatureRole, Box] = {}
    for index, role in enumerate(roles):
        row, column = divmod(index, COLUMNS)
        block_top = grid_top - row * (metrics.block_height + ROW_GAP)
        box_top = block_top - metrics.label - metrics.name - 4
        boxes[role] = Box(
            x=geometry.x + column * (column_width + COLUMN_GAP),
            y=box_top - INK_BOX_HEIGHT,
            width=column_width,
            height=INK_BOX_HEIGHT,
        )
    qr = Box(geometry.x + geometry.width - metrics.qr, geometry.y, metrics.qr, metrics.qr)
    return SignatureLayout((geometry.page_width, geometry.page_height), boxes, qr)


@dataclass(frozen=True, slots=True)
class SignerLine:
    """What one signature block prints: the role's label and the signer's name."""

    role: SignatureRole
    label: str
    name: str


@dataclass(frozen=True, slots=True)
class PanelText:
    """The translated texts on the panel."""

    heading: str
    statement: str
    date_label: str
    qr_caption: str
    version_line: str
    hash_line: str
    qr_payload: str


class SignaturePanel(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """Signature blocks and QR code, pinned to the bottom of the last page."""

    def __init__(
        self, options: RenderOptions, signers: Sequence[SignerLine], text: PanelText
    ) -> None:
        super().__init__()
        self._options = options
        self._signers = tuple(signers)
        self._text = text
        self._typo = Typography.for_options(options)
        self._styles = make_styles(self._typo)
        self._metrics = _Metrics.for_typography(self._typo)
        self._layout = signature_layout(options, [s.role for s in self._signers])
        self._heading = Paragraph(text.heading, self._styles["h2"])
        self._statement = Paragraph(text.statement, self._styles["body"])

    def _needed_height(self, width: float) -> float:
        heading_h = float(self._heading.wrap(width, 10_000)[1])
        statement_h = float(self._statement.wrap(width, 10_000)[1])
        grid = _grid_height(self._metrics, len(self._signers))
        return (
            heading_h + HEADING_GAP + statement_h + HEADING_GAP + grid + QR_GAP + self._metrics.qr
        )

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Claim the rest of the page, or ask for a fresh page when too little is left."""
        self._avail_width = availWidth
        needed = self._needed_height(availWidth)
        self.width = availWidth
        self.height = availHeight if availHeight >= needed else needed
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """Never split: the panel moves to the next page as a whole."""
        return []

    def draw(self) -> None:
        """Draw in page coordinates, so the boxes land exactly where the layout says."""
        canvas: Canvas = self.canv
        origin_x, origin_y = canvas.absolutePosition(0, 0)
        canvas.saveState()
        canvas.translate(-origin_x, -origin_y)
        self._draw_heading(canvas)
        for signer in self._signers:
            self._draw_block(canvas, signer, self._layout.box(signer.role))
        self._draw_qr_row(canvas)
        canvas.restoreState()

    def _draw_heading(self, canvas: Canvas) -> None:
        geometry = FrameGeometry.for_options(self._options)
        grid_top = max(box.y + box.height for box in self._layout.boxes.values())
        grid_top += self._metrics.label + self._metrics.name + 4
        _, statement_h = self._statement.wrap(geometry.width, 10_000)
        statement_y = grid_top + HEADING_GAP
        self._statement.drawOn(canvas, geometry.x, statement_y)
        self._heading.wrap(geometry.width, 10_000)  # a paragraph must be wrapped before drawing
        self._heading.drawOn(canvas, geometry.x, statement_y + statement_h + HEADING_GAP)

    def _draw_block(self, canvas: Canvas, signer: SignerLine, box: Box) -> None:
        metrics = self._metrics
        body = self._typo.body
        top = box.y + box.height + 4 + metrics.name + metrics.label
        canvas.setFillColor(Palette.ACCENT)
        canvas.setFont(BOLD, body)
        canvas.drawString(box.x, top - body, _fit(signer.label, box.width, body))
        canvas.setFillColor(Palette.TEXT)
        canvas.setFont(REGULAR, body)
        canvas.drawString(
            box.x, top - metrics.label - body * 0.95, _fit(signer.name, box.width, body)
        )
        canvas.setStrokeColor(Palette.RULE)
        canvas.setLineWidth(0.8)
        canvas.roundRect(box.x, box.y, box.width, box.height, 4, stroke=1, fill=0)
        date_y = box.y - metrics.date + body * 0.55
        canvas.setFillColor(Palette.MUTED)
        label = printable(f"{self._text.date_label}:")
        canvas.drawString(box.x, date_y, label)
        line_start = box.x + canvas.stringWidth(label, REGULAR, body) + 6
        canvas.setLineWidth(0.5)
        canvas.line(line_start, date_y - 2, box.x + box.width * 0.62, date_y - 2)

    def _draw_qr_row(self, canvas: Canvas) -> None:
        qr_box = self._layout.qr
        draw_qr(canvas, self._text.qr_payload, qr_box)
        small = self._typo.small
        geometry = FrameGeometry.for_options(self._options)
        text_right = qr_box.x - 12
        canvas.setFillColor(Palette.MUTED)
        canvas.setFont(REGULAR, small)
        lines = (self._text.qr_caption, self._text.version_line, self._text.hash_line)
        y = qr_box.y + qr_box.height / 2 + small * 1.4
        for line in lines:
            canvas.drawRightString(text_right, y, _fit(line, text_right - geometry.x, small))
            y -= small * 1.45


def _fit(text: str, width: float, size: float) -> str:
    """Shorten ``text`` with an ellipsis so it fits ``width`` at ``size`` (names can be long)."""
    text = printable(text)
    if stringWidth(text, REGULAR, size) <= width:
        return text
    while text and stringWidth(text + "…", REGULAR, size) > width:
        text = text[:-1]
    return text + "…"


@lru_cache(maxsize=16)
def _qr_matrix(payload: str) -> tuple[bytearray, ...]:
    """The QR modules for ``payload``, level M.

    Choosing the mask costs most of the ~10 ms; one version is typically rendered several times
    (preview, client copy, file copy, large print), so the result is kept. ``boost_error`` is
    off so the level stays M whatever the payload length (and the code stays the same size).
    """
    code = segno.make_qr(payload, error="m", boost_error=False)
    return tuple(code.matrix)


QR_QUIET_ZONE = 2  # modules; printed on white paper, so a narrow quiet zone scans fine


def draw_qr(canvas: Canvas, payload: str, box: Box) -> None:
    """Draw a QR code as vector squares filling ``box`` (quiet zone included in the box)."""
    canvas.saveState()
    canvas.setFillColor(Palette.TEXT)
    canvas.addLiteral(_qr_path(payload, box))
    canvas.restoreState()


@lru_cache(maxsize=16)
def _qr_path(payload: str, box: Box) -> str:
    """PDF path operators for the dark modules, one rectangle per horizontal run, then fill.

    Written directly rather than through ``canvas.rect`` (a few hundred calls, each formatting
    four numbers in pure Python): same drawing, a fraction of the time.
    """
    matrix = _qr_matrix(payload)
    unit = min(box.width, box.height) / (len(matrix) + 2 * QR_QUIET_ZONE)
    top = box.y + box.height - QR_QUIET_ZONE * unit
    operators = []
    for row_index, row in enumerate(matrix):
        y = top - (row_index + 1) * unit
        for start, length in _dark_runs(row):
            x = box.x + (QR_QUIET_ZONE + start) * unit
            operators.append(f"{x:.3f} {y:.3f} {length * unit:.3f} {unit:.3f} re")
    operators.append("f")
    return "\n".join(operators)


def _dark_runs(row: bytearray) -> list[tuple[int, int]]:
    """``(start, length)`` of each run of dark modules: fewer shapes and no hairline seams."""
    runs: list[tuple[int, int]] = []
    column = 0
    while column < len(row):
        if not row[column]:
            column += 1
            continue
        start = column
        while column < len(row) and row[column]:
            column += 1
        runs.append((start, column - start))
    return runs
