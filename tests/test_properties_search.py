"""Property: whatever a manager types into search, the answer is results or a sentence.

The search box and ``trellis search`` take free text, and FTS5 has a query
language of its own (quotes, ``NEAR(``, ``*``, ``-``, ``^``, ``col:``
filters, AND/OR/NOT). Hypothesis types text mixed from that syntax,
unicode words, emoji, control characters and NUL: ``store.search`` must
return hits (never raise anything but ``InvalidInput``), the command line
must exit 0 or 1 with a message and never a traceback, and any word of a
note, typed as it is written, must find that note.
"""

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from app import cli as trellis_cli
from app.errors import InvalidInput
from app.store import Store
from conftest import FAST_KDF, PASSPHRASE, run_cli

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "trellis-hypothesis")

FTS_SYNTAX = ['"', '""', "NEAR(", "NEAR(a b, 2)", ")", "(", "*", "-", "^", "+", ":", "text:",
              "notes_fts:", "{text}:", "AND", "OR", "NOT", "and", "'", "\\", "%", "_", ";",
              "--", "/*", "x'00'", "\x00", "\u200b", "\u0301", "🎉", "👩🏽‍💻", "ß", "İ", "ﬁ",
              "שלום", "日本語", "\t", "\n", " "]
queries = st.lists(st.sampled_from(FTS_SYNTAX) | st.text(max_size=6), max_size=8).map("".join)
NOTES = [
    "Ana led the billing migration; customers noticed nothing.",
    "Café meeting with Zoë about the naïve retry loop — fixed (PR #412).",
    "Review: \"NEAR(\" is not an operator here * - ^ text:nothing",
    "שלום — היא הובילה את הפגישה 🎉",
    "Kenji was worried about looking slow; 3 → 7+ days.",
]
WORDS = st.text(st.characters(min_codepoint=0x30, max_codepoint=0x4FF,
                              categories=["Lu", "Ll", "Nd"]), min_size=1, max_size=10)


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """A store with a few awkward notes, and the data dir it lives in."""
    home = tmp_path_factory.mktemp("search") / "home"
    with Store.open(home, passphrase=PASSPHRASE, kdf=FAST_KDF) as store:
        store.people.add(name="Ana Ruiz", person_id="p-ana")
        for text in NOTES:
            store.notes.add(person_id="p-ana", text=text, date="2026-03-02")
        yield store, home


@settings(max_examples=300, deadline=None, database=None)
@given(query=queries, relevance=st.booleans())
def test_search_returns_hits_or_a_sentence_for_any_query(searched, query, relevance):
    store, _ = searched
    try:
        hits = store.search(query, by_relevance=relevance)
    except InvalidInput as refusal:
        assert " " in str(refusal).strip(), "a refusal is a sentence"
        return
    assert all(hit.person_id == "p-ana" for hit in hits)


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries)
def test_cli_search_never_shows_a_traceback(searched, monkeypatch, capsys, query):
    _, home = searched
    monkeypatch.setenv("TRELLIS_HOME", str(home))
    code = trellis_cli.main(["search", "--", query])
    out, err = capsys.readouterr()
    assert code in (0, 1)
    assert "Traceback" not in out + err
    assert err.startswith("trellis: ") if code else "match" in out or "Ana Ruiz" in out


@pytest.fixture(scope="module")
def word_store(tmp_path_factory):
    with Store.open(tmp_path_factory.mktemp("words") / "home", passphrase=PASSPHRASE,
                    kdf=FAST_KDF) as store:
        store.people.add(name="Li Wei", person_id="p-li")
        yield store


@settings(max_examples=150, deadline=None, database=None)
@given(word=WORDS, around=st.sampled_from(["{}", "x {} y", "({})", "{}, then", "\"{}\""]))
def test_a_word_of_a_note_finds_that_note(word_store, word, around):
    note = word_store.notes.add(person_id="p-li", text=around.format(word), date="2026-03-03")
    try:
        found = [hit.note_id for hit in word_store.search(word, limit=500)]
    finally:
        word_store.db.execute("DELETE FROM notes WHERE id = ?", [note.id])
    assert note.id in found


def test_fts_syntax_typed_at_the_real_command_line_is_searched_as_words(searched):
    _, home = searched
    result = run_cli("search", "--", '"NEAR( text:^* -operator "', env={"TRELLIS_HOME": str(home)})
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "Ana Ruiz" in result.stdout and "operator" in result.stdout
