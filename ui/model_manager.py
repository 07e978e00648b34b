"""The model manager: which models Trellis knows and has, whether they are intact, add or remove.

Why this module exists: a manager or IT adds larger GGUF models than the
shipped one, and must be able to trust them. The dialog lists the catalog
and the installed models (size, quantisation, context, RAM needed, hash
status, the default) in a table model over ``app.llm.registry``; adds a
file chosen with a file picker or dropped on the dialog; verifies hashes;
removes models the user added. Copying, hashing and deleting gigabytes
never run on the UI thread: an operation (``ui.operations.in_pool``) runs them
on Qt's thread pool and reports progress, success or the refusal (the registry's and the
GGUF reader's own message, e.g. for a file that is not a model) by signal.
When the organisation's policy turns adding models off (DisableModelImport),
"Add model…" is disabled with the reason and dropped files are refused.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
    QMessageBox, QProgressBar, QPushButton, QTableView, QVBoxLayout,
)

from app.errors import TrellisError
from app.llm.catalog import read_catalog
from app.llm.registry import InstalledModel, add_model, check_hash, installed_models, remove_model
from app.paths import data_home
from app.reviews.model_fit import check_model, fit_for
from app import policy as policies
from app.policy import LOCKED_LABEL

from .operations import Operation, in_pool
from .session import Session
from .settings_dialog import InlineMessage

COLUMNS = ("Name", "Size", "Quantisation", "Context", "RAM needed", "Hash", "Passes checks",
           "Default")
NUMERIC_COLUMNS = {1, 3, 4}
Progress = Callable[[int, int], None]


# --- rows ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ModelRow:
    """One line of the table: an installed model, or a catalog model whose file is missing."""
    name: str
    file: str
    size_bytes: int
    quantisation: str
    context_length: int | None
    ram_mb: int | None
    hash_status: str
    is_default: bool
    removable: bool
    fit: str = "not checked"


def hash_status(model: InstalledModel) -> str:
    if model.verified_by == "missing":
        return "missing"
    if model.verified_by == "sha256":
        return "sha256 ok" if model.verified else "mismatch"
    return "verified by size" if model.verified else "size mismatch"


def model_rows(models: list[InstalledModel], home: Path | None = None) -> list[ModelRow]:
    """The installed models, then the catalog's models that are not here."""
    rows = [ModelRow(m.name, m.file, m.size_bytes, m.quantisation, m.context_length, m.ram_mb,
                     hash_status(m), m.is_default, m.removable, fit_text(fit_for(home, m.sha256)))
            for m in models]
    here = {m.file for m in models}
    rows += [ModelRow(e.name, e.file, e.size_bytes, e.quantisation, e.context_length, e.ram_mb,
                      "missing", i == 0, False)
             for i, e in enumerate(read_catalog()) if e.file not in here]
    return rows


def fit_text(fit) -> str:
    """ "12 % of 30" — how often the model's rewordings passed the checks."""
    return "not checked" if fit is None else f"{round(100 * fit.share)} % of {fit.sentences}"


def file_size(size_bytes: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size_bytes >= scale:
            return f"{size_bytes / scale:.1f} {unit}"
    return f"{size_bytes} bytes"


def memory(ram_mb: int | None) -> str:
    if ram_mb is None:
        return "—"
    return f"{ram_mb / 1024:.1f} GB" if ram_mb >= 1024 else f"{ram_mb} MB"


def cells(row: ModelRow) -> tuple[str, ...]:
    context = f"{row.context_length:,}" if row.context_length else "—"
    return (row.name, file_size(row.size_bytes), row.quantisation or "—", context,
            memory(row.ram_mb), row.hash_status, row.fit, "default" if row.is_default else "")


class ModelTableModel(QAbstractTableModel):
    """The rows of the model manager's table."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[ModelRow] = []

    def reset(self, rows: list[ModelRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, index: QModelIndex) -> ModelRow | None:
        return self._rows[index.row()] if index.isValid() else None

    def rows(self) -> list[ModelRow]:
        return list(self._rows)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return cells(row)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.file
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in NUMERIC_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None


# --- work off the UI thread (``ui.operations``) ---------------------------------------------

def percent_reporter(report: Callable[[object], None]) -> Progress:
    """``progress(done, total)`` for the registry's work, as whole percents, each sent once."""
    shown = -1

    def progress(done: int, total: int) -> None:
        nonlocal shown
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        if percent != shown:
            shown = percent
            report(percent)
    return progress


def verify_all(home: Path | None) -> Callable[[Progress], list[InstalledModel]]:
    """Work that re-hashes every installed model, reporting one step per model."""
    def work(progress: Progress) -> list[InstalledModel]:
        models = installed_models(home=home)
        checked = []
        for done, model in enumerate(models, 1):
            checked.append(check_hash(model))
            progress(done, len(models))
        return checked
    return work


# --- the dialog ----------------------------------------------------------------------------

class ModelManagerDialog(QDialog):
    """The table of models, Verify hashes, Add model… (or drop a .gguf), Remove."""

    sig_models_changed = Signal()
    """A model was added or removed (no arguments); the settings' model list is stale."""

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self._session = session
        self._home = Path(session.store.home) if session.store is not None else data_home()
        self._operation: Operation | None = None
        self._policy = policies.current_policy()
        self.setWindowTitle("Models")
        self.setAccessibleName("Models")
        self.setAcceptDrops(True)
        self.resize(820, 360)
        self._build()
        self._connect()
        self.refresh()

    def _build(self) -> None:
        self.table_model = ModelTableModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Models")
        self.table.setModel(self.table_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.verify_button = _button("Verify hashes", "Re-hash every installed model")
        self.add_button = _button("Add model…", "Add a GGUF model file (or drop one here)")
        self.remove_button = _button("Remove", "Remove the selected model you added")
        self.check_button = _button("Check this model",
                                    "Measure how often the selected model's rewordings pass "
                                    "Trellis's checks, on the sample team (about a minute)")
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Progress")
        self.progress_bar.setRange(0, 100)
        self.progress_bar.hide()
        self.status_label = QLabel("Drop a .gguf file here to add it.")
        self.status_label.setAccessibleName("Status")
        self.status_label.setWordWrap(True)
        self.error = InlineMessage("Problem")
        if self.import_disabled:
            self._show_import_locked()
        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        self.setLayout(self._layout())

    def _layout(self) -> QVBoxLayout:
        actions = QHBoxLayout()
        for button in (self.add_button, self.verify_button, self.check_button, self.remove_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout()
        layout.addWidget(self.table)
        layout.addLayout(actions)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error)
        layout.addWidget(self.close_buttons)
        return layout

    def _connect(self) -> None:
        self.verify_button.clicked.connect(self.on_verify_clicked)
        self.add_button.clicked.connect(self.on_add_clicked)
        self.remove_button.clicked.connect(self.on_remove_clicked)
        self.check_button.clicked.connect(self.on_check_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.close_buttons.rejected.connect(self.reject)
        self._session.sig_locked.connect(self.reject)

    # --- listing ---------------------------------------------------------------------

    def refresh(self, models: list[InstalledModel] | None = None) -> None:
        """List the models again (cheap: sizes only, unless verified ``models`` are given)."""
        try:
            rows = model_rows(models if models is not None else installed_models(home=self._home),
                              self._home)
        except TrellisError as exc:
            rows = []
            self.error.show_message(str(exc))
        self.table_model.reset(rows)
        self._update_buttons()

    def selected_row(self) -> ModelRow | None:
        indexes = self.table.selectionModel().selectedRows()
        return self.table_model.row(indexes[0]) if indexes else None

    def select_model(self, name: str) -> None:
        names = [row.name for row in self.table_model.rows()]
        if name in names:
            self.table.selectRow(names.index(name))

    @property
    def busy(self) -> bool:
        return self._operation is not None

    @property
    def import_disabled(self) -> bool:
        return self._policy.disable_model_import

    def _show_import_locked(self) -> None:
        reason = f"{LOCKED_LABEL} ({self._policy.reason('DisableModelImport')})"
        self.add_button.setToolTip(reason)
        self.status_label.setText(f"Adding models is turned off. {reason}.")

    def _update_buttons(self) -> None:
        row = self.selected_row()
        self.add_button.setEnabled(not self.busy and not self.import_disabled)
        self.verify_button.setEnabled(not self.busy)
        self.remove_button.setEnabled(not self.busy and row is not None and row.removable)
        self.check_button.setEnabled(not self.busy and row is not None and row.hash_status != "missing")

    # --- actions ----------------------------------------------------------------------

    @Slot()
    def on_verify_clicked(self) -> None:
        self._start(verify_all(self._home), "Verifying hashes…", self.on_verified)

    @Slot()
    def on_add_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "Add a model", str(Path.home()),
                                                    "GGUF models (*.gguf)")
        if path:
            self.add_file(Path(path))

    def add_file(self, path: Path) -> bool:
        """Copy, hash and record ``path`` off the UI thread; False if busy or turned off."""
        if self.import_disabled:
            self._show_import_locked()
            return False
        home = self._home
        return self._start(lambda progress: add_model(path, progress=progress, home=home),
                           f"Copying and hashing {Path(path).name}…", self.on_added)

    @Slot()
    def on_remove_clicked(self) -> None:
        row = self.selected_row()
        if row is None or not row.removable or not self._confirm_removal(row):
            return
        home = self._home
        self._start(lambda _progress: remove_model(row.file, home=home),
                    f"Removing {row.name}…", self.on_removed)

    @Slot()
    def on_check_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        home = self._home
        model = next(m for m in installed_models(home=home) if m.file == row.file)
        self._start(lambda progress: check_model(model, home=home, on_sentence=progress),
                    f"Checking {row.name}: rewording Trellis's sentences for the sample team…",
                    self.on_checked)

    @Slot(object)
    def on_checked(self, fit) -> None:
        self._finish()
        self.progress_bar.hide()
        self.status_label.setText(fit.summary())
        self.refresh()
        self.select_model(fit.model)

    def _confirm_removal(self, row: ModelRow) -> bool:
        answer = QMessageBox.question(
            self, "Remove model",
            f"Remove {row.name}? Its file ({file_size(row.size_bytes)}) is deleted from "
            f"{self._home / 'models'}.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _start(self, work: Callable[[Progress], object], status: str,
               on_done: Callable[[object], None]) -> bool:
        if self.busy:
            return False
        self.error.show_message("")
        self.status_label.setText(status)
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        self._operation = in_pool(lambda report, _stop: work(percent_reporter(report)),
                                  progress=self.on_progress, done=on_done,
                                  failed=self.on_operation_failed)
        self._update_buttons()
        return True

    @Slot(object)
    def on_progress(self, percent: int) -> None:
        self.progress_bar.setValue(percent)

    # --- results ----------------------------------------------------------------------

    @Slot(object)
    def on_verified(self, models: list[InstalledModel]) -> None:
        self._finish()
        bad = [m.name for m in models if not m.verified]
        self.status_label.setText("Every model matches its sha256." if not bad
                                  else f"Not intact: {', '.join(bad)}.")
        self.refresh(models)

    @Slot(object)
    def on_added(self, model: InstalledModel) -> None:
        self._finish()
        self.status_label.setText(f"Added {model.name} ({file_size(model.size_bytes)}).")
        self.refresh()
        self.select_model(model.name)
        self.sig_models_changed.emit()

    @Slot(object)
    def on_removed(self, model: InstalledModel) -> None:
        self._finish()
        self.status_label.setText(f"Removed {model.name}.")
        self.refresh()
        self.sig_models_changed.emit()

    @Slot(str)
    def on_operation_failed(self, reason: str) -> None:
        self._finish()
        self.progress_bar.hide()
        self.status_label.setText("")
        self.error.show_message(reason)

    def _finish(self) -> None:
        self._operation = None
        self._update_buttons()

    # --- drag and drop ----------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:
        if not self.busy and not self.import_disabled and _dropped_model(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        path = _dropped_model(event.mimeData())
        if path is not None and self.add_file(path):
            event.acceptProposedAction()


def _dropped_model(mime) -> Path | None:
    """The first local ``.gguf`` file among dropped URLs."""
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile() and url.toLocalFile().lower().endswith(".gguf"):
            return Path(url.toLocalFile())
    return None


def _button(text: str, tooltip: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(text.rstrip("…"))
    button.setToolTip(tooltip)
    return button
