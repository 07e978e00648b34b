"""``trellis draft check``: a review the manager wrote, held to their notes sentence by sentence."""

import json
from pathlib import Path

import pytest

from app.exchange import import_file
from app.reviews.own_text import check_text, sentences_of

DATA = Path(__file__).parent / "data"
PERIOD = ("--from", "2026-01-01", "--to", "2026-11-30")
MINE = """Omar rewrote the webhook retry logic and cut duplicate events from about 200 a day to zero.
He ran the next retro on his own.
Omar missed the tax export deadline by 4 weeks.
His migration script was the cleanest his manager reviewed this year, which makes him our strongest engineer.
He is getting married in September.
Omar led the company offsite in Lisbon.
"""


@pytest.fixture
def labelled(store):
    import_file(store, DATA / "labelled_team.json")
    return store


def test_each_sentence_is_supported_with_its_notes_or_says_what_is_wrong(labelled):
    checked = check_text(labelled, "p-omar", "2026-01-01", "2026-11-30", MINE)
    assert [c.supported for c in checked] == [True, False, False, False, False, False]
    assert checked[0].citations == ("n-004",) and checked[0].problems == ()
    assert "a wish, plan or request" in checked[1].problems[0]
    assert "4 days; this sentence says 4 weeks" in checked[2].problems[0]
    assert "“strongest”" in checked[3].problems[0]
    assert checked[4].problems == ("This sentence holds a personal detail; a review should leave it out.",)
    assert checked[4].citations == ()
    assert checked[5].problems == ("No note on Omar in this period says this.",)


def test_a_paraphrase_of_two_notes_cites_both(labelled):
    text = ("Diego chased the payment provider outage to a root cause and wrote the postmortem "
            "the same week, and later spent a day shadowing support calls that gave 5 concrete "
            "fixes for the search UI.")
    [checked] = check_text(labelled, "p-diego", "2026-01-01", "2026-11-30", text)
    assert set(checked.citations) == {"n-001", "n-085"} and checked.supported


def test_text_is_split_by_line_and_by_sentence():
    assert sentences_of("One. Two!\n\nThree\n") == ["One.", "Two!", "Three"]


def test_the_command_prints_json_and_text_and_saves_nothing(run, labelled, tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text(MINE, encoding="utf-8")
    result = run("draft", "check", "Omar", str(mine), *PERIOD, "--json")
    assert result.returncode == 0, result.stderr
    sentences = json.loads(result.stdout)["sentences"]
    assert [s["supported"] for s in sentences] == [True, False, False, False, False, False]
    assert set(sentences[0]) == {"text", "supported", "citations", "problems"}
    result = run("draft", "check", "Omar", str(mine), *PERIOD)
    assert result.stdout.startswith("supported: Omar rewrote the webhook retry logic")
    assert "1 of 6 sentences supported" in result.stderr
    assert labelled.drafts.for_person("p-omar") == []


@pytest.mark.parametrize("content, message", [
    (None, "There is no file"), ("   \n", "there is no text in it to check"),
    (b"\xff\xfe\x00bad", "not UTF-8 text"),
])
def test_a_missing_empty_or_unreadable_file_is_refused_by_name(run, labelled, tmp_path, content,
                                                                 message):
    path = tmp_path / "mine.txt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    result = run("draft", "check", "Omar", str(path), *PERIOD)
    assert result.returncode == 1 and message in result.stderr


def test_the_period_is_required(run, labelled, tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text(MINE)
    result = run("draft", "check", "Omar", str(mine))
    assert result.returncode == 1 and "--from YYYY-MM-DD --to YYYY-MM-DD" in result.stderr
