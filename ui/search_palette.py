"""Search (Ctrl+K): find a note by what it says, as you type, and jump to it.

A palette rather than a search page because the manager is usually in the
middle of something else: it pops up over the window, keeps the focus in
its one line edit (Up/Down move through results, Enter jumps, Esc goes
back) and disappears.

Snippets come from the store with match marks around the typed words. The
note text is the manager's, not HTML: it is escaped first and only then
are the marks turned into bold, so a note that says ``<script>`` or
``R&D`` shows exactly that.
"""

import html

from PySide6.QtCore import QAbstractListModel, QEvent, QModelIndex, QRectF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAbstractTextDocumentLayout, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QApplication, QDialog, QFrame, QLabel, QLineEdit, QListView, QStyle, QStyledItemDelegate,
    QStyleOptionViewItem, QVBoxLayout,
)

from app.domain.dates import near_date
from app.domain.records import SearchHit

from .notices import Change
from .chips import kind_label
from . import operations
from .operations import Operation, in_pool
from .session import Session

SEARCH_DELAY_MS = 80
"""Quiet time after a keystroke before searching; the search itself takes about 1 ms."""

RESULT_LIMIT = 20
# Control characters cannot come out of html.escape or be typed into a
# note by accident, so they survive escaping and mark exactly the matches.
MARK = ("\x02", "\x03")
HINT = "Type to search every note. ↑ ↓ to choose, Enter to open, Esc to close."
NO_MATCH = "No notes match"

HitRole = Qt.ItemDataRole.UserRole + 1
"""Item data role holding the row's ``SearchHit``."""

HtmlRole = Qt.ItemDataRole.UserRole + 2
"""Item data role holding the row's snippet as safe HTML, matches in bold."""


def snippet_html(snippet: str) -> str:
    """The store's marked snippet as HTML: text escaped, matches in <b>, on one line."""
    flat = " ".join(snippet.split())
    return html.escape(flat).replace(MARK[0], "<b>").replace(MARK[1], "</b>")


def snippet_text(snippet: str) -> str:
    """The snippet as plain text, marks removed (for screen readers and tooltips)."""
    return " ".join(snippet.replace(MARK[0], "").replace(MARK[1], "").split())


def heading(hit: SearchHit) -> str:
    return f"{hit.person_name} · {near_date(hit.date)} · {kind_label(hit.kind)}"


class SearchHitsModel(QAbstractListModel):
    """Search results, newest first: one row per matching note."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._hits: list[SearchHit] = []

    def reset(self, hits: list[SearchHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        hit = self._hits[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{heading(hit)}\n{snippet_text(hit.snippet)}"
        if role == HtmlRole:
            return snippet_html(hit.snippet)
        if role == HitRole:
            return hit
        return None


class SearchHitDelegate(QStyledItemDelegate):
    """Draws a result as two lines of rich text: who, when, what kind; then the snippet."""

    PADDING = 6

    def document(self, option, index) -> QTextDocument:
        """The row as a laid-out rich-text document, as it is painted."""
        hit = index.data(HitRole)
        muted = option.palette.color(QPalette.ColorRole.PlaceholderText).name()
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setDocumentMargin(self.PADDING)
        doc.setHtml(f'<div style="color:{muted}">{html.escape(heading(hit))}</div>'
                    f"<div>{index.data(HtmlRole)}</div>")
        doc.setTextWidth(max(option.rect.width(), 200))
        return doc

    def paint(self, painter, option, index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        self._paint_text(painter, opt, index)

    def _paint_text(self, painter, opt, index) -> None:
        doc = self.document(opt, index)
        context = QAbstractTextDocumentLayout.PaintContext()
        if opt.state & QStyle.StateFlag.State_Selected:
            context.palette.setColor(QPalette.ColorRole.Text,
                                     opt.palette.color(QPalette.ColorRole.HighlightedText))
        painter.save()
        painter.translate(opt.rect.topLeft())
        painter.setClipRect(QRectF(0, 0, opt.rect.width(), opt.rect.height()))
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        doc = self.document(option, index)
        return QSize(int(doc.idealWidth()), int(doc.size().height()))


class SearchPalette(QDialog):
    """A popup over the window: a search line and the notes that match it."""

    sig_note_chosen = Signal(str, str)
    """The manager picked a result. Arguments: note id, person id."""

    def __init__(self, session: Session, parent=None):
        super().__init__(parent, Qt.WindowType.Dialog | Qt.WindowType.FramelessWindowHint)
        self.session = session
        self.setWindowTitle("Search notes")
        self.setAccessibleName("Search notes")
        self.setMinimumWidth(560)
        self.hits_model = SearchHitsModel(self)
        self._searching: Operation | None = None  # the search running off the GUI thread
        self._choose_when_found = False
        self._shown_query: str | None = None  # the query whose answer the list shows
        self._build()
        self._start_debounce()
        session.sig_locked.connect(self.on_locked)
        session.listen(self.on_data_changed, Change.NOTES, Change.PEOPLE, Change.SAMPLE)
        self._show_status(HINT)

    def _build(self) -> None:
        self.query_edit = self._query_line()
        self.results_view = self._results_list()
        self.status_label = QLabel()
        self.status_label.setAccessibleName("Search status")
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status_label.setWordWrap(True)
        frame = QFrame(self)
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        inner = QVBoxLayout(frame)
        for widget in (self.query_edit, self.status_label, self.results_view):
            inner.addWidget(widget)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)

    def _query_line(self) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName("Search notes")
        edit.setPlaceholderText("Search notes")
        edit.setClearButtonEnabled(True)
        edit.installEventFilter(self)
        edit.textChanged.connect(self.on_query_edited)
        return edit

    def _results_list(self) -> QListView:
        view = QListView()
        view.setAccessibleName("Search results")
        view.setModel(self.hits_model)
        view.setItemDelegate(SearchHitDelegate(view))
        view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        view.setMinimumHeight(320)
        view.clicked.connect(self.on_result_clicked)
        return view

    def _start_debounce(self) -> None:
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.on_search_due)

    # ------------------------------------------------------------ opening

    def popup(self) -> None:
        """Show the palette empty near the top of its parent, focus in the search line."""
        self.clear()
        self._place_over_parent()
        self.show()
        self.raise_()
        self.activateWindow()
        self.query_edit.setFocus()

    def _place_over_parent(self) -> None:
        window = self.parentWidget().window() if self.parentWidget() else None
        if window is None:
            return
        self.adjustSize()
        frame = window.frameGeometry()
        self.move(frame.center().x() - self.width() // 2, frame.top() + frame.height() // 8)

    def clear(self) -> None:
        """Forget the query and the results."""
        self.search_timer.stop()
        self._forget_search()
        self.query_edit.blockSignals(True)
        self.query_edit.clear()
        self.query_edit.blockSignals(False)
        self.hits_model.reset([])
        self._shown_query = None
        self._show_status(HINT)

    # ------------------------------------------------------------ searching

    def on_query_edited(self, _text: str) -> None:
        self.search_timer.start()

    def on_search_due(self) -> None:
        """Search what is typed, on the thread pool with a connection of its own (a search over
        long notes can take a tenth of a second; typing never waits for it)."""
        self.search_timer.stop()
        query = self.query_edit.text()
        store = self.session.store
        self._forget_search()
        if store is None or not query.strip():
            self._show_hits([], query)
            return

        def work(_progress, _stop):
            with store.for_this_thread() as own:
                return query, own.search(query, limit=RESULT_LIMIT, mark=MARK)
        self._searching = in_pool(work, quick=True, done=self.on_found,
                                  failed=self.on_search_failed)

    @property
    def searching(self) -> bool:
        return operations.is_running(self._searching)

    @Slot(object)
    def on_found(self, result) -> None:
        query, hits = result
        if query != self.query_edit.text():
            return  # typed on meanwhile: the newer search will answer
        self._show_hits(hits, query)
        if self._choose_when_found:
            self._choose_when_found = False
            self.choose(self.results_view.currentIndex())

    @Slot(str)
    def on_search_failed(self, reason: str) -> None:
        self._choose_when_found = False
        self.hits_model.reset([])
        self._shown_query = None
        self._show_status(reason)

    def _show_hits(self, hits, query: str) -> None:
        self.hits_model.reset(hits)
        self._shown_query = query
        if hits:
            self.results_view.setCurrentIndex(self.hits_model.index(0))
        self._show_status(None if hits else NO_MATCH if query.strip() else HINT)

    def _forget_search(self) -> None:
        if self._searching is not None:
            self._searching.abandon()
            self._searching = None

    def _show_status(self, message: str | None) -> None:
        self.status_label.setText(message or "")
        self.status_label.setVisible(message is not None)
        self.results_view.setVisible(message is None)

    def on_data_changed(self, _notice) -> None:
        """Keep visible results true to the store after an edit elsewhere."""
        if self.isVisible() and self.query_edit.text().strip():
            self.on_search_due()

    # ------------------------------------------------------------ choosing

    def eventFilter(self, watched, event) -> bool:
        if watched is self.query_edit and event.type() == QEvent.Type.KeyPress:
            if self._handle_key(event.key()):
                return True
        return super().eventFilter(watched, event)

    def _handle_key(self, key: int) -> bool:
        steps = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1,
                 Qt.Key.Key_PageDown: 5, Qt.Key.Key_PageUp: -5}
        if key in steps:
            self.move_selection(steps[key])
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.choose_current()
            return True
        return False

    def move_selection(self, step: int) -> None:
        """Move the highlighted result by ``step`` rows, stopping at either end."""
        rows = self.hits_model.rowCount()
        if rows == 0:
            return
        row = min(max(self.results_view.currentIndex().row() + step, 0), rows - 1)
        self.results_view.setCurrentIndex(self.hits_model.index(row))

    def choose_current(self) -> None:
        """Open the highlighted result; search first if the last keystroke is not searched yet.

        What counts is whether the list answers what is typed, not whether a search is still
        winding down: a search's answer arrives a moment before its thread says it has ended,
        and Enter pressed in between must open the highlighted row, not wait for an answer
        that has already come."""
        if self.search_timer.isActive():
            self.on_search_due()
        if self._shown_query != self.query_edit.text() and self.searching:
            self._choose_when_found = True  # chosen as soon as the search answers
            return
        self.choose(self.results_view.currentIndex())

    def on_result_clicked(self, index: QModelIndex) -> None:
        self.choose(index)

    def choose(self, index: QModelIndex) -> None:
        hit = index.data(HitRole) if index.isValid() else None
        if hit is None:
            return
        self.accept()
        self.sig_note_chosen.emit(hit.note_id, hit.person_id)

    def changeEvent(self, event) -> None:
        """Like a popup: clicking back into the window (or anywhere else) closes it."""
        super().changeEvent(event)
        if (event.type() == QEvent.Type.ActivationChange and self.isVisible()
                and not self.isActiveWindow()):
            self.reject()

    def on_locked(self) -> None:
        """Locking empties the palette: no query, no snippets, nothing shown."""
        self.clear()
        self.reject()
