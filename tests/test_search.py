"""Full-text search stays in step with notes and never chokes on what is typed."""

import pytest


@pytest.fixture
def notes(team):
    store, ana, li = team
    store.notes.add(person_id=ana.id, text="Led the incident review after the payments outage",
                    date="2026-03-02", kind="praise", note_id="n-incident")
    store.notes.add(person_id=li.id, text="Missed the roadmap deadline; flagged it late",
                    date="2026-04-10", kind="concern", note_id="n-roadmap")
    store.notes.add(person_id=ana.id, text="Über-helpful code review for Li — café chat after",
                    date="2026-05-01", note_id="n-review")
    return store


def ids(hits):
    return [hit.note_id for hit in hits]


def test_results_carry_person_date_and_snippet(notes):
    [hit] = notes.search("payments")
    assert (hit.note_id, hit.person_id, hit.person_name, hit.date, hit.kind) == (
        "n-incident", "p-ana", "Ana Ruiz", "2026-03-02", "praise")
    assert "[payments]" in hit.snippet


def test_last_word_matches_as_a_prefix_while_typing(notes):
    assert ids(notes.search("incid")) == ["n-incident"]
    assert ids(notes.search("roadmap dead")) == ["n-roadmap"]


def test_accents_and_case_do_not_matter(notes):
    assert ids(notes.search("uber")) == ["n-review"]
    assert ids(notes.search("CAFE")) == ["n-review"]


def test_index_follows_edits_trash_restore_and_purge(notes):
    notes.notes.update("n-roadmap", text="Delivered the roadmap on time after all")
    assert ids(notes.search("deadline")) == []
    assert ids(notes.search("delivered")) == ["n-roadmap"]
    notes.notes.trash("n-roadmap")
    assert ids(notes.search("delivered")) == []
    notes.notes.restore("n-roadmap")
    assert ids(notes.search("delivered")) == ["n-roadmap"]
    notes.notes.trash("n-roadmap")
    notes.notes.purge("n-roadmap")
    notes.db.execute("INSERT INTO notes_fts (notes_fts) VALUES ('integrity-check')")
    assert ids(notes.search("delivered")) == []


@pytest.mark.parametrize("typed", ['"', "*", "AND", "NEAR(", "-review", "a OR", "'); DROP TABLE notes; --",
                                   "col:incident", "^", "(((", "   ", ""])
def test_fts_syntax_in_the_query_is_just_text(notes, typed):
    notes.search(typed)  # no exception
    assert notes.db.execute("SELECT count(*) FROM notes").fetchone()[0] == 3


def test_custom_highlight_marks(notes):
    [hit] = notes.search("outage", mark=("<b>", "</b>"))
    assert "<b>outage</b>" in hit.snippet


def test_limit(notes):
    assert len(notes.search("the", limit=1)) == 1


def test_as_you_type_lists_the_newest_written_first(notes):
    store = notes
    store.notes.add(person_id="p-li", text="Second review of the rollout plan", date="2026-01-01",
                    note_id="n-later")
    assert ids(store.search("review")) == ["n-later", "n-review", "n-incident"]


def test_best_matches_first_when_asked(notes):
    store = notes
    store.notes.add(person_id="p-li", text="review review review: a review of reviews",
                    date="2026-01-01", note_id="n-reviews")
    assert ids(store.search("review", by_relevance=True))[0] == "n-reviews"
