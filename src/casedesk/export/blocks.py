"""Small building blocks shared by the plan and assessment PDFs: safe text, tables, callouts."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from casedesk.export.fonts import REGULAR
from casedesk.export.page import Palette, Typography
from casedesk.export.text import printable


def safe(text: str) -> str:
    """User text made safe for paragraph markup and printable; line breaks kept."""
    lines = printable(text.strip().replace("\r\n", "\n"))
    return escape(lines).replace("\n", "<br/>")


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of user text (escaped; never interpreted as markup)."""
    return Paragraph(safe(text), style)


def data_table(
    header: Sequence[str] | None,
    rows: Sequence[Sequence[str]],
    fractions: Sequence[float],
    width: float,
    styles: dict[str, ParagraphStyle],
    typo: Typography,
) -> Table:
    """A calm table: wrapped cells (nothing overflows), a tinted header, hairlines between rows.

    Args:
        header: column headings, or ``None`` for a table without a heading row.
        rows: cell texts (user text; escaped here).
        fractions: share of ``width`` for each column; should add up to 1.
        width: the width to fill.
        styles: paragraph styles from :func:`make_styles`.
        typo: the typography in use (for padding).
    """
    data: list[list[Flowable]] = []
    if header is not None:
        data.append([Paragraph(safe(h), styles["cell_head"]) for h in header])
    data.extend([para(cell, styles["cell"]) for cell in row] for row in rows)
    table = Table(
        data,
        colWidths=[width * f for f in fractions],
        repeatRows=1 if header is not None else 0,
        hAlign="LEFT",
    )
    pad = typo.body * 0.45
    commands: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("LEFTPADDING", (0, 0), (-1, -1), pad * 1.2),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad * 1.2),
        ("TOPPADDING", (0, 0), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 1.2),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, Palette.RULE),
    ]
    if header is not None:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), Palette.TABLE_HEAD))
    table.setStyle(TableStyle(commands))
    return table


def callout(
    content: Sequence[Flowable], width: float, typo: Typography, *, fill: object = None
) -> Table:
    """A pale box around some flowables, for the things a reader must not miss."""
    table = Table([[list(content)]], colWidths=[width], hAlign="LEFT")
    pad = typo.body * 0.9
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), fill or Palette.ACCENT_PALE),
                ("LEFTPADDING", (0, 0), (-1, -1), pad),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ("TOPPADDING", (0, 0), (-1, -1), pad * 0.8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.6),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
            ]
        )
    )
    return table


def side_by_side(left: Flowable, right: Flowable, width: float, gap: float = 14.0) -> Table:
    """Two flowables next to each other, top-aligned, with a gap between them."""
    column = (width - gap) / 2
    table = Table([[left, Spacer(1, 1), right]], colWidths=[column, gap, column], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table
