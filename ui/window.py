"""The main window: the team, the selected person, and the assistant beside them.

Pages: the lock screen, the first-run welcome, and the workspace. Every
shortcut lives here (Ctrl+N capture, Ctrl+K search, Ctrl+L lock, Ctrl+Z /
Ctrl+Shift+Z undo and redo, Esc stop). Ctrl+L also locks from every window
Trellis opens over this one (``ui.lock_everywhere``), and locking closes
them. Locking closes the store and empties every widget that shows team
data; unlocking returns to the person, tab and place in the timeline the manager
was on.
"""

from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication, QDockWidget, QHBoxLayout, QLabel, QMainWindow, QMessageBox, QPushButton, QSizePolicy, QSplitter,
    QStackedWidget, QVBoxLayout, QWidget,
)

from app.errors import TrellisError
from app.settings import load_settings

from .notices import Change
from .assistant import AssistantPanel
from .idle import IdleWatcher
from .lock_everywhere import close_dialogs_after_lock, watch_lock_key
from .lock_page import LockPage
from .model_bridge import ModelBridge
from .session import Session

LOCK, WELCOME, WORKSPACE = range(3)


@dataclass(frozen=True)
class Place:
    """Where the manager was when the window locked: ids and positions, never text."""

    person_id: str
    tab: int
    note_id: str | None
    scrolled: int

# Dialogs, the capture box, the search palette and the sample team load when first used:
# the window paints sooner (docs/performance.md, start-up).


class MainWindow(QMainWindow):
    def __init__(self, session: Session, *, bridge: ModelBridge | None = None, ask_unsaved=None):
        super().__init__()
        self.session = session
        self.bridge = bridge or ModelBridge(parent=self)
        self._ask_unsaved = ask_unsaved
        self._palette = None  # the search palette, made when first opened
        self._place: Place | None = None  # where to return after an unlock
        self.pin_dialog = None
        self.setWindowTitle("Trellis")
        self._build_pages()
        self._build_assistant()
        self._build_actions()
        watch_lock_key(self, self.lock)  # Ctrl+L in the windows opened over this one
        self.idle = IdleWatcher(QApplication.instance(), self._idle_minutes(), self)
        self.idle.sig_idle.connect(self.lock)
        session.sig_unlocked.connect(self.on_unlocked)
        session.sig_locked.connect(self.on_locked)
        session.listen(self.on_data_changed, Change.PEOPLE, Change.SAMPLE)
        if session.is_locked:
            self.on_locked()
        else:
            session.sig_unlocked.emit()  # every widget loads from the already open store

    # --- layout ------------------------------------------------------------------

    def _build_pages(self) -> None:
        """The lock page now; the welcome page and the workspace (the team, the person and
        their tabs) when the data opens or after the first paint, whichever comes first,
        so that the window paints sooner (``_ensure_workspace``)."""
        self.lock_page = LockPage()
        self.lock_page.sig_store_opened.connect(self.on_store_opened)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.lock_page)
        self.setCentralWidget(self.pages)
        self._workspace_built = False
        self.undo_stack = QUndoStack(self)  # the timeline's changes; Ctrl+Z and Ctrl+Shift+Z

    def _ensure_workspace(self) -> None:
        if self._workspace_built:
            return
        self._workspace_built = True
        from .person_page import PersonPage
        from .team_panel import TeamPanel
        from .welcome import WelcomePage
        self.welcome = WelcomePage(self.session)
        self.welcome.sig_add_person.connect(self.on_add_person)
        self.welcome.sig_explore_sample.connect(self.on_explore_sample)
        self.team = TeamPanel(self.session)
        self.person = PersonPage(self.session, bridge=self.bridge, undo_stack=self.undo_stack)
        self.team.sig_person_selected.connect(self.on_person_selected)
        self.person.timeline.sig_note_changed.connect(lambda _id: self.session.changed(Change.NOTES))
        self.person.timeline.sig_new_note.connect(lambda _id: self.open_capture())
        for page in (self.welcome, self._workspace()):
            self.pages.addWidget(page)
        if not self.session.is_locked:  # built after the unlock was announced: catch up
            self.team.refresh()
            self.welcome.on_unlocked()

    def event(self, event) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.Paint and not self._workspace_built:
            QTimer.singleShot(0, self._ensure_workspace)  # once the window is on screen
        return handled

    def on_store_opened(self, store) -> None:
        self._ensure_workspace()
        self.session.unlock(store)

    def _workspace(self) -> QWidget:
        self.sample_banner = self._sample_banner()
        self.lock_banner = self._lock_banner()
        self.recovery_banner = self._recovery_banner()
        splitter = QSplitter()
        splitter.addWidget(self.team)
        splitter.addWidget(self.person)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([270, 730])  # the team list as narrow as its rows read well
        workspace = QWidget()
        layout = QVBoxLayout(workspace)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.recovery_banner, 0)
        layout.addWidget(self.sample_banner, 0)
        layout.addWidget(self.lock_banner, 0)
        layout.addWidget(splitter, 1)
        return workspace

    def _sample_banner(self) -> QWidget:
        remove = self.remove_sample_button = QPushButton("Remove sample team")
        remove.setAccessibleName("Remove sample team")
        remove.clicked.connect(self.on_remove_sample)
        return _banner("You are exploring a fictional sample team. Nothing here is about real people.",
                       remove)

    def _lock_banner(self) -> QWidget:
        choose = self.choose_pin_button = QPushButton("Choose unlock PIN…")
        choose.setAccessibleName("Choose unlock PIN")
        choose.clicked.connect(self.choose_unlock_pin)
        banner = _banner("Trellis will not lock itself when you are away until you choose an unlock "
                         "PIN: your notes' key is in the system keychain, so the lock would open "
                         "with one click.", choose)
        banner.hide()
        return banner

    def _recovery_banner(self) -> QWidget:
        show = self.show_recovery_key_button = QPushButton("Show recovery key…")
        show.setAccessibleName("Show recovery key")
        show.clicked.connect(self.open_recovery_key)
        banner = _banner("No recovery key kept yet: if the system keychain is reset or your passphrase "
                         "forgotten, nothing can open your notes.", show)
        banner.setAccessibleName("No recovery key kept")
        banner.hide()
        return banner

    def _show_recovery_banner(self) -> None:
        """Warn, where the manager works, while the data has no recovery key they kept."""
        store = self.session.store
        self.recovery_banner.setVisible(store is not None and not store.recovery_key_kept)

    def _build_assistant(self) -> None:
        self.assistant = AssistantPanel(self.session, self.bridge)
        self.assistant_dock = QDockWidget("Assistant", self)
        self.assistant_dock.setObjectName("assistant")
        self.assistant_dock.setAccessibleName("Assistant")
        self.assistant_dock.setWidget(self.assistant)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.assistant_dock)
        # Narrow by default: beside the team list it leaves a review draft room to be read.
        self.resizeDocks([self.assistant_dock], [250], Qt.Orientation.Horizontal)
        self._assistant_wanted = True  # the manager's choice; off the workspace it is hidden
        self.pages.currentChanged.connect(self._assistant_for_page)
        self._assistant_for_page(self.pages.currentIndex())

    def _assistant_for_page(self, index: int) -> None:
        """The Assistant beside the team only: the welcome and lock pages have no one to help
        with. Going back to the team shows it again unless the manager closed it."""
        on_workspace = index == WORKSPACE
        self.assistant_dock.toggleViewAction().setEnabled(on_workspace)
        self.assistant_dock.setVisible(on_workspace and self._assistant_wanted)

    def _assistant_toggled(self, shown: bool) -> None:
        if self.pages.currentIndex() == WORKSPACE:
            self._assistant_wanted = shown

    def _build_actions(self) -> None:
        undo_stack = self.undo_stack
        undo, redo = undo_stack.createUndoAction(self, "Undo"), undo_stack.createRedoAction(self, "Redo")
        undo.setShortcut(QKeySequence("Ctrl+Z"))
        redo.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        self.actions_by_name = {
            "capture": self._action("New note…", "Ctrl+N", self.open_capture),
            "search": self._action("Search notes…", "Ctrl+K", self.open_search),
            "lock": self._action("Lock", "Ctrl+L", self.lock),
            "stop": self._action("Stop the assistant", "Esc", self.bridge.stop),
            "trash": self._action("Trash…", None, self.open_trash),
            "settings": self._action("Settings…", "Ctrl+,", self.open_settings),
            "models": self._action("Models…", None, self.open_models),
            "framework": self._action("Import competency framework…", None,
                                      self.import_framework),
            "recovery": self._action("New recovery key…", None, self.open_recovery_key),
            "undo": undo, "redo": redo,
        }
        self.actions_by_name["stop"].setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        notes = self.menuBar().addMenu("&Notes")
        for name in ("capture", "search", "undo", "redo", "trash"):
            notes.addAction(self.actions_by_name[name])
        trellis = self.menuBar().addMenu("&Trellis")
        for name in ("settings", "models", "framework", "recovery", "stop", "lock"):
            trellis.addAction(self.actions_by_name[name])
        show_assistant = self.assistant_dock.toggleViewAction()  # closed with its ×, back here
        show_assistant.setText("Show the Assistant")
        show_assistant.toggled.connect(self._assistant_toggled)
        trellis.insertAction(self.actions_by_name["stop"], show_assistant)
        for action in self.actions_by_name.values():
            self.addAction(action)

    def _action(self, text: str, shortcut: str | None, handler) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(handler)
        return action

    # --- lock and unlock ---------------------------------------------------------------

    def lock(self) -> None:
        """Lock now. With the key in the keychain, locking first needs an unlock PIN to ask
        for afterwards: the first time, the manager chooses one (or the window stays open)."""
        if self.session.is_locked or self.pin_dialog is not None:
            return
        if self._pin_missing() and not self.choose_unlock_pin():
            return
        self._place = self._where_the_manager_is()
        self.bridge.stop()
        self.session.lock()

    def _where_the_manager_is(self) -> Place | None:
        if not self._workspace_built or self.pages.currentIndex() != WORKSPACE or not self.person.person_id:
            return None
        timeline = self.person.timeline
        return Place(self.person.person_id, self.person.tabs.currentIndex(), timeline.current_note_id(),
                     timeline.notes_view.verticalScrollBar().value())

    def _return_to_place(self) -> None:
        """Back to the person, tab and timeline position the window locked on."""
        place, self._place = self._place, None
        if place is None or self.pages.currentIndex() != WORKSPACE:
            return
        self.team.refresh()  # the team list fills on unlock after this; it keeps the person chosen here
        self.team.select(place.person_id)
        if self.person.person_id == place.person_id:
            self.person.tabs.setCurrentIndex(place.tab)
            self.person.timeline.return_to(place.note_id, place.scrolled)

    def _pin_missing(self) -> bool:
        store = self.session.store
        from app.store.unlock_pin import has_unlock_pin
        return store is not None and store.key_mode == "keychain" and not has_unlock_pin(store.home)

    def choose_unlock_pin(self) -> bool:
        from .unlock_pin_dialog import UnlockPinDialog  # loaded when first needed
        dialog = self.pin_dialog = UnlockPinDialog(self.session.store.home, self)
        chosen = bool(dialog.exec())
        self.pin_dialog = None
        self._show_lock_banner()
        self.idle.set_minutes(self._idle_minutes())
        return chosen

    def _show_lock_banner(self) -> None:
        """The idle lock waits for an unlock PIN: say so where the manager works."""
        self.lock_banner.setVisible(self._pin_missing() and self._idle_setting() > 0)

    def on_locked(self) -> None:
        self.lock_page.prepare()
        self.pages.setCurrentIndex(LOCK)
        self._enable_data_actions(False)
        close_dialogs_after_lock(self, keep=lambda: [self.pin_dialog] if self.pin_dialog else [])

    def on_unlocked(self) -> None:
        self._ensure_workspace()
        self._enable_data_actions(True)
        self.idle.set_minutes(self._idle_minutes())
        self._show_lock_banner()
        self._show_team_or_welcome()
        self._return_to_place()
        from .capture import ask_to_restore, offer_unsaved
        ask = self._ask_unsaved or ask_to_restore
        offer_unsaved(self.session, self, ask=ask)
        self._offer_unsaved_edit(ask)

    def _offer_unsaved_edit(self, ask) -> None:
        """Reopen the editor on a note whose edit a crash or lock left unsaved."""
        from app.services.autosave import Autosaves
        from .timeline import AUTOSAVE_PREFIX as NOTE_SLOT_PREFIX
        saves = Autosaves(self.session.store)
        for unsaved in saves.pending():
            if not unsaved.slot.startswith(NOTE_SLOT_PREFIX):
                continue
            answer = ask(self, unsaved)
            if answer is False:
                saves.discard(unsaved.slot)
            elif answer:
                self.team.select(unsaved.context.get("person", ""))
                if self.person.timeline.resume_edit(unsaved.context.get("note", ""), unsaved.text):
                    return

    def _enable_data_actions(self, enabled: bool) -> None:
        for name in ("capture", "search", "trash", "undo", "redo", "framework", "recovery"):
            self.actions_by_name[name].setEnabled(enabled)

    def _idle_minutes(self) -> int:
        """The idle lock in force: none while the key is in the keychain and no unlock PIN
        is set, since a lock that opens with one click protects nothing."""
        return 0 if self._pin_missing() else self._idle_setting()

    def _idle_setting(self) -> int:
        try:
            return load_settings().idle_lock_minutes
        except Exception:  # a damaged settings file must not stop the window; 10 minutes
            return 10

    # --- pages ---------------------------------------------------------------------

    def _show_team_or_welcome(self) -> None:
        store = self.session.store
        if store is None:
            return
        has_people = bool(store.people.list(include_archived=True))
        from app.services.sample import has_sample_team
        self.sample_banner.setVisible(has_sample_team(store))
        self._show_recovery_banner()
        self.pages.setCurrentIndex(WORKSPACE if has_people else WELCOME)

    def on_data_changed(self, _notice) -> None:
        self._show_team_or_welcome()

    def on_person_selected(self, person_id: str) -> None:
        self.person.show_person(person_id)
        person = self.session.store.people.get(person_id)
        self.assistant.set_person(person.id, person.name)

    def on_add_person(self) -> None:
        from .person_dialog import PersonDialog
        dialog = PersonDialog(self.session.store, parent=self)
        if dialog.exec():
            self.session.changed(Change.PEOPLE)
            self.team.select(dialog.saved_person.id)

    def on_explore_sample(self) -> None:
        from app.services.sample import load_sample_team
        load_sample_team(self.session.store)
        self.session.changed(Change.SAMPLE)
        self.team.refresh()

    def on_remove_sample(self) -> None:
        from app.services.sample import remove_sample_team
        remove_sample_team(self.session.store)
        self.person.clear()
        self.session.changed(Change.SAMPLE)
        self.team.refresh()

    # --- dialogs ----------------------------------------------------------------------

    def open_capture(self):
        if self.session.is_locked:
            return None
        from .capture import QuickCaptureDialog
        dialog = QuickCaptureDialog(self.session, self, person_id=self.person.person_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_saved.connect(lambda _id: self.session.changed(Change.NOTES))
        dialog.open()
        return dialog

    def open_search(self):
        if self.session.is_locked:
            return None
        if self._palette is None:
            from .search_palette import SearchPalette
            self._palette = SearchPalette(self.session, self)
            self._palette.sig_note_chosen.connect(self.jump_to_note)
        self._palette.popup()
        return self._palette

    def jump_to_note(self, note_id: str, person_id: str) -> None:
        self.team.select(person_id)
        self.person.show_person(person_id)
        self.person.tabs.setCurrentWidget(self.person.timeline)
        self.person.timeline.select_note(note_id)

    def open_trash(self) -> None:
        if not self.session.is_locked:
            from .trash_dialog import TrashDialog
            TrashDialog(self.session, self).open()

    def open_recovery_key(self) -> None:
        from .recovery_key_view import RecoveryKeyDialog  # loaded when first opened
        if self.session.is_locked:
            return
        try:
            dialog = RecoveryKeyDialog(self.session, self)
        except (TrellisError, OSError) as exc:  # a damaged recovery.json, a full disk
            box = QMessageBox(QMessageBox.Icon.Warning, "Recovery key",
                              f"Trellis could not show a recovery key: {exc}", parent=self)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            return
        dialog.accepted.connect(self._show_recovery_banner)
        dialog.open()

    def open_settings(self) -> None:
        from .settings_dialog import SettingsDialog  # loaded when first opened
        dialog = SettingsDialog(self.session, self.bridge, self)
        dialog.accepted.connect(lambda: (self.idle.set_minutes(self._idle_minutes()),
                                         self._show_lock_banner()))
        dialog.open()

    def open_models(self) -> None:
        from .model_manager import ModelManagerDialog
        dialog = ModelManagerDialog(self.session, self)
        dialog.sig_models_changed.connect(self.bridge.reload)
        dialog.open()

    def import_framework(self) -> None:
        from .framework_import import import_framework_file  # loaded when first used
        if not self.session.is_locked:
            import_framework_file(self.session, self)

    def closeEvent(self, event) -> None:
        self.bridge.shutdown()
        self.session.lock()
        super().closeEvent(event)


def _banner(text: str, button: QPushButton) -> QWidget:
    """A strip across the workspace: a sentence and the button that acts on it."""
    banner = QWidget()
    label = QLabel(text)
    label.setWordWrap(True)
    row = QHBoxLayout(banner)
    row.setContentsMargins(8, 4, 8, 4)
    row.addWidget(label, 1)
    row.addWidget(button)
    banner.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    banner.setAutoFillBackground(True)
    banner.setBackgroundRole(banner.palette().ColorRole.AlternateBase)
    return banner
