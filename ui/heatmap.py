"""The coverage map: how a person's evidence is spread over months and competencies.

A review that leans on two busy months, or says nothing about a whole
competency, is unfair without anyone meaning it to be. The map shows
``app.reviews.body.Coverage`` as a grid — competencies down the side,
months across the top, the number of notes in every cell, a deeper tint
for more notes — so a gap is seen before the draft is written. Months with
no notes are hatched and competencies without evidence are marked with a
warning sign beside their name; the same facts are in each cell's tooltip
and in a sentence summary for screen readers.

Beneath the map, the coverage's warnings are lines with a warning icon
(``CoverageWarnings``); ``CoverageView`` holds both and scrolls.

The grid is painted in logical pixels from the font's metrics, so it
stays sharp and in proportion at any screen scale, and its colours come
from the palette, so it follows a light or dark theme.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QStyle, QToolTip, QVBoxLayout, QWidget,
)

from app.reviews.body import Coverage

from .chips import blend, is_dark, month_title

UNTAGGED_NAME = "No competency"
WARNING_SIGN = "\u26a0"
MERGED_LEADS = ("No evidence for ", "No notes in ")
LABEL_MAX_CHARS = 26
GAP = 6


def month_short(month: str) -> str:
    """``"2026-03"`` → ``"Mar"`` in the user's language."""
    return month_title(month).split()[0][:3]


@dataclass(frozen=True)
class Geometry:
    """Where the parts of the map go, in the widget's logical pixels."""

    label_width: int
    header_height: int
    cell_width: int
    cell_height: int
    rows: int
    columns: int

    def cell(self, row: int, column: int) -> QRect:
        return QRect(self.label_width + column * self.cell_width,
                     self.header_height + row * self.cell_height,
                     self.cell_width, self.cell_height)

    def row_label(self, row: int) -> QRect:
        return QRect(0, self.header_height + row * self.cell_height, self.label_width - GAP,
                     self.cell_height)

    def column_label(self, column: int) -> QRect:
        return QRect(self.label_width + column * self.cell_width, 0, self.cell_width,
                     self.header_height)

    def grid(self) -> QRect:
        return QRect(self.label_width, self.header_height, self.columns * self.cell_width,
                     self.rows * self.cell_height)

    def size(self) -> QSize:
        return QSize(self.label_width + self.columns * self.cell_width + 1,
                     self.header_height + self.rows * self.cell_height + 1)


class CoverageHeatmap(QWidget):
    """Competencies × months, the note count in each cell. ``set_coverage(None)`` empties it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._coverage: Coverage | None = None
        self.setAccessibleName("Coverage map")
        self.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # screen readers reach the summary
        self.set_coverage(None)

    # --- what is shown ------------------------------------------------------------

    def set_coverage(self, coverage: Coverage | None) -> None:
        self._coverage = coverage
        self.setAccessibleDescription(self.summary())
        self.updateGeometry()
        self.update()

    @property
    def coverage(self) -> Coverage | None:
        return self._coverage

    def row_names(self) -> list[str]:
        """The competencies down the side, in the order the coverage lists them."""
        if self._coverage is None:
            return []
        return [name or (UNTAGGED_NAME if not cid else cid) for cid, name in self._coverage.competencies]

    def count(self, row: int, column: int) -> int:
        """Notes on competency ``row`` in month ``column`` (coverage counts are months × competencies)."""
        return self._coverage.counts[column][row]

    def cell_text(self, row: int, column: int) -> str:
        return str(self.count(row, column))

    def is_empty_month(self, column: int) -> bool:
        coverage = self._coverage
        month = coverage.months[column]
        return month in coverage.empty_months or not any(coverage.counts[column])

    def is_without_evidence(self, row: int) -> bool:
        cid, name = self._coverage.competencies[row]
        flagged = set(self._coverage.without_evidence)
        return bool(cid) and (cid in flagged or name in flagged)

    def tooltip_for(self, row: int, column: int) -> str:
        month, name = month_title(self._coverage.months[column]), self.row_names()[row]
        count = self.count(row, column)
        text = f"{name}, {month}: {count} note{'' if count == 1 else 's'}"
        if self.is_empty_month(column):
            text += f"\nNo notes at all in {month}."
        if self.is_without_evidence(row):
            text += f"\nNo evidence on {name} in this period."
        return text

    def summary(self) -> str:
        """The map in words, for screen readers and the panel's text view."""
        coverage = self._coverage
        if coverage is None or not coverage.months:
            return "No coverage to show."
        total = sum(sum(row) for row in coverage.counts)
        parts = [f"{len(coverage.months)} months from {month_title(coverage.months[0])} to "
                 f"{month_title(coverage.months[-1])}, {len(coverage.competencies)} rows, "
                 f"{total} note tag{'' if total == 1 else 's'} counted."]
        empty = [month_title(coverage.months[c]) for c in range(len(coverage.months))
                 if self.is_empty_month(c)]
        if empty:
            parts.append("Months with no notes: " + ", ".join(empty) + ".")
        missing = [self.row_names()[r] for r in range(len(coverage.competencies))
                   if self.is_without_evidence(r)]
        if missing:
            parts.append("Competencies without evidence: " + ", ".join(missing) + ".")
        return " ".join(parts)

    # --- geometry -----------------------------------------------------------------

    def geometry_for_font(self) -> Geometry:
        metrics = QFontMetrics(self.font())
        names = self.row_names()
        marked = [f"{WARNING_SIGN} {name}" for name in names]
        label_width = min(max((metrics.horizontalAdvance(n) for n in marked), default=0),
                          metrics.averageCharWidth() * LABEL_MAX_CHARS) + 2 * GAP
        widest = max((metrics.horizontalAdvance(month_short(m)) for m in self._months()), default=0)
        cell_width = max(widest + 2 * GAP, metrics.horizontalAdvance("000") + 2 * GAP,
                         metrics.height() * 2)
        cell_height = metrics.height() + GAP
        header_height = 2 * metrics.height() + GAP
        return Geometry(label_width, header_height, cell_width, cell_height, len(names),
                        len(self._months()))

    def cell_rect(self, row: int, column: int) -> QRect:
        return self.geometry_for_font().cell(row, column)

    def cell_at(self, point: QPoint) -> tuple[int, int] | None:
        """The (row, column) under ``point``, or None outside the grid."""
        if self._coverage is None:
            return None
        geometry = self.geometry_for_font()
        if not geometry.grid().contains(point):
            return None
        return ((point.y() - geometry.header_height) // geometry.cell_height,
                (point.x() - geometry.label_width) // geometry.cell_width)

    def sizeHint(self) -> QSize:
        if self._coverage is None or not self._coverage.months:
            return QSize(0, 0)
        return self.geometry_for_font().size()

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def _months(self) -> tuple[str, ...]:
        return self._coverage.months if self._coverage is not None else ()

    # --- tooltips and painting ------------------------------------------------------

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            cell = self.cell_at(event.pos())
            if cell is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self.tooltip_for(*cell), self,
                                  self.cell_rect(*cell))
            return True
        return super().event(event)

    def paintEvent(self, _event) -> None:
        if self._coverage is None or not self._coverage.months:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        geometry = self.geometry_for_font()
        most = max((max(row) for row in self._coverage.counts if row), default=0)
        for column in range(geometry.columns):
            self._paint_month(painter, geometry, column)
        for row in range(geometry.rows):
            self._paint_row_label(painter, geometry, row)
            for column in range(geometry.columns):
                self._paint_cell(painter, geometry, row, column, most)
        painter.end()

    def _paint_month(self, painter: QPainter, geometry: Geometry, column: int) -> None:
        """The month's name; beneath it the year (first month and January) and ⚠ if it has no notes."""
        palette, rect, month = self.palette(), geometry.column_label(column), self._coverage.months[column]
        top, bottom = rect.adjusted(0, 0, 0, -rect.height() // 2), rect.adjusted(0, rect.height() // 2, 0, 0)
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        painter.drawText(top, Qt.AlignmentFlag.AlignCenter, month_short(month))
        empty = self.is_empty_month(column)
        year = month[:4] if column == 0 or month.endswith("-01") else ""
        painter.setPen(warning_colour(palette) if empty else palette.color(QPalette.ColorRole.PlaceholderText))
        beneath = " ".join(filter(None, [year, WARNING_SIGN if empty else ""]))
        painter.drawText(bottom, Qt.AlignmentFlag.AlignCenter, beneath)
        if empty:
            self._hatch(painter, geometry.cell(0, column).united(geometry.cell(geometry.rows - 1, column)))

    def _hatch(self, painter: QPainter, rect: QRect) -> None:
        palette = self.palette()
        painter.fillRect(rect, QBrush(blend(palette.color(QPalette.ColorRole.Base), warning_colour(palette), 0.35),
                                      Qt.BrushStyle.BDiagPattern))

    def _paint_row_label(self, painter: QPainter, geometry: Geometry, row: int) -> None:
        palette, rect = self.palette(), geometry.row_label(row)
        name = self.row_names()[row]
        flagged = self.is_without_evidence(row)
        text = f"{WARNING_SIGN} {name}" if flagged else name
        colour = warning_colour(palette) if flagged else palette.color(QPalette.ColorRole.WindowText)
        if not self._coverage.competencies[row][0]:
            colour = palette.color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(colour)
        elided = QFontMetrics(self.font()).elidedText(text, Qt.TextElideMode.ElideRight, rect.width() - GAP)
        painter.drawText(rect.adjusted(GAP, 0, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         elided)

    def _paint_cell(self, painter: QPainter, geometry: Geometry, row: int, column: int, most: int) -> None:
        palette, count = self.palette(), self.count(row, column)
        rect = geometry.cell(row, column).adjusted(1, 1, -1, -1)
        if count:
            fill = cell_colour(palette, count, most)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(rect, 3, 3)
            painter.setPen(readable_on(fill, palette))
        else:
            painter.setPen(blend(palette.color(QPalette.ColorRole.Base),
                                 palette.color(QPalette.ColorRole.Text), 0.15))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 3, 3)
            painter.setPen(blend(palette.color(QPalette.ColorRole.Base),
                                 palette.color(QPalette.ColorRole.Text), 0.4))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.cell_text(row, column))


def cell_colour(palette: QPalette, count: int, most: int) -> QColor:
    """A tint of the palette's highlight, deeper the more notes; one note is already visible."""
    share = 0.25 + 0.75 * (count / most if most else 0)
    return blend(palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Highlight),
                 share * (0.85 if is_dark(palette) else 0.9))


def readable_on(fill: QColor, palette: QPalette) -> QColor:
    """Black or white text, whichever reads better on ``fill``."""
    light = palette.color(QPalette.ColorRole.HighlightedText)
    dark = palette.color(QPalette.ColorRole.Text)
    if light.lightness() < dark.lightness():
        light, dark = dark, light
    return dark if fill.lightness() > 140 else light


def warning_colour(palette: QPalette) -> QColor:
    """An amber that reads on the palette's base, for the gaps a manager should notice."""
    return QColor.fromHsl(35, 200, 170) if is_dark(palette) else QColor.fromHsl(30, 200, 80)


class CoverageWarnings(QWidget):
    """The coverage warnings under the map, one line with a warning icon each."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAccessibleName("Coverage warnings")
        QVBoxLayout(self).setContentsMargins(0, 0, 0, 0)

    def show_warnings(self, warnings) -> None:
        """Show ``warnings`` (a Coverage's), runs of one kind merged into one line."""
        while (item := self.layout().takeAt(0)) is not None:
            item.widget().hide()
            item.widget().deleteLater()
        size = QFontMetrics(self.font()).height()
        pixmap = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size)
        for text in merged_warnings(warnings):
            self.layout().addWidget(_warning_line(pixmap, text))
        self.setVisible(bool(warnings))

    def lines(self) -> list[str]:
        return [self.layout().itemAt(i).widget().findChildren(QLabel)[1].text()
                for i in range(self.layout().count())]


def merged_warnings(warnings) -> list[str]:
    """The warnings, with runs of one kind ("No evidence for A", "… B") said in one line."""
    merged: list[tuple[str, list[str]]] = []
    for warning in warnings:
        lead = next((lead for lead in MERGED_LEADS if warning.startswith(lead)), "")
        if lead and merged and merged[-1][0] == lead:
            merged[-1][1].append(warning[len(lead):])
        else:
            merged.append((lead, [warning[len(lead):]]))
    return [lead + _and_list(items) for lead, items in merged]


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _warning_line(pixmap, text: str) -> QWidget:
    line = QWidget()
    line.setAccessibleName(f"Warning: {text}")
    icon, words = QLabel(), QLabel(text)
    icon.setPixmap(pixmap)
    icon.setAccessibleName("Warning")
    words.setWordWrap(True)
    words.setAccessibleName(f"Warning: {text}")
    words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    row = QHBoxLayout(line)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
    row.addWidget(words, 1)
    return line


class CoverageView(QScrollArea):
    """The map with its warnings beneath, scrolling when the period is long or the room small."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.heatmap, self.warnings = CoverageHeatmap(), CoverageWarnings()
        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(self.heatmap)
        column.addWidget(self.warnings)
        column.addStretch(1)
        self.setAccessibleName("Coverage")
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)

    def set_coverage(self, coverage: Coverage | None) -> None:
        self.heatmap.set_coverage(coverage)
        self.warnings.show_warnings(coverage.warnings if coverage is not None else ())

    def wanted_height(self) -> int:
        """The height that shows the whole map and every warning without scrolling."""
        return self.widget().sizeHint().height() + 2 * self.frameWidth()
