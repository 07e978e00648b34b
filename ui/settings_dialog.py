"""Settings: where the data is, which model runs with what resources, when the window locks.

Why this module exists: the manager (or IT, at their side) needs one place
to see where Trellis keeps the team's data and to choose the model, its
threads and context size, and the idle lock. Every value goes through
``app.settings.with_value`` — the checks the CLI and ``load_settings`` use —
so the dialog cannot save a file that Trellis would later refuse; the
reason is shown inline and Save waits until it is fixed. Changing the
model, threads or context makes the bridge close its engine; the next use
loads the new one, without the window waiting.

What the organisation's policy sets is shown as it applies, disabled and
labelled "Set by your organisation" (idle lock, data location); MaxThreads
lowers the threads' maximum and AllowedModels leaves only allowed models in
the list. A locked value is never written into the user's settings.json.

Theme: nothing here (or in the other dialogs of this package) sets a
colour. Widgets draw with the application palette, and since Qt 6.5 Qt
follows the system's light or dark mode by itself (``QStyleHints.
colorScheme``; checked here with the GTK 3 platform theme under Xvfb:
``GTK_THEME=Adwaita:dark`` gives ``Qt.ColorScheme.Dark`` and a dark palette).
"""

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QPushButton, QSpinBox, QStyle, QVBoxLayout, QWidget,
)

from app.errors import InvalidInput, TrellisError
from app.llm.hardware import physical_cores
from app.llm.registry import installed_models, resolve_model
from app.paths import data_home
from app import policy as policies
from app.policy import LOCKED_LABEL
from app.settings import LIMITS, Settings, load_settings, refuse_if_locked, save_settings, with_value
from app.store import keys
from app.store.unlock_pin import has_unlock_pin

from .notices import Change
from .model_bridge import ModelBridge
from .session import Session

ENGINE_FIELDS = ("model", "threads", "context_cap")   # changing these reloads the model
SCHEME_WORDS = {Qt.ColorScheme.Dark: "dark", Qt.ColorScheme.Light: "light"}


def load_or_default(home: Path) -> tuple[Settings, str]:
    """The saved settings, or the defaults and the reason the file could not be used."""
    try:
        return load_settings(home), ""
    except InvalidInput as exc:
        return Settings(), f"{exc}. Saving replaces it."


def appearance_text() -> str:
    scheme = QGuiApplication.styleHints().colorScheme()
    now = SCHEME_WORDS.get(scheme)
    return f"Follows the system (now {now})" if now else "Follows the system"


class InlineMessage(QWidget):
    """A warning icon and a sentence, shown beside a form instead of a pop-up."""

    def __init__(self, accessible_name: str, parent=None):
        super().__init__(parent)
        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setAccessibleName(accessible_name)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.text, 1)
        self.hide()

    def show_message(self, message: str) -> None:
        self.text.setText(message)
        self.setVisible(bool(message))


class SettingsDialog(QDialog):
    """Data location (read-only), model, threads, context size cap, idle lock minutes."""

    sig_saved = Signal(object)
    """Settings were written to settings.json. Argument: the new ``Settings``."""

    def __init__(self, session: Session, bridge: ModelBridge, parent=None):
        super().__init__(parent)
        self._session, self._bridge = session, bridge
        self._home = Path(session.store.home) if session.store is not None else data_home()
        self._saved, problem = load_or_default(self._home)
        self._policy = policies.current_policy()
        self.locked_labels: dict[str, QLabel] = {}
        self.pin_dialog = None
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self._build()
        self._fill(self._saved)
        self._show_policy()
        self._connect()
        self.on_changed()
        if problem:
            self.error.show_message(problem)

    # --- layout ------------------------------------------------------------------------

    def _build(self) -> None:
        self.error = InlineMessage("Problem with the settings")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save settings")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        layout = QVBoxLayout(self)
        self.form = self._form()
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.addRow(self._caption("&Data location", self._location_row()), self._location)
        self.model_combo = self._control(QComboBox(), "Model")
        form.addRow(self._caption("&Model", self.model_combo), self.model_combo)
        self.threads_spin = self._spin("Threads", 0, LIMITS["threads"][1],
                                       f"Automatic ({physical_cores()} physical cores)")
        form.addRow(self._caption("&Threads", self.threads_spin), self.threads_spin)
        # From 1, not 512: a value below the limit reaches with_value and is explained.
        self.context_spin = self._spin("Context size cap", 1, LIMITS["context_cap"][1], "")
        self.context_spin.setSuffix(" tokens")
        self.context_spin.setSingleStep(512)
        form.addRow(self._caption("&Context size cap", self.context_spin), self.context_spin)
        self.idle_spin = self._spin("Lock when idle", 0, LIMITS["idle_lock_minutes"][1], "Never")
        self.idle_spin.setSuffix(" minutes")
        form.addRow(self._caption("&Lock when idle", self.idle_spin), self.idle_spin)
        form.addRow("What locking does", self._lock_row())
        self.appearance_label = QLabel(appearance_text())
        self.appearance_label.setAccessibleName("Appearance")
        form.addRow("Appearance", self.appearance_label)
        return form

    def _lock_row(self) -> QWidget:
        """What the lock asks for in this data's key mode, and the unlock PIN's button."""
        self.lock_text = QLabel(lock_explanation(self._home))
        self.lock_text.setWordWrap(True)
        self.lock_text.setAccessibleName("What locking does")
        self.pin_button = self._control(QPushButton("Choose unlock PIN…"), "Choose unlock PIN")
        self.pin_button.clicked.connect(self.on_choose_pin)
        self.pin_button.setVisible(_key_mode(self._home) == "keychain")
        if has_unlock_pin(self._home):
            self.pin_button.setText("Change unlock PIN…")
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.lock_text)
        column.addWidget(self.pin_button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    def on_choose_pin(self) -> None:
        from .unlock_pin_dialog import UnlockPinDialog
        self.pin_dialog = UnlockPinDialog(self._home, self)
        if self.pin_dialog.exec():
            self.pin_button.setText("Change unlock PIN…")
            self.lock_text.setText(lock_explanation(self._home))
        self.pin_dialog = None

    def _pin_button_needed(self) -> bool:
        return _key_mode(self._home) == "keychain" and not has_unlock_pin(self._home)

    def _location_row(self) -> QLineEdit:
        self.location_edit = self._control(QLineEdit(str(self._home)), "Data location")
        self.location_edit.setReadOnly(True)
        self.show_folder_button = self._control(QPushButton("Show in folder"),
                                                "Show the data location in the file manager")
        self.copy_location_button = self._control(QPushButton("Copy path"),
                                                  "Copy the data location")
        self._location = QWidget()
        row = QHBoxLayout(self._location)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.location_edit, self.show_folder_button, self.copy_location_button):
            row.addWidget(widget)
        return self.location_edit

    def _spin(self, name: str, low: int, high: int, special: str) -> QSpinBox:
        spin = self._control(QSpinBox(), name)
        spin.setRange(low, high)
        spin.setSpecialValueText(special)
        spin.setKeyboardTracking(True)
        return spin

    @staticmethod
    def _control(widget: QWidget, accessible_name: str) -> QWidget:
        widget.setAccessibleName(accessible_name)
        return widget

    @staticmethod
    def _caption(text: str, buddy: QWidget) -> QLabel:
        caption = QLabel(text)
        caption.setBuddy(buddy)
        return caption

    def _fill(self, settings: Settings) -> None:
        self._fill_models(settings.model)
        self.threads_spin.setValue(settings.threads or 0)
        self.context_spin.setValue(settings.context_cap)
        self.idle_spin.setValue(settings.idle_lock_minutes)

    def _fill_models(self, chosen: str | None) -> None:
        try:
            models = installed_models(home=self._home)
        except TrellisError as exc:
            models = []
            self.error.show_message(str(exc))
        default = next((m.name for m in models if m.is_default), "")
        self.model_combo.addItem(f"Default ({default})" if default else "Default", None)
        for model in models:
            if not model.is_default and self._policy.model_allowed(model.sha256):
                self.model_combo.addItem(model.name, model.name)
        if chosen and self.model_combo.findData(chosen) < 0:
            missing = any(m.name == chosen for m in models)
            self.model_combo.addItem(f"{chosen} ({'not allowed' if missing else 'not installed'})", chosen)
        self.model_combo.setCurrentIndex(max(0, self.model_combo.findData(chosen)))

    # --- the organisation's policy ---------------------------------------------------------

    def _show_policy(self) -> None:
        form = self.form
        if self._policy.locked("IdleLockMinutes"):
            self.idle_spin.setValue(self._policy.idle_lock_minutes)
            self._lock(form, self.idle_spin, "IdleLockMinutes")
        if self._policy.locked("DataDir"):   # read-only anyway; Show and Copy stay useful
            self._label(form, self._location, "DataDir", LOCKED_LABEL)
        if self._policy.max_threads:
            self.threads_spin.setMaximum(self._policy.max_threads)
            self._label(form, self.threads_spin, "MaxThreads",
                        f"At most {self._policy.max_threads}. {LOCKED_LABEL}")
        if self._policy.allowed_models is not None:
            self._label(form, self.model_combo, "AllowedModels",
                        f"Only models your organisation allows. {LOCKED_LABEL}")

    def _lock(self, form: QFormLayout, widget: QWidget, key: str) -> None:
        widget.setEnabled(False)
        self._label(form, widget, key, LOCKED_LABEL)

    def _label(self, form: QFormLayout, widget: QWidget, key: str, text: str) -> None:
        """A line under ``widget`` saying the organisation set it, with the source as tooltip."""
        reason = f"{LOCKED_LABEL} ({self._policy.reason(key)})"
        widget.setToolTip(reason)
        label = QLabel(text)
        label.setWordWrap(True)
        label.setToolTip(reason)
        label.setAccessibleName(f"{key}: {LOCKED_LABEL}")
        row, _role = form.getWidgetPosition(widget)
        form.insertRow(row + 1, "", label)
        self.locked_labels[key] = label

    def _connect(self) -> None:
        self.model_combo.currentIndexChanged.connect(self.on_changed)
        for spin in (self.threads_spin, self.context_spin, self.idle_spin):
            spin.valueChanged.connect(self.on_changed)
        self.buttons.accepted.connect(self.on_save_clicked)
        self.buttons.rejected.connect(self.reject)
        self.show_folder_button.clicked.connect(self.on_show_folder_clicked)
        self.copy_location_button.clicked.connect(self.on_copy_location_clicked)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self.on_color_scheme_changed)
        self._session.sig_locked.connect(self.reject)

    # --- values ------------------------------------------------------------------------

    def settings(self) -> Settings:
        """The settings the form shows; ``InvalidInput`` with the reason when one is wrong."""
        settings = self._saved
        for key, value, label in (
                ("model", self.model_combo.currentData(), "Model"),
                ("threads", self.threads_spin.value() or None, "Threads"),
                ("context_cap", self.context_spin.value(), "Context size cap"),
                ("idle_lock_minutes", self.idle_spin.value(), "Lock when idle")):
            if key == "idle_lock_minutes" and self._policy.locked("IdleLockMinutes"):
                continue   # the user's own value stays as saved; the policy's applies
            settings = with_value(settings, key, value, where=label)
            refuse_if_locked(key, getattr(settings, key), self._home, self._policy)
        if settings.model is not None:
            resolve_model(settings.model, home=self._home)
        return settings

    @Slot()
    def on_changed(self) -> None:
        try:
            self.settings()
        except TrellisError as exc:
            self.error.show_message(str(exc))
            self.save_button.setEnabled(False)
            return
        self.error.show_message("")
        self.save_button.setEnabled(True)

    @Slot()
    def on_save_clicked(self) -> None:
        try:
            settings = self.settings()
        except (TrellisError, OSError) as exc:
            self.error.show_message(f"Not saved: {exc}")
            return
        turned_on = settings.idle_lock_minutes != self._saved.idle_lock_minutes
        if settings.idle_lock_minutes and turned_on and self._pin_button_needed():
            self.on_choose_pin()  # the idle lock only locks with something to ask for
        try:
            save_settings(settings, self._home)
        except (TrellisError, OSError) as exc:
            self.error.show_message(f"Not saved: {exc}")
            return
        if any(getattr(settings, f) != getattr(self._saved, f) for f in ENGINE_FIELDS):
            self._bridge.reload()
        self._saved = settings
        self.sig_saved.emit(settings)
        self._session.changed(Change.SETTINGS)
        self.accept()

    # --- the data location and the theme ---------------------------------------------------

    @Slot()
    def on_show_folder_clicked(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._home)))

    @Slot()
    def on_copy_location_clicked(self) -> None:
        QGuiApplication.clipboard().setText(str(self._home))

    @Slot(Qt.ColorScheme)
    def on_color_scheme_changed(self, _scheme) -> None:
        self.appearance_label.setText(appearance_text())


def _key_mode(home: Path) -> str | None:
    try:
        return keys.key_mode(home)
    except TrellisError:
        return None


def lock_explanation(home: Path) -> str:
    """What Ctrl+L and the idle lock do with this data's key, in a sentence or two."""
    mode = _key_mode(home)
    if mode == "passphrase":
        return ("Locking closes your notes and forgets their key; unlocking asks for your "
                "passphrase.")
    if mode == "keychain" and has_unlock_pin(home):
        return ("Locking closes your notes and forgets their key; unlocking, and starting "
                "Trellis, ask for your unlock PIN. The key stays in the system keychain, which "
                "anyone using your computer account can read with other tools: a passphrase "
                "protects the data itself (trellis passphrase).")
    return ("Your notes' key is in the system keychain, so a lock would open with one click: "
            "Trellis locks (Ctrl+L, or when idle) only once you choose an unlock PIN.")
