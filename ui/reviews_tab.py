"""A person's Reviews tab: the evidence, the draft as it is written, its checks, versions and exports.

Why this module exists: this is where months of notes become a review the
manager can stand behind. The left side (``CyclePicker``, ``EvidencePanel``)
chooses the period and shows the evidence; the right side drafts a review
or a development plan on the model thread, streams its sections in as they
are finished, and shows the saved draft with citation chips, language
findings, every version, "Mark final" and the exports. Every change the
manager makes (an edit, a regenerated section, an applied fix, a dismissed
finding) is saved through ``app.reviews.versions`` as a new version, so
nothing said earlier is lost.

Model work runs through the ``ModelBridge``: the task never touches
widgets; finished sections cross back to this widget through a queued
signal. Errors (no notes in the period, no model) are shown as one calm
sentence above the draft, never as a traceback.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from app.errors import NotFound, TrellisError
from app.reviews.body import PLAN, REVIEW, Body, Section
from app.reviews.rewording import TOO_LONG

from .notices import Change
from . import operations
from .operations import Operation, in_pool, on_model
from .clipboard_guard import copy_team_text
from .cycle_picker import CyclePicker
from .draft_view import DraftBar, DraftView, long_date
from .evidence_panel import EvidencePanel
from .findings_panel import FindingsPanel, fix_for
from . import left_out_panel
from .left_out_panel import sensitive_of_draft
from .model_bridge import STOPPED, ModelBridge
from .review_tasks import export_name, plan_task, regenerate_task, review_task

EXPORTS = {  # suffix: (dialog title, file filter)
    ".md": ("Export as Markdown", "Markdown (*.md)"),
    ".pdf": ("Export as PDF", "PDF (*.pdf)"),
    ".docx": ("Export as Word document", "Word document (*.docx)"),
}
EMPTY_TEXT = {
    REVIEW: "No review draft for this period yet. “Draft review” writes one from the notes on the left; "
            "every sentence will point back to the notes it came from.",
    PLAN: "No development plan yet. “Draft plan” builds one from the notes, the goals and the "
          "next level's expectations.",
}


def documents_dir() -> Path:
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found else Path.home()


def ask_save_path(parent, title: str, suggested: Path, file_filter: str) -> str:
    """The file the manager chose, or "" if they cancelled (tests replace this)."""
    path, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), file_filter)
    return path


def heading_for(body: Body) -> str:
    """"Review draft" over "Ana Ruiz · 1 January 2026 – 30 June 2026" (or "Development plan")."""
    about = body.person_name
    if body.kind == REVIEW and body.period_start and body.period_end:
        about += f" · {long_date(body.period_start)} – {long_date(body.period_end)}"
    return heading_html("Development plan" if body.kind == PLAN else "Review draft", about)


def heading_html(title: str, about: str) -> str:
    return f"{title}<br><span style='font-size: 13px; font-weight: normal;'>{escape(about)}</span>"


# --- the tab ----------------------------------------------------------------------------

class ReviewsTab(QWidget):
    """Period and evidence on the left; the draft, its findings and its versions on the right."""

    sig_open_note = Signal(str)
    """The manager wants to read a cited note. Argument: the note id."""

    _sig_section_drafted = Signal(object)
    """Emitted from the model thread as each section is finished. Argument: the ``Section``."""

    _sig_progress = Signal(str)
    """Emitted from the model thread with what is being written now ("Writing Strengths (2 of 5)…")."""

    def __init__(self, session, bridge: ModelBridge | None = None, parent=None):
        super().__init__(parent)
        self._session = session
        self._bridge = bridge or ModelBridge(parent=self)
        self.person_id: str | None = None
        self.person_name = ""
        self.kind = REVIEW
        self.draft = None
        self.body: Body | None = None
        self.shown_version: int | None = None
        self.clipboard_copy: str | None = None
        """Plain text this tab last put on the clipboard, kept so locking can clear it (issue 8)."""
        self._operation: Operation | None = None
        self._job_context: dict = {}
        self.setAccessibleName("Reviews")
        self._build()
        self._connect()
        self.clear()

    # --- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        self.picker = CyclePicker(self._session)
        self.evidence = EvidencePanel(self._session, self._bridge)
        self.draft_view = DraftView()
        self.findings = FindingsPanel()
        self.message = QLabel()
        self.message.setAccessibleName("Reviews message")
        self.message.setWordWrap(True)
        self.message.setObjectName("reviews_message")
        self.message.setStyleSheet("#reviews_message { padding: 6px 10px; border-radius: 6px; "
                                   "background: palette(alternate-base); }")
        self.bar = DraftBar()
        self.side = QTabWidget()
        self.side.setAccessibleName("Evidence and checks")
        self.side.setDocumentMode(True)
        self.side.addTab(self.evidence, "Evidence")
        self.side.addTab(self.findings, "Checks")
        splitter = self.splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(_stacked((self.picker, 0), (self.side, 1), right=4))
        splitter.addWidget(_stacked((self.bar, 0), (self.message, 0), (self.draft_view, 1), left=4))
        splitter.setStretchFactor(1, 1)
        # The draft is what the manager came to read: with the team list and the Assistant open
        # at 1280×800 it keeps over 400 px, the evidence and checks share one column beside it.
        splitter.setSizes([255, 725])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(splitter)

    @Slot(int)
    def _count_checks(self, count: int) -> None:
        """The Checks tab says how many things wait there: wording findings and private sentences."""
        self.side.setTabText(1, f"Checks ({count})" if count else "Checks")

    def _connect(self) -> None:
        self.picker.sig_period_changed.connect(self.on_period_changed)
        self.evidence.sig_open_note.connect(self.sig_open_note)
        bar = self.bar
        bar.sig_kind_chosen.connect(self.on_kind_chosen)
        bar.sig_export.connect(self.export_to)
        bar.sig_copy.connect(self.copy_plain_text)
        bar.draft_review_button.clicked.connect(self.start_review)
        bar.draft_plan_button.clicked.connect(self.start_plan)
        bar.stop_button.clicked.connect(self.stop)
        self.draft_view.check_text_button.clicked.connect(self.open_check_text)
        bar.versions.activated.connect(self.on_version_chosen)
        bar.final_button.clicked.connect(self.toggle_final)
        self.draft_view.sig_open_note.connect(self.sig_open_note)
        self.draft_view.sig_statement_edited.connect(self.edit_statement)
        self.draft_view.sig_regenerate.connect(self.regenerate)
        self.draft_view.sig_make_goal.connect(self.make_goal)
        self.findings.sig_apply.connect(self.apply_fix)
        self.findings.sig_dismiss.connect(self.dismiss_finding)
        self.findings.left_out.sig_chosen.connect(self.choose_sensitive)
        self.findings.sig_counted.connect(self._count_checks)
        self._sig_section_drafted.connect(self.on_section_drafted, Qt.ConnectionType.QueuedConnection)
        self._sig_progress.connect(self.on_progress, Qt.ConnectionType.QueuedConnection)
        self._session.sig_locked.connect(self.on_locked)

    # --- who and when ---------------------------------------------------------------------

    def set_person(self, person_id: str | None) -> None:
        store = self._session.store
        if store is None or person_id is None:
            self.clear()
            return
        if self.busy and person_id == self.person_id:
            return  # the same person again (their details changed): keep the draft streaming in
        person = store.people.get(person_id)
        self.person_id, self.person_name = person.id, person.name
        self.picker.set_person(person.id)
        self._load_evidence()
        self.load_draft()

    def period(self) -> tuple[str, str, str | None]:
        return self.picker.period()

    def open_check_text(self):
        """The "Check my text" dialog for the person and period on show (closed on lock)."""
        from .check_text_dialog import CheckTextDialog
        store = self._session.store
        if store is None or self.person_id is None:
            return None
        start, end, _ = self.period()
        person = store.people.get(self.person_id)
        dialog = CheckTextDialog(store, person.id, person.name, (start, end), self.source_of, self)
        dialog.sig_open_note.connect(self.sig_open_note)
        self._session.sig_locked.connect(dialog.reject)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    @Slot(str, str, object)
    def on_period_changed(self, _start: str, _end: str, _cycle_id) -> None:
        if self.person_id:
            self._load_evidence()
            if self.kind == REVIEW and not self.busy:  # a draft streaming in stays on show
                self.load_draft()

    def _load_evidence(self) -> None:
        start, end, _cycle = self.period()
        self.evidence.load(self.person_id, start, end)

    @Slot(str)
    def on_kind_chosen(self, kind: str) -> None:
        self.kind = kind
        if self.person_id and not self.busy:
            self.load_draft()

    def show_kind(self, kind: str) -> None:
        self.bar.show_kind(kind)
        self.kind = kind

    # --- the saved draft --------------------------------------------------------------------

    def saved_draft(self):
        """The newest saved draft of the kind on show, for the person (and period or cycle)."""
        store = self._session.store
        if store is None or self.person_id is None:
            return None
        if self.kind == PLAN:
            return store.drafts.latest_for(self.person_id, PLAN)
        start, end, cycle_id = self.period()
        if cycle_id:
            return store.drafts.latest_for(self.person_id, REVIEW, cycle_id=cycle_id)
        return store.drafts.latest_for(self.person_id, REVIEW, period=(start, end))

    def open_draft(self, draft_id: str) -> None:
        """Show a saved draft: its kind, and for a review its cycle or period on the left."""
        draft = self._session.store.drafts.get(draft_id)
        self.show_kind(draft.kind)
        if draft.kind == REVIEW and draft.cycle_id:
            self.picker.select_cycle(draft.cycle_id)
        elif draft.kind == REVIEW:
            self.picker.set_custom_period(draft.period_start, draft.period_end)
        self.load_draft(draft)

    def load_draft(self, draft=None, version: int | None = None) -> None:
        """Show ``draft`` (default: the saved one), at ``version`` (default: the newest)."""
        self.draft = draft or self.saved_draft()
        if self.draft is None or not self.draft.versions:
            self._show_nothing_saved()
            return
        self.shown_version = version or self.draft.latest.version
        self.body = _body_of(self.draft, self.shown_version)
        self.bar.show_versions(self.draft, self.shown_version)
        self._show_body()

    def _show_nothing_saved(self) -> None:
        self.draft = self.body = self.shown_version = None
        self.bar.versions.clear()
        self.draft_view.show_empty(EMPTY_TEXT[self.kind])
        self.findings.show_findings(None)
        self._update_controls()

    def _show_body(self) -> None:
        latest = self.is_latest_shown
        self.draft_view.show_body(self.body, self.source_of, heading=heading_for(self.body),
                                  editable=latest and not self.busy, goals_added=self._goals_added())
        dismissed = self._session.store.drafts.dismissed(self.draft.id)
        self.findings.show_findings(self.body, dismissed=dismissed, actionable=latest and not self.busy)
        self.findings.left_out.show_sentences(sensitive_of_draft(self._session.store, self.body),
                                              actionable=not self.busy)
        self._update_controls()

    @property
    def is_latest_shown(self) -> bool:
        return self.draft is not None and self.shown_version == self.draft.latest.version

    @Slot(int)
    def on_version_chosen(self, index: int) -> None:
        if self.draft is not None and index >= 0:
            self.load_draft(self.draft, self.bar.versions.itemData(index))

    def source_of(self, record_id: str) -> dict:
        """What a citation points at: from the draft's own sources, else from the store."""
        if self.body is not None and record_id in self.body.sources:
            return self.body.sources[record_id]
        store = self._session.store
        try:
            note = store.notes.get(record_id)
            return {"type": "note", "date": note.date}
        except (NotFound, AttributeError):
            goal = next((g for g in store.goals.all() if g.id == record_id), None) if store else None
            return {"type": "goal", "date": goal.due, "title": goal.title} if goal else {"type": "note"}

    def _goals_added(self) -> dict[str, set[int]]:
        """Plan goals whose title is already one of the person's goals, by section."""
        if self.body is None or self.body.kind != PLAN:
            return {}
        titles = {g.title for g in self._session.store.goals.all() if g.person_id == self.person_id}
        return {section.key: {i for i, s in enumerate(section.statements)
                              if s.goal and s.goal.get("title", s.text) in titles}
                for section in self.body.sections}

    # --- drafting -----------------------------------------------------------------------------

    def start_review(self) -> Operation | None:
        """Draft a review of the period on the model thread; the operation, or None."""
        if not self._can_start():
            return None
        store = self._session.store
        start, end, cycle_id = self.period()
        self.show_kind(REVIEW)
        task = review_task(store, self.person_id, start, end, prompts_dir=Path(store.home) / "prompts",
                           on_section=self._sig_section_drafted.emit,
                           on_progress=self._sig_progress.emit)
        return self._start(task, "draft", cycle_id=cycle_id,
                           heading=heading_html("Review draft", self.person_name))

    def start_plan(self) -> Operation | None:
        if not self._can_start():
            return None
        store = self._session.store
        self.show_kind(PLAN)
        task = plan_task(store, self.person_id, prompts_dir=Path(store.home) / "prompts",
                         on_section=self._sig_section_drafted.emit,
                         on_progress=self._sig_progress.emit)
        return self._start(task, "draft", cycle_id=None, heading=heading_html("Development plan", self.person_name))

    def regenerate(self, key: str) -> Operation | None:
        """Write one section of the newest version again; the others stay as they are."""
        if not self._can_start() or not self.is_latest_shown:
            return None
        store = self._session.store
        task = regenerate_task(store, self.body, key, prompts_dir=Path(store.home) / "prompts")
        operation = self._start(task, "regenerate", draft_id=self.draft.id, key=key)
        self.draft_view.set_regenerating(key)
        return operation

    def _can_start(self) -> bool:
        return self._session.store is not None and self.person_id is not None and not self.busy

    @property
    def busy(self) -> bool:
        """Whether a draft or a section is being written on the model thread."""
        return operations.is_running(self._operation)

    def _start(self, task, what: str, *, heading: str = "", **context) -> Operation:
        self._job_context = {"what": what, "person_id": self.person_id, "kind": self.kind, **context}
        if what == "draft":
            self.draft = self.body = self.shown_version = None  # the view shows the new one only
            self.bar.versions.clear()
            self.draft_view.competency_names = {
                c.id: c.name for c in self._session.store.competencies.list()}
            self.draft_view.begin(heading)
            self.findings.show_findings(None)
        self._say("Drafting… each section appears when it is finished. Esc stops."
                  if what == "draft" else "Rewriting the section…")
        self._operation = on_model(self._bridge, task, done=self.on_finished,
                                   failed=self.on_failed, ended=self.on_job_ended)
        self._update_controls()
        return self._operation

    def stop(self) -> None:
        operations.stop(self._operation)

    def keyPressEvent(self, event) -> None:
        # In the window, Esc is its "Stop the assistant" action, which stops this job too.
        if event.key() == Qt.Key.Key_Escape and self.busy:
            self.stop()
            event.accept()
            return
        super().keyPressEvent(event)

    @Slot(object)
    def on_section_drafted(self, section: Section) -> None:
        if (self.busy and self._job_context.get("what") == "draft"
                and self._job_context.get("person_id") == self.person_id):
            self.draft_view.add_section(section, self.source_of)

    @Slot(str)
    def on_progress(self, step: str) -> None:
        """What the model thread is writing now, while this person's draft is being written."""
        if self.busy and self._job_context.get("person_id") == self.person_id:
            self._say(f"{step} Each section appears when it is finished; Esc stops. You can "
                      "go on working meanwhile.")

    @Slot(object)
    def on_finished(self, value: object) -> None:
        if not isinstance(value, Body):
            return
        if self._bridge.state == STOPPED:
            self._say("Stopped. What was drafted so far is shown above; it was not saved.")
            return
        self._save_result(value)

    def _save_result(self, body: Body) -> None:
        from app.reviews.versions import save_draft
        context, store = self._job_context, self._session.store
        if store is None:
            return
        try:
            draft = save_draft(store, body, draft_id=context.get("draft_id"), cycle_id=context.get("cycle_id"))
        except TrellisError as exc:
            self._say(str(exc))
            return
        self._operation = None  # the draft is saved: the view may be edited while the model thread winds down
        if body.person_id != self.person_id:
            self._update_controls()  # drafted for someone no longer on show; it waits in their tab
            return
        self.show_kind(body.kind)
        self.load_draft(draft)
        too_long = [w for w in (body.coverage.warnings if body.coverage else ()) if TOO_LONG in w]
        self._say(" ".join([f"Saved as version {draft.latest.version}.", *(f"{w}." for w in too_long)]))
        self._after_save()

    @Slot(str)
    def on_failed(self, reason: str) -> None:
        self._say(reason)
        self._job_context["failed"] = True

    @Slot()
    def on_job_ended(self) -> None:
        self._operation = None
        if self._job_context.get("failed") and self.person_id:
            self.load_draft()  # what was saved before, beneath the reason it failed
        elif self.draft is not None and self._job_context.get("what") == "regenerate":
            self._show_body()
        self._update_controls()

    # --- the manager's changes -------------------------------------------------------------------

    def edit_statement(self, key: str, index: int, text: str) -> None:
        from app.reviews.versions import edit_statement
        self._save_change(lambda store: edit_statement(store, self.draft.id, key, index, text))

    def apply_fix(self, finding: dict) -> None:
        fix = fix_for(self.body, finding) if self.body else None
        if fix is None:
            self._say("That sentence has changed since the check; nothing was replaced.")
            return
        self.edit_statement(*fix)

    def dismiss_finding(self, finding_id: str) -> None:
        from app.reviews.versions import dismiss_finding
        self._save_change(lambda store: dismiss_finding(store, self.draft.id, finding_id))

    def choose_sensitive(self, sentence, include: bool) -> None:
        """Let a sentence left out as private into drafts (after asking), or leave it out again."""
        from app.reviews.sensitive import include as let_in, leave_out
        store = self._session.store
        if store is None or self.busy:
            return
        if include and not left_out_panel.ask_to_include(self, sentence, self.person_name):
            return
        try:
            (let_in if include else leave_out)(store, sentence.note_id, sentence.number)
        except TrellisError as exc:
            self._say(str(exc))
            return
        self._session.changed(Change.NOTES, person_id=self.person_id)
        if self.body is not None:
            self._show_body()
        self._say("Included. Draft again to use it; the version on show is unchanged." if include
                  else "Left out again. Draft again to take it out of the draft.")

    def toggle_final(self) -> None:
        from app.reviews.versions import mark_final
        if self.draft is None:
            return
        undo = self.draft.final_version == self.shown_version
        shown = self.shown_version
        self._save_change(lambda store: mark_final(store, self.draft.id, 0 if undo else shown),
                          keep_version=True)
        self._say("No version is marked final now." if undo else f"Version {shown} is marked final.")

    def _save_change(self, change, *, keep_version: bool = False) -> None:
        store = self._session.store
        if store is None or self.draft is None or self.busy:
            return
        try:
            draft = change(store)
        except TrellisError as exc:
            self._say(str(exc))
            return
        self.load_draft(draft, self.shown_version if keep_version else None)
        self._say(f"Saved as version {draft.latest.version}.")
        self._after_save()

    def _after_save(self) -> None:
        self._session.changed(Change.DRAFTS)  # the cycle picker's status chip reads it again

    def make_goal(self, key: str, index: int) -> None:
        from app.reviews.plan import goal_from_statement
        store, section = self._session.store, self.body.section(key) if self.body else None
        if store is None or section is None or index >= len(section.statements):
            return
        try:
            goal = goal_from_statement(store, self.person_id, section.statements[index])
        except TrellisError as exc:
            self._say(str(exc))
            return
        self.draft_view.row(key, index).show_goal_added()
        self._say(f"“{goal.title}” is now one of {self.person_name.split()[0]}'s goals.")
        self._session.changed(Change.GOALS)

    # --- exports --------------------------------------------------------------------------------------

    def export_to(self, suffix: str) -> Operation | None:
        """Ask where, then write the version on show off the GUI thread (a PDF of a long review
        takes a while); the operation, or None when the manager cancelled. The tab says where
        the file went, or why it could not be written."""
        if self.body is None:
            return None
        title, file_filter = EXPORTS[suffix]
        suggested = documents_dir() / (export_name(self._session.store, self.draft, self.body) + suffix)
        chosen = ask_save_path(self, title, suggested, file_filter)
        if not chosen:
            return None
        path = Path(chosen) if Path(chosen).suffix.lower() == suffix else Path(chosen + suffix)
        body, citations = self.body, self.bar.include_citations
        self._say(f"Exporting to {path.name}…")

        def work(_progress, _stop) -> Path:
            from app.reviews.export import export_body
            return export_body(body, path, citations=citations)
        self._export_citations = citations
        return in_pool(work, done=self.on_exported, failed=self._say)

    @Slot(object)
    def on_exported(self, written: Path) -> None:
        self._say(f"Exported to {written}" + ("" if self._export_citations else " without citations")
                  + ".")

    def copy_plain_text(self) -> str | None:
        from app.reviews.export import to_plain_text
        if self.body is None:
            return None
        text = to_plain_text(self.body, citations=self.bar.include_citations)
        copy_team_text(text)   # cleared on lock or quit (ui.clipboard_guard)
        self.clipboard_copy = text
        self._say("Copied as plain text" + (" with citations." if self.bar.include_citations
                                            else ", without citations."))
        return text

    # --- state ------------------------------------------------------------------------------------------

    def _update_controls(self) -> None:
        busy = self.busy
        has_body = self.body is not None and not (busy and self._job_context.get("what") == "draft")
        self.bar.set_state(ready=self._session.store is not None and self.person_id is not None, busy=busy,
                           has_body=has_body, is_final=has_body and self.draft.final_version == self.shown_version)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    @Slot()
    def on_locked(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Forget every piece of team data the tab shows (the clipboard reference stays for issue 8)."""
        self.person_id, self.person_name = None, ""
        if self._operation is not None:
            self._operation.abandon()  # what it would still deliver is about data now hidden
        self._operation, self._job_context = None, {}
        self.draft = self.body = self.shown_version = None
        self.bar.versions.clear()
        self.draft_view.show_empty("")
        self.findings.clear()
        self.evidence.clear()
        self._say("")
        self._update_controls()


def _body_of(draft, version: int) -> Body:
    from app.reviews.versions import body_of
    return body_of(draft, version)


def _stacked(*widgets: tuple[QWidget, int], left: int = 0, right: int = 0) -> QWidget:
    """``widgets`` (each with its stretch) one above the other, as one widget for a splitter."""
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(left, 0, right, 0)
    for widget, stretch in widgets:
        column.addWidget(widget, stretch)
    return holder
