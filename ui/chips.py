"""How a note looks and is edited in the timeline: a card with its date, chips and text.

The timeline's delegate needs the same geometry three times — for its size
hint, for painting and for placing the inline editor — so the card layout
is computed once, here, next to the delegate that paints and edits it
(the text in place; kind, competencies and date through a small menu and
dialog).
Colours come from the widget's palette (chip tints are chosen for a light
or a dark base), so the timeline follows the system theme without a
hard-coded black or white anywhere.
"""

from dataclasses import dataclass

from PySide6.QtCore import QDate, QLocale, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QActionGroup, QColor, QFont, QFontMetrics, QPainter, QPalette, QTextLayout, QTextOption
from PySide6.QtWidgets import (
    QAbstractItemDelegate, QDateEdit, QDialog, QDialogButtonBox, QListView, QMenu, QPlainTextEdit,
    QStyle, QStyledItemDelegate, QVBoxLayout,
)

from app.domain.records import NOTE_KIND_LABELS, NOTE_KINDS

NoteRole = Qt.ItemDataRole.UserRole + 1
"""The row's ``Note``; None on a month's header row."""
MonthRole = Qt.ItemDataRole.UserRole + 2
"""``"YYYY-MM"`` on a month's header row; None on a note."""
HeaderRole = Qt.ItemDataRole.UserRole + 3
"""A header row's (month title, note count) texts."""
CompetencyNamesRole = Qt.ItemDataRole.UserRole + 4
"""A note's competency names, in the order the competencies are listed."""

KIND_LABELS = NOTE_KIND_LABELS
# A hue per kind, so a concern never looks like praise at a glance.
_KIND_HUES = {
    "observation": 210, "praise": 130, "concern": 10, "feedback_given": 275,
    "one_on_one": 185, "personal": 320, "other": 45,
}

PAD_X, PAD_Y, GAP = 12, 8, 6
CHIP_PAD_X, CHIP_PAD_Y, CHIP_LINE_GAP = 7, 2, 4
MIN_WIDTH = 160


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def kind_colours(kind: str, palette: QPalette) -> tuple[QColor, QColor]:
    """Background and text colour of a kind chip, tinted for the palette's base."""
    hue = _KIND_HUES.get(kind, 45)
    if is_dark(palette):
        return QColor.fromHsl(hue, 90, 70), QColor.fromHsl(hue, 170, 215)
    return QColor.fromHsl(hue, 150, 228), QColor.fromHsl(hue, 170, 58)


def competency_colours(palette: QPalette) -> tuple[QColor, QColor]:
    """Competency chips: a quiet blend of the palette's base and text colours."""
    base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
    return blend(base, text, 0.12), text


def blend(a: QColor, b: QColor, amount: float) -> QColor:
    return QColor.fromRgbF(*(x + (y - x) * amount for x, y in zip(a.getRgbF()[:3], b.getRgbF()[:3])))


def chip_font(font: QFont) -> QFont:
    """Chips are set a little smaller than the note text."""
    smaller = QFont(font)
    if font.pointSizeF() > 0:
        smaller.setPointSizeF(font.pointSizeF() * 0.88)
    else:
        smaller.setPixelSize(max(8, round(font.pixelSize() * 0.88)))
    return smaller


def wrapped_text(text: str, font: QFont, width: int) -> tuple[QTextLayout, int]:
    """The note text laid out to ``width``; long words (links) break anywhere rather than overflow."""
    layout = QTextLayout(text.replace("\n", "\u2028"), font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    height = 0.0
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width)
        line.setPosition(QPointF(0, height))
        height += line.height()
    layout.endLayout()
    return layout, int(height + 0.999)


@dataclass
class NoteCard:
    """Where each part of one note goes, relative to the top-left of its row."""

    date_text: str
    date_rect: QRect
    chips: list[tuple[str, QRect]]   # the kind chip first, then competencies
    text: QTextLayout
    text_rect: QRect
    height: int
    small_font: QFont


def card_layout(font: QFont, width: int, date_text: str, chip_texts: list[str], text: str,
                min_text_lines: int = 0) -> NoteCard:
    """Lay a note out in a row ``width`` wide; ``min_text_lines`` reserves room for an editor."""
    width = max(width, MIN_WIDTH)
    small = chip_font(font)
    chip_height = QFontMetrics(small).height() + 2 * CHIP_PAD_Y
    date_rect = QRect(PAD_X, PAD_Y, QFontMetrics(font).horizontalAdvance(date_text), chip_height)
    chips = _flow_chips(QFontMetrics(small), chip_texts, date_rect.right() + 1 + GAP, PAD_Y,
                        width - PAD_X, chip_height)
    head_bottom = max([date_rect.bottom()] + [rect.bottom() for _, rect in chips]) + 1
    text_width = width - 2 * PAD_X
    layout, text_height = wrapped_text(text, font, text_width)
    text_height = max(text_height, min_text_lines * QFontMetrics(font).lineSpacing())
    text_rect = QRect(PAD_X, head_bottom + GAP, text_width, text_height)
    return NoteCard(date_text, date_rect, chips, layout, text_rect,
                    text_rect.bottom() + 1 + PAD_Y, small)


def _flow_chips(metrics: QFontMetrics, texts: list[str], left: int, top: int, right: int,
                height: int) -> list[tuple[str, QRect]]:
    """Chips side by side from ``left``, wrapping back to ``left`` when a line is full."""
    placed, x, y = [], left, top
    for text in texts:
        width = metrics.horizontalAdvance(text) + 2 * CHIP_PAD_X
        if x > left and x + width > right:
            x, y = left, y + height + CHIP_LINE_GAP
        placed.append((text, QRect(x, y, width, height)))
        x += width + GAP
    return placed


def colour_group(option) -> QPalette.ColorGroup:
    active = option.state & QStyle.StateFlag.State_Active
    return QPalette.ColorGroup.Active if active else QPalette.ColorGroup.Inactive


def paint_card(painter: QPainter, option, card: NoteCard, kind: str) -> None:
    """Paint one note in ``option.rect``: background, date, chips, then the wrapped text."""
    palette, group = option.palette, colour_group(option)
    selected = bool(option.state & QStyle.StateFlag.State_Selected)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    _paint_background(painter, option, selected)
    painter.translate(option.rect.topLeft())
    text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
    dim_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
    painter.setFont(option.font)
    painter.setPen(palette.color(group, dim_role))
    painter.drawText(card.date_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     card.date_text)
    painter.setFont(card.small_font)
    for position, (text, rect) in enumerate(card.chips):
        colours = kind_colours(kind, palette) if position == 0 else competency_colours(palette)
        paint_chip(painter, rect, text, *colours)
    painter.setPen(palette.color(group, text_role))
    card.text.draw(painter, QPointF(card.text_rect.topLeft()))
    painter.restore()


def _paint_background(painter: QPainter, option, selected: bool) -> None:
    palette, group, rect = option.palette, colour_group(option), option.rect
    if selected:
        painter.fillRect(rect, palette.color(group, QPalette.ColorRole.Highlight))
    elif option.state & QStyle.StateFlag.State_MouseOver:
        painter.fillRect(rect, palette.color(group, QPalette.ColorRole.AlternateBase))
    painter.setPen(blend(palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text), 0.15))
    painter.drawLine(rect.left() + PAD_X, rect.bottom(), rect.right() - PAD_X, rect.bottom())


def paint_chip(painter: QPainter, rect: QRect, text: str, background: QColor, foreground: QColor) -> None:
    """A rounded label: one kind or one competency."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(background)
    radius = rect.height() / 2
    painter.drawRoundedRect(QRectF(rect), radius, radius)
    painter.setPen(foreground)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


def header_height(font: QFont) -> int:
    return QFontMetrics(font).height() + 2 * PAD_Y + GAP


def paint_header(painter: QPainter, option, title: str, count: str) -> None:
    """A month's header: the month in bold, how many notes beside it, a rule beneath."""
    palette, group = option.palette, colour_group(option)
    rect = option.rect.adjusted(PAD_X, GAP, -PAD_X, 0)
    bold = QFont(option.font)
    bold.setBold(True)
    painter.save()
    painter.setFont(bold)
    painter.setPen(palette.color(group, QPalette.ColorRole.WindowText))
    painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
    painter.setFont(option.font)
    painter.setPen(palette.color(group, QPalette.ColorRole.PlaceholderText))
    count_rect = rect.adjusted(QFontMetrics(bold).horizontalAdvance(title) + GAP, 0, 0, 0)
    painter.drawText(count_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"· {count}")
    painter.setPen(palette.color(group, QPalette.ColorRole.Mid))
    painter.drawLine(rect.left(), option.rect.bottom(), rect.right(), option.rect.bottom())
    painter.restore()


def month_title(month: str) -> str:
    """``"2026-11"`` → ``"November 2026"`` in the user's language."""
    year, number = month.split("-")
    return f"{QLocale().standaloneMonthName(int(number))} {year}"


def date_label(date: str) -> str:
    return QLocale().toString(QDate.fromString(date, Qt.DateFormat.ISODate), "ddd d MMM")


class NoteDelegate(QStyledItemDelegate):
    """Paints month headers and note cards, and edits a note's text in place.

    Enter adds a line; Ctrl+Enter or leaving the editor saves; Esc cancels.
    """

    sig_text_edited = Signal(str, str)
    """The manager finished editing a note's text. Arguments: note id, the new text."""

    sig_editor_opened = Signal(str)
    """An inline editor opened. Argument: the note's id."""

    sig_editor_closed = Signal(str)
    """The inline editor closed (saved or not). Argument: the note's id."""

    EDITOR_LINES = 4
    HEIGHTS_KEPT = 20_000

    def __init__(self, view: QListView):
        super().__init__(view)
        self._view = view
        self._heights: dict[tuple, int] = {}
        self.editor: QPlainTextEdit | None = None
        self.editing_note_id: str | None = None

    def forget(self) -> None:
        """Drop the measured heights (they are keyed by the notes, text included)."""
        self._heights.clear()

    def _card(self, option, index, width: int):
        note = index.data(NoteRole)
        lines = self.EDITOR_LINES if note.id == self.editing_note_id else 0
        chips = [kind_label(note.kind), *index.data(CompetencyNamesRole)]
        return card_layout(option.font, width, date_label(note.date), chips, note.text, lines)

    def sizeHint(self, option, index) -> QSize:
        # Every row is measured on each relayout; laying out text is the slow part, so
        # heights are remembered per note, width and font.
        width, note = self._view.viewport().width(), index.data(NoteRole)
        if note is None:
            return QSize(width, header_height(option.font))
        key = (note, tuple(index.data(CompetencyNamesRole)), width, option.font.key(),
               note.id == self.editing_note_id)
        if key not in self._heights:
            if len(self._heights) >= self.HEIGHTS_KEPT:
                self._heights.clear()
            self._heights[key] = self._card(option, index, width).height
        return QSize(width, self._heights[key])

    def paint(self, painter, option, index) -> None:
        if index.data(MonthRole) is not None:
            paint_header(painter, option, *index.data(HeaderRole))
        else:
            card = self._card(option, index, option.rect.width())
            paint_card(painter, option, card, index.data(NoteRole).kind)

    def createEditor(self, parent, option, index):
        note = index.data(NoteRole)
        if note is None:
            return None
        editor = QPlainTextEdit(parent)
        editor.setAccessibleName("Note text")
        editor.setAccessibleDescription("Ctrl+Enter saves, Esc cancels")
        editor.setTabChangesFocus(True)
        self.editor, self.editing_note_id = editor, note.id
        self.sizeHintChanged.emit(index)  # the row grows to make room for typing
        self.sig_editor_opened.emit(note.id)
        return editor

    def setEditorData(self, editor, index) -> None:
        # The view calls this again whenever the row changes; never overwrite what is being typed.
        if editor.property("trellis_loaded"):
            return
        editor.setProperty("trellis_loaded", True)
        editor.setPlainText(index.data(NoteRole).text)
        editor.moveCursor(editor.textCursor().MoveOperation.End)

    def setModelData(self, editor, model, index) -> None:
        note = index.data(NoteRole)
        if note is not None and editor.toPlainText() != note.text:
            self.sig_text_edited.emit(note.id, editor.toPlainText())

    def updateEditorGeometry(self, editor, option, index) -> None:
        card = self._card(option, index, option.rect.width())
        editor.setGeometry(card.text_rect.translated(option.rect.topLeft()).adjusted(-4, -4, 4, 4))

    def destroyEditor(self, editor, index) -> None:
        note_id = self.editing_note_id
        self.editor = self.editing_note_id = None
        super().destroyEditor(editor, index)
        if index.isValid():
            self.sizeHintChanged.emit(index)
        if note_id is not None:
            self.sig_editor_closed.emit(note_id)

    def eventFilter(self, editor, event) -> bool:
        if _is_ctrl_enter(event):
            if event.type() == event.Type.ShortcutOverride:
                event.accept()  # ours, even if the window binds Ctrl+Enter too
                return True
            self.commitData.emit(editor)
            if editor.toPlainText().strip():  # empty text is refused and the editor stays
                self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            return True
        if event.type() == event.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return False  # a plain Enter is a new line in the note
        return super().eventFilter(editor, event)


def _is_ctrl_enter(event) -> bool:
    return (event.type() in (event.Type.KeyPress, event.Type.ShortcutOverride)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier))


def ask_date(parent, current: str, *, session=None) -> str | None:
    """Ask for a note's new date; None if the manager cancelled (or the app locked)."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Change the note's date")
    editor = QDateEdit(QDate.fromString(current, Qt.DateFormat.ISODate))
    editor.setCalendarPopup(True)
    editor.setDisplayFormat("yyyy-MM-dd")
    editor.setAccessibleName("Note date")
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(editor)
    layout.addWidget(buttons)
    if session is not None:
        session.sig_locked.connect(dialog.reject)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    chosen = editor.date().toString(Qt.DateFormat.ISODate)
    dialog.deleteLater()
    return chosen if accepted else None


def note_menu(parent, note, competencies: dict[str, str], edit_note, *, edit, date, trash) -> QMenu:
    """A note's context menu: the ``edit``, ``date`` and ``trash`` actions around its details.

    Choosing a kind or ticking a competency calls ``edit_note(note_id, kind=…)``
    or ``edit_note(note_id, competencies=…)``.
    """
    menu = QMenu(parent)
    menu.setAccessibleName("Note actions")
    menu.addAction(edit)
    kinds = _submenu(menu, "Kind")
    group = QActionGroup(kinds)
    for kind in NOTE_KINDS:
        action = _checkable(kinds, kind_label(kind), kind == note.kind)
        group.addAction(action)
        action.triggered.connect(lambda _=False, k=kind: edit_note(note.id, kind=k))
    tags = _submenu(menu, "Competencies")
    tags.setEnabled(bool(competencies))
    for cid, name in competencies.items():
        action = _checkable(tags, name, cid in note.competencies)
        action.toggled.connect(
            lambda on, c=cid: edit_note(note.id, competencies=_toggled(note.competencies, c, on)))
    menu.addAction(date)
    menu.addSeparator()
    menu.addAction(trash)
    return menu


def _submenu(menu: QMenu, title: str) -> QMenu:
    submenu = menu.addMenu(title)
    submenu.setAccessibleName(title)
    return submenu


def _checkable(menu: QMenu, text: str, checked: bool):
    action = menu.addAction(text)
    action.setCheckable(True)
    action.setChecked(checked)
    return action


def _toggled(competencies: tuple[str, ...], competency_id: str, on: bool) -> tuple[str, ...]:
    chosen = set(competencies) | {competency_id} if on else set(competencies) - {competency_id}
    return tuple(sorted(chosen))
