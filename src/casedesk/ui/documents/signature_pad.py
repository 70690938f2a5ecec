"""A signature pad: the client or case manager signs with a mouse, finger or pen.

Strokes are kept as point lists (so undo removes the last stroke) and exported as a PNG with a
transparent background, in memory (QBuffer): the drawing never touches the disk.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QPointF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

INK = QColor("#10243e")
EXPORT_SCALE = 2  # export at twice the on-screen size so print stays crisp


class SignaturePad(QWidget):
    """Captures a handwritten signature.

    Signals:
        changed(): a stroke was added, undone or the pad was cleared.
    """

    changed = Signal()

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumSize(320, 140)
        self._strokes: list[list[QPointF]] = []
        self._drawing = False

    # ------------------------------------------------------------------ public

    @property
    def is_empty(self) -> bool:
        """True until someone has drawn on the pad."""
        return not any(len(stroke) > 1 for stroke in self._strokes)

    def stroke_count(self) -> int:
        """How many strokes have been drawn."""
        return len(self._strokes)

    def clear(self) -> None:
        """Remove every stroke."""
        self._strokes.clear()
        self.update()
        self.changed.emit()

    def undo(self) -> None:
        """Remove the last stroke."""
        if self._strokes:
            self._strokes.pop()
            self.update()
            self.changed.emit()

    def add_stroke(self, points: list[QPointF]) -> None:
        """Add a whole stroke (used by tests and by pen/touch input)."""
        if points:
            self._strokes.append(list(points))
            self.update()
            self.changed.emit()

    def to_png(self) -> bytes:
        """The drawing as a tightly cropped, transparent PNG (empty bytes when blank)."""
        if self.is_empty:
            return b""
        bounds = self._path().boundingRect().adjusted(-6, -6, 6, 6)
        size = QSize(
            max(1, int(bounds.width() * EXPORT_SCALE)), max(1, int(bounds.height() * EXPORT_SCALE))
        )
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(EXPORT_SCALE, EXPORT_SCALE)
        painter.translate(-bounds.topLeft())
        self._paint_strokes(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes; runtime wants str
        buffer.close()
        return bytes(data.data())

    # ------------------------------------------------------------------ drawing

    def _path(self) -> QPainterPath:
        path = QPainterPath()
        for stroke in self._strokes:
            if not stroke:
                continue
            path.moveTo(stroke[0])
            for point in stroke[1:]:
                path.lineTo(point)
        return path

    def _paint_strokes(self, painter: QPainter) -> None:
        pen = QPen(INK, 2.4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.drawPath(self._path())

    def _begin(self, point: QPointF) -> None:
        self._drawing = True
        self._strokes.append([point])

    def _extend(self, point: QPointF) -> None:
        if self._drawing and self._strokes:
            self._strokes[-1].append(point)
            self.update()

    def _finish(self) -> None:
        if self._drawing:
            self._drawing = False
            self.changed.emit()

    # ------------------------------------------------------------------ Qt overrides

    def sizeHint(self) -> QSize:
        """A comfortable signing area."""
        return QSize(460, 160)

    def paintEvent(self, event: QPaintEvent) -> None:
        """White card, a baseline to sign on, and the strokes."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        painter.setPen(QPen(QColor("#c9d0d8"), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        baseline = self.height() - 34
        painter.setPen(QPen(QColor("#9aa5b1"), 1, Qt.PenStyle.DashLine))
        painter.drawLine(18, baseline, self.width() - 18, baseline)
        painter.setPen(QColor("#8893a0"))
        painter.drawText(20, baseline + 22, self.tr("Sign above the line"))
        self._paint_strokes(painter)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Start a stroke."""
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Extend the stroke."""
        self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Finish the stroke."""
        self._finish()

    def tabletEvent(self, event: QTabletEvent) -> None:
        """Pen input (tablets deliver these instead of mouse events)."""
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QEvent.Type.TabletMove:
            self._extend(event.position())
        elif kind == QEvent.Type.TabletRelease:
            self._finish()
        event.accept()

    def event(self, event: QEvent) -> bool:
        """Touch input (a finger or passive stylus on a touch screen)."""
        kind = event.type()
        if isinstance(event, QTouchEvent) and event.points():
            point = event.points()[0].position()
            if kind == QEvent.Type.TouchBegin:
                self._begin(point)
            elif kind == QEvent.Type.TouchUpdate:
                self._extend(point)
            else:
                self._finish()
            event.accept()
            return True
        return super().event(event)
