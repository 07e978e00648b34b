"""The Reviews tab over a real store: drafting, versions, findings, final mark, exports (pytest-qt).

Drafting runs the real pipeline on the model thread with a scripted fake
engine (one JSON sentence per request), so sections stream in, Stop is
observable and nothing depends on the small model's wording. The other
tests start from a draft saved through ``app.reviews.versions`` with known
words, so findings and fixes are exact.
"""

import os
import stat

import time
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from PySide6.QtCore import QLocale, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

from app.llm.engine import ModelError  # noqa: E402
from app.llm.fake_engine import FakeEngine  # noqa: E402
from app.reviews.body import Body, Section, Statement  # noqa: E402
from app.reviews.export import to_plain_text  # noqa: E402
from app.reviews.versions import body_of, save_draft  # noqa: E402
from ui import reviews_tab as reviews_module  # noqa: E402
from ui.draft_view import CitationChip  # noqa: E402
from ui.model_bridge import ModelBridge  # noqa: E402
from ui.person_page import PersonPage  # noqa: E402
from ui.session import Session  # noqa: E402

WAIT = 10_000
CTRL = Qt.KeyboardModifier.ControlModifier
NOTES = [  # date, kind, text, competencies
    ("2026-01-14", "praise", "Ana delivered the billing migration two days before the deadline.", ["c-delivery"]),
    ("2026-02-03", "observation", "Ana paired with Li on the flaky import tests and fixed them together.",
     ["c-collab"]),
    ("2026-03-11", "concern", "Ana missed the design review and the API change slipped a week.", ["c-delivery"]),
    ("2026-04-22", "praise", "Ana ran the incident retro and everyone left with clear owners.", ["c-collab"]),
    ("2026-05-19", "observation", "Ana shipped the export feature on the agreed date.", ["c-delivery"]),
]
SENTENCE = '{"sentence": "Ana delivered the billing migration before the deadline."}'


class SentenceEngine(FakeEngine):
    """Answers every request with one JSON sentence, a few characters at a time."""

    def stream(self, request, stop):
        if not self._replies:
            self.enqueue(*[SENTENCE[i:i + 6] for i in range(0, len(SENTENCE), 6)])
        return (yield from super().stream(request, stop))


@pytest.fixture(autouse=True)
def english_dates():
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))


@pytest.fixture
def ana(team):
    """Ana's notes in H1 2026, the H1 2026 cycle, and one note about Li."""
    store, ana, li = team
    notes = [store.notes.add(person_id=ana.id, date=d, kind=k, text=t, competencies=c) for d, k, t, c in NOTES]
    store.notes.add(person_id=li.id, date="2026-02-03", text="Li rewrote the import tests.")
    cycle = store.review_cycles.add(name="H1 2026", period_start="2026-01-01", period_end="2026-06-30")
    return store, notes, cycle


@pytest.fixture
def make_page(qtbot, ana):
    made = []

    def make(engine=None, *, factory=None):
        store = ana[0]
        session = Session(store)
        bridge = ModelBridge(engine_factory=factory or (lambda: engine or SentenceEngine()))
        page = PersonPage(session, bridge)
        qtbot.addWidget(page)
        page.resize(1200, 800)
        page.show()
        page.show_person("p-ana")
        page.tabs.setCurrentWidget(page.reviews_tab)
        made.append((session, bridge))
        return page
    yield make
    for session, bridge in made:
        bridge.shutdown()
        session.lock()


def saved_review(ana, statements=None):
    """A review draft of Ana in the H1 2026 cycle, with known words, saved as version 1."""
    store, notes, cycle = ana
    statements = statements or {
        "summary": [Statement("Five notes about Ana in the period.", tuple(n.id for n in notes), "app")],
        "strengths": [Statement("Ana is a team player who always helps.", (notes[1].id,)),
                      Statement("Ana delivered the billing migration early.", (notes[0].id,))],
        "growth": [Statement("Ana missed the design review.", (notes[2].id,), "fallback")],
    }
    sections = tuple(Section(key, key.title(), tuple(items)) for key, items in statements.items())
    body = Body("review", "p-ana", "Ana Ruiz", "2026-01-01", "2026-06-30", sections, None,
                sources={n.id: {"type": "note", "date": n.date, "title": None} for n in notes})
    return save_draft(store, body, cycle_id=cycle.id)


def wait_for_draft(qtbot, tab, versions=1):
    qtbot.waitUntil(lambda: tab.draft is not None and len(tab.draft.versions) == versions
                    and not tab.busy, timeout=WAIT)


# --- drafting ------------------------------------------------------------------------------

def test_drafting_streams_sections_and_saves_version_1(make_page, qtbot, ana):
    page = make_page(SentenceEngine(pause=0.002))
    tab, store = page.reviews_tab, ana[0]
    assert tab.period() == ("2026-01-01", "2026-06-30", ana[2].id)
    on_screen_when_sent = []
    tab._sig_section_drafted.connect(lambda _s: on_screen_when_sent.append(len(tab.draft_view.blocks)),
                                     Qt.ConnectionType.QueuedConnection)  # after the tab's own slot
    tab.bar.draft_review_button.click()
    assert not tab.bar.draft_review_button.isEnabled() and tab.bar.stop_button.isEnabled()
    wait_for_draft(qtbot, tab)
    # Sections arrived one by one, each on screen as soon as it came.
    assert len(on_screen_when_sent) >= 3
    assert on_screen_when_sent == list(range(1, len(on_screen_when_sent) + 1))
    draft = store.drafts.latest_for("p-ana", "review", cycle_id=ana[2].id)
    assert draft.id == tab.draft.id and [v.version for v in draft.versions] == [1]
    assert tab.bar.versions.count() == 1 and tab.bar.versions.currentText().startswith("Version 1")
    assert store.review_cycles.status(ana[2].id, "p-ana") == "drafting"
    shown = [b.section.key for b in tab.draft_view.blocks]
    assert shown == [s.key for s in body_of(draft).sections]
    chips = tab.draft_view.findChildren(CitationChip)
    assert chips and all(c.record_id in {n.id for n in ana[1]} for c in chips)
    assert tab.bar.draft_review_button.isEnabled() and not tab.bar.stop_button.isEnabled()
    assert "version 1" in tab.message.text()


def test_stop_ends_drafting_and_saves_nothing(make_page, qtbot, ana):
    engine = SentenceEngine(pause=0.2)
    page = make_page(engine)
    tab = page.reviews_tab
    tab.bar.draft_review_button.click()
    qtbot.waitUntil(lambda: bool(engine.requests), timeout=WAIT)  # rewording the summary
    with qtbot.waitSignal(page.reviews_tab._bridge.sig_job_ended, timeout=WAIT):
        qtbot.keyClick(tab, Qt.Key.Key_Escape)
    assert ana[0].drafts.for_person("p-ana") == []
    assert tab.message.isVisible() and tab.message.text()
    assert tab.bar.draft_review_button.isEnabled() and not tab.bar.stop_button.isEnabled()


def test_no_notes_in_the_period_is_a_calm_sentence(make_page, qtbot, ana):
    page = make_page()
    tab = page.reviews_tab
    tab.picker.set_custom_period("2025-01-01", "2025-03-31")
    with qtbot.waitSignal(tab._bridge.sig_job_ended, timeout=WAIT):
        tab.bar.draft_review_button.click()
    assert "No notes on Ana" in tab.message.text() and "Traceback" not in tab.message.text()
    assert ana[0].drafts.for_person("p-ana") == [] and tab.bar.draft_review_button.isEnabled()


def test_a_missing_model_is_a_calm_sentence(make_page, qtbot, ana):
    def no_model():
        raise ModelError("The model file models/SmolLM2.gguf is missing; add a model in Models…")
    page = make_page(factory=no_model)
    saved_review(ana)
    tab = page.reviews_tab
    tab.set_person("p-ana")
    with qtbot.waitSignal(tab._bridge.sig_job_ended, timeout=WAIT):
        tab.bar.draft_review_button.click()
    assert "model file" in tab.message.text()
    assert tab.draft is not None and len(tab.draft_view.blocks) == 3  # the saved draft is back


def test_regenerate_rewrites_only_that_section(make_page, qtbot, ana):
    page = make_page()
    tab = page.reviews_tab
    tab.bar.draft_review_button.click()
    wait_for_draft(qtbot, tab)
    before = body_of(tab.draft)
    key = next(b.section.key for b in tab.draft_view.blocks if not b.regenerate_button.isHidden())
    tab.draft_view.block(key).regenerate_button.click()
    assert tab.draft_view.block(key).regenerate_button.text() == "Rewriting…"
    wait_for_draft(qtbot, tab, versions=2)
    after = body_of(tab.draft)
    assert [s.to_dict() for s in after.sections if s.key != key] == \
           [s.to_dict() for s in before.sections if s.key != key]
    assert tab.bar.versions.count() == 2 and tab.bar.versions.currentData() == 2


# --- the manager's changes ----------------------------------------------------------------------

def test_edit_a_statement_saves_version_2_with_the_managers_words(make_page, qtbot, ana):
    saved_review(ana)
    page = make_page()
    tab = page.reviews_tab
    row = tab.draft_view.row("strengths", 1)
    qtbot.mouseDClick(row, Qt.MouseButton.LeftButton)
    editor = tab.draft_view.row("strengths", 1).editor
    assert editor is not None and editor.toPlainText() == "Ana delivered the billing migration early."
    editor.setPlainText("Ana moved billing to the new provider two days early.")
    qtbot.keyClick(editor, Qt.Key.Key_Return, CTRL)
    draft = ana[0].drafts.get(tab.draft.id)
    assert [v.version for v in draft.versions] == [1, 2]
    edited = body_of(draft).section("strengths").statements[1]
    assert (edited.text, edited.source) == ("Ana moved billing to the new provider two days early.", "manager")
    assert edited.citations == (ana[1][0].id,)
    assert tab.bar.versions.count() == 2 and tab.bar.versions.currentData() == 2
    assert tab.draft_view.row("strengths", 1).text_label.text() == edited.text


def test_enter_opens_the_editor_and_esc_cancels(make_page, qtbot, ana):
    saved_review(ana)
    page = make_page()
    tab = page.reviews_tab
    row = tab.draft_view.row("growth", 0)
    row.setFocus()
    qtbot.keyClick(row, Qt.Key.Key_Return)
    assert row.editor is not None
    row.editor.setPlainText("Something else entirely.")
    qtbot.keyClick(row.editor, Qt.Key.Key_Escape)
    assert row.editor is None and row.text_label.text() == "Ana missed the design review."
    assert len(ana[0].drafts.get(tab.draft.id).versions) == 1


def test_an_older_version_is_shown_read_only(make_page, qtbot, ana):
    saved_review(ana)
    page = make_page()
    tab = page.reviews_tab
    tab.edit_statement("growth", 0, "Ana missed one design review in March.")
    tab.bar.versions.setCurrentIndex(1)
    tab.bar.versions.activated.emit(1)
    assert tab.shown_version == 1
    assert tab.draft_view.row("growth", 0).text_label.text() == "Ana missed the design review."
    assert tab.draft_view.row("growth", 0).start_edit() is None
    assert tab.draft_view.block("growth").regenerate_button.isHidden()


def test_citation_chip_opens_the_note_in_the_timeline(make_page, qtbot, ana):
    saved_review(ana)
    page = make_page()
    chip = tab_chip = page.reviews_tab.draft_view.row("growth", 0).findChild(CitationChip)
    assert tab_chip.text() == "11 Mar" and "11 March 2026" in chip.toolTip()
    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert page.tabs.currentWidget() is page.timeline
    assert page.timeline.current_note_id() == ana[1][2].id


def test_findings_are_shown_fixed_and_dismissed(make_page, qtbot, ana):
    saved_review(ana)
    page = make_page()
    tab = page.reviews_tab
    cards = {card.finding["rule"]: card for card in tab.findings.cards}
    assert set(cards) == {"vague_praise", "absolute"}
    assert "<b>always</b>" in cards["absolute"].findChildren(type(tab.message))[1].text()
    assert cards["vague_praise"].apply_button.isHidden()  # its fix has a […] to fill in
    assert not cards["absolute"].apply_button.isHidden()
    cards["absolute"].apply_button.click()
    fixed = body_of(ana[0].drafts.get(tab.draft.id)).section("strengths").statements[0]
    assert fixed.text == "Ana is a team player who consistently helps."
    assert [c.finding["rule"] for c in tab.findings.cards] == ["vague_praise"]
    tab.findings.cards[0].dismiss_button.click()
    assert tab.findings.cards == [] and "1 dismissed" in tab.findings.summary.text()
    assert len(ana[0].drafts.get(tab.draft.id).versions) == 3


def test_mark_final_sets_the_cycle_status_and_can_be_undone(make_page, qtbot, ana):
    saved_review(ana)
    store, _notes, cycle = ana
    page = make_page()
    tab = page.reviews_tab
    tab.bar.final_button.click()
    assert store.drafts.get(tab.draft.id).final_version == 1
    assert store.review_cycles.status(cycle.id, "p-ana") == "final"
    assert tab.bar.final_button.isChecked() and "final" in tab.bar.versions.currentText()
    assert "final" in tab.picker.status_chip.text().lower()
    tab.bar.final_button.click()
    assert store.drafts.get(tab.draft.id).final_version is None
    assert store.review_cycles.status(cycle.id, "p-ana") == "drafting"
    assert not tab.bar.final_button.isChecked()


# --- exports ---------------------------------------------------------------------------------------

def test_exports_write_owner_only_files_where_the_manager_chose(make_page, qtbot, ana, tmp_path, monkeypatch):
    saved_review(ana)
    page = make_page()
    tab = page.reviews_tab
    asked = []

    def choose(_parent, _title, suggested, _filter):
        asked.append(suggested)
        return str(tmp_path / suggested.name)
    monkeypatch.setattr(reviews_module, "ask_save_path", choose)
    def export(suffix):
        # Waited for by what the tab says: the export may finish before a test could connect
        # to its signal (a stress run lost that race).
        assert tab.export_to(suffix) is not None
        qtbot.waitUntil(lambda: tab.message.text().startswith("Exported to "), timeout=WAIT)
        ending = "." if tab.bar.include_citations else " without citations."
        assert tab.message.text().endswith(ending)
        return Path(tab.message.text().removeprefix("Exported to ").removesuffix(ending))
    written = {suffix: export(suffix) for suffix in (".md", ".pdf", ".docx")}
    assert [p.name for p in asked] == [f"Ana Ruiz — review H1 2026{s}" for s in (".md", ".pdf", ".docx")]
    assert asked[0].parent == reviews_module.documents_dir()
    for path in written.values():
        assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert written[".pdf"].read_bytes().startswith(b"%PDF")
    assert "[^1]" in written[".md"].read_text() and "11 March 2026" in written[".md"].read_text()
    tab.bar.citations_box.setChecked(False)
    shared = export(".md")
    assert "[^" not in shared.read_text() and "Ana missed the design review." in shared.read_text()


def test_a_cancelled_dialog_writes_nothing(make_page, ana, monkeypatch):
    saved_review(ana)
    page = make_page()
    monkeypatch.setattr(reviews_module, "ask_save_path", lambda *_: "")
    assert page.reviews_tab.export_to(".docx") is None


def test_copy_as_plain_text_fills_the_clipboard_and_is_remembered(make_page, ana):
    saved_review(ana)
    page = make_page()
    tab = page.reviews_tab
    tab.bar.citations_box.setChecked(False)
    text = tab.copy_plain_text()
    assert QGuiApplication.clipboard().text() == text == tab.clipboard_copy
    assert text == to_plain_text(tab.body, citations=False)
    assert "Ana delivered the billing migration early." in text


# --- the plan ---------------------------------------------------------------------------------------

def test_make_goal_adds_the_plan_goal_once(make_page, qtbot, ana):
    store, notes, _cycle = ana
    goal = {"title": "Lead the next design review", "specific": "Run the API design review",
            "measurable": "Reviewed before coding starts", "achievable": "With Li's help",
            "relevant": "Design reviews were missed", "due": "2026-09-30",
            "actions": ["Book the review", "Share the doc a day ahead"]}
    plan = Body("plan", "p-ana", "Ana Ruiz", None, None,
                (Section("goals", "Goals", (Statement("Lead the next design review by 30 September.",
                                                      (notes[2].id,), goal=goal),)),), None,
                sources={notes[2].id: {"type": "note", "date": notes[2].date, "title": None}})
    save_draft(store, plan)
    page = make_page()
    tab = page.reviews_tab
    tab.bar.kind_buttons["plan"].click()
    row = tab.draft_view.row("goals", 0)
    assert row.goal_button.text() == "Make goal"
    row.goal_button.click()
    goals = [g for g in store.goals.all() if g.person_id == "p-ana"]
    assert [g.title for g in goals] == ["Lead the next design review"]
    assert row.goal_button.text() == "Added to Goals" and not row.goal_button.isEnabled()
    assert "Lead the next design review" in page.goals_tab.model.index(0).data()
    tab.set_person("p-ana")
    assert not tab.draft_view.row("goals", 0).goal_button.isEnabled()


def test_locking_empties_the_tab(make_page, ana):
    saved_review(ana)
    page = make_page()
    tab = page.reviews_tab
    assert tab.draft_view.blocks
    page._session.lock()
    assert tab.draft_view.blocks == [] and tab.findings.cards == [] and tab.body is None
    assert tab.bar.versions.count() == 0


def test_a_review_shows_competency_headings_labels_and_which_sentences_the_model_reworded(qtbot):
    from PySide6.QtWidgets import QLabel

    from app.reviews.body import FROM_APP, FROM_MODEL, Coverage
    from ui.draft_view import DraftView

    coverage = Coverage(("2026-01",), (("c-delivery", "Delivery"), ("c-collab", "Collaboration")),
                        ((1, 1, 0),), (), (), 0.0, ())
    strengths = Section("strengths", "Strengths", (
        Statement("Ana shipped the export a day early.", ("n-1",), FROM_APP,
                  competencies=("c-delivery", "c-collab")),
        Statement("Ana delivered the rate limiter two days early.", ("n-2",), FROM_MODEL,
                  competencies=("c-delivery",)),
        Statement("She paired with Li on the flaky suite.", ("n-3",), FROM_APP,
                  competencies=("c-collab",)),
    ))
    body = Body("review", "p-ana", "Ana Ruiz", "2026-01-01", "2026-06-30", (strengths,), coverage)
    view = DraftView()
    qtbot.addWidget(view)
    view.show_body(body, lambda _id: {"type": "note", "date": "2026-01-12"}, heading="Review",
                   editable=False)
    block = view.block("strengths")
    assert [h.text() for h in block.headings] == ["Delivery", "Collaboration"]
    words = [label.text() for row in block.rows for label in row.findChildren(QLabel)]
    assert "Delivery · Collaboration" in words and words.count("reworded by the model") == 1
    model_row = block.rows[1]
    assert any(label.text() == "reworded by the model" for label in model_row.findChildren(QLabel))


def test_check_my_text_marks_each_sentence_and_opens_the_note_behind_it(make_page, qtbot, ana):
    from ui.check_text_dialog import CheckTextDialog
    page = make_page()
    tab = page.reviews_tab
    dialog = tab.open_check_text()
    qtbot.addWidget(dialog)
    assert isinstance(dialog, CheckTextDialog)
    dialog.editor.setPlainText(f"{NOTES[0][2]}\nAna led the company offsite in Lisbon.")
    checked = dialog.check()
    assert [c.supported for c in checked] == [True, False]
    assert dialog.summary.text() == "1 of 2 sentences supported by your notes."
    first, second = dialog.rows
    assert first.chips and first.chips[0].text() and not first.problems
    assert second.problems[0].text() == "No note on Ana in this period says this."
    with qtbot.waitSignal(tab.sig_open_note, timeout=WAIT) as opened:
        first.chips[0].click()
    assert opened.args == [first.item.citations[0]]
    assert ana[0].drafts.for_person("p-ana") == []


def test_notes_saved_while_a_draft_runs_and_fails_to_save_are_all_kept(make_page, qtbot, ana, monkeypatch):
    """The window's thread saves notes while the model thread drafts and then fails inside a
    save of its own: every note the window was told is saved stays saved (issue 15)."""
    import app.reviews.review_draft as review_draft

    real = review_draft.draft_review

    def draft_then_fail_to_save(store, *args, **kwargs):
        body = real(store, *args, **kwargs)
        with store.atomic():
            store.notes.add(person_id="p-li", text="Half-saved on the model thread")
            time.sleep(0.3)  # a slow disk: the window goes on saving meanwhile
            raise OSError("the disk is full")
        return body

    monkeypatch.setattr(review_draft, "draft_review", draft_then_fail_to_save)
    page = make_page(SentenceEngine(pause=0.01))
    tab, store = page.reviews_tab, ana[0]
    saved = []
    tab.bar.draft_review_button.click()
    while tab.busy or not saved:
        saved.append(store.notes.add(person_id="p-ana", date="2026-07-01", text=f"Typed {len(saved)}").id)
        qtbot.wait(2)
        assert len(saved) < 5000
    qtbot.waitUntil(lambda: not tab.busy, timeout=WAIT)
    kept = {n.id for n in store.notes.for_person("p-ana", limit=10_000)}
    assert set(saved) <= kept and len(saved) > 1
    assert [n.text for n in store.notes.for_person("p-li")] == ["Li rewrote the import tests."]
    assert "disk is full" in tab.message.text()


# --- sentences left out as private (issue 17) ---------------------------------------------

def test_the_draft_shows_what_it_left_out_as_private_and_lets_one_sentence_in(
        make_page, qtbot, ana, monkeypatch):
    store = ana[0]
    private = "She had hospital appointments on Monday mornings, agreed with HR."
    note = store.notes.add(person_id="p-ana", date="2026-05-20", kind="praise",
                           text=f"Ana closed the payroll audit early. {private}",
                           competencies=["c-delivery"])
    page = make_page()
    tab = page.reviews_tab
    tab.bar.draft_review_button.click()
    wait_for_draft(qtbot, tab)
    panel = tab.findings.left_out
    assert not panel.isHidden()  # on the Checks tab beside the draft
    [card] = panel.cards
    assert card.sentence.text == private and card.sentence.category == "health"
    assert card.button.text() == "Include this sentence…"
    assert "hospital" not in to_plain_text(tab.body)

    asked = []
    monkeypatch.setattr(reviews_module.left_out_panel, "ask_to_include",
                        lambda _parent, sentence, name: asked.append((sentence.text, name)) or False)
    card.button.click()
    assert asked == [(private, "Ana Ruiz")] and store.notes.get(note.id).included == ()

    monkeypatch.setattr(reviews_module.left_out_panel, "ask_to_include", lambda *_: True)
    card.button.click()
    assert store.notes.get(note.id).included == (private,)
    assert "Draft again to use it" in tab.message.text()
    assert "hospital" not in to_plain_text(tab.body)  # the version on show is unchanged
    first = tab.draft.id
    tab.bar.draft_review_button.click()
    qtbot.waitUntil(lambda: tab.draft is not None and tab.draft.id != first and not tab.busy,
                    timeout=WAIT)
    assert "hospital" in to_plain_text(tab.body)
    [card] = panel.cards
    assert card.button.text() == "Leave out again"
    card.button.click()
    assert store.notes.get(note.id).included == ()


# --- progress while drafting (issue 18, item 8) ---------------------------------------------

def test_drafting_says_which_section_and_sentence_it_is_on_and_the_tab_stays_usable(
        make_page, qtbot, ana):
    page = make_page(SentenceEngine(pause=0.01))
    tab, store = page.reviews_tab, ana[0]
    said = []
    tab.message.setText = lambda text, _set=tab.message.setText: said.append(text) or _set(text)
    tab.bar.draft_review_button.click()
    page.tabs.setCurrentWidget(page.timeline)          # the manager goes on working
    saved = store.notes.add(person_id="p-ana", date="2026-05-30", text="Ana paired on the export fix.")
    page.tabs.setCurrentWidget(tab)
    wait_for_draft(qtbot, tab)
    steps = [s for s in said if s.startswith("Writing ")]
    total = len(tab.body.sections)
    assert steps[0].startswith(f"Writing Summary (1 of {total})…")
    assert any(f"({total} of {total})" in s for s in steps)
    assert any("the model is rewording sentence 1 of" in s for s in steps)
    assert all("Esc stops" in s for s in steps)
    assert store.notes.get(saved.id).text == "Ana paired on the export fix."
