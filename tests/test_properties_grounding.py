"""Property: the grounding checker never raises, never invents citations, never refuses the notes' own words.

Every sentence a model writes for a draft passes through
``app.assist.grounding``; a crash there would lose a draft, a citation
outside the given notes would point a manager at the wrong evidence, and
a checker that refused the notes' own words would replace good sentences
with fallbacks. Hypothesis writes the sentences and the notes: arbitrary
text, and notes built from names, numbers, dates, months, weekdays, rare
words and punctuation.
"""

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from app.assist.grounding import check_sentence, ground

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "trellis-hypothesis")
FAST = settings(max_examples=150, deadline=None, database=None)


@dataclass(frozen=True)
class CitedNote:
    id: str
    date: str
    text: str


VOCABULARY = [
    "Ana", "Kenji", "Zoë", "led", "the", "billing", "migration", "shipped", "rate", "limiter",
    "week", "early", "late", "customers", "Redis", "PR", "#412", "3", "7+", "40%", "1.2M",
    "three", "twice", "first", "March", "May", "Monday", "Q3", "2026", "2026-03-12",
    "last", "sprint", "yesterday", "ago", "days", "on-call", "naïve", "retry", "API", "SRE",
    "mentored", "interns", "postmortem", "she", "they", "—", ",", ".", "(", ")", "!", "?",
    "'s", "don't", "re-org", "k8s", "v2.1", "10:30", "$5k", "½",
]
words = st.sampled_from(VOCABULARY) | st.text(min_size=1, max_size=8).filter(lambda s: not s.isspace())
note_texts = st.lists(words, min_size=1, max_size=14).map(" ".join)
note_dates = (st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat)
              | st.text(max_size=12))
notes = st.builds(CitedNote, id=st.text(min_size=1, max_size=6), date=note_dates, text=note_texts)
note_lists = st.lists(notes, max_size=4)
person_names = st.sampled_from(["Ana Ruiz", "Kenji", "Zoë Ní Bhriain", ""]) | st.text(max_size=12)
others = st.lists(st.sampled_from(["Kenji Sato", "Priya", "Mateus"]) | st.text(max_size=10), max_size=3)


@FAST
@given(sentence=st.text(max_size=80) | note_texts, cited=note_lists, person=person_names,
       other_people=others)
def test_the_checker_never_raises_and_cites_only_given_notes(sentence, cited, person, other_people):
    verdict = check_sentence(sentence, cited, person_name=person, other_people=other_people)
    given_ids = {note.id for note in cited}
    assert set(verdict.citations) <= given_ids
    assert verdict.accepted == (not verdict.problems)
    assert all(isinstance(problem, str) and problem.strip() for problem in verdict.problems)
    grounded = ground(sentence, cited, person_name=person, other_people=other_people)
    assert set(grounded.citations) <= given_ids
    assert grounded.source in ("model", "fallback", "dropped")
    assert (grounded.text is None) == (grounded.source == "dropped")
    if grounded.source == "fallback":
        assert grounded.citations == (cited[0].id,)


@st.composite
def runs_of_note_words(draw):
    """Notes, and a sentence that is a run of consecutive words of one of them."""
    cited = draw(st.lists(notes, min_size=1, max_size=3))
    source = draw(st.sampled_from(cited)).text.split()
    start = draw(st.integers(0, len(source) - 1))
    end = draw(st.integers(start + 1, len(source)))
    return cited, " ".join(source[start:end])


@FAST
@given(case=runs_of_note_words(), person=person_names)
def test_a_run_of_a_cited_notes_own_words_is_never_rejected(case, person):
    cited, sentence = case
    verdict = check_sentence(sentence, cited, person_name=person)
    assert verdict.accepted, (sentence, verdict.problems)


# Words that only combine into a date or a number when put side by side
# ("March" + "12") are left out: a new combination is a new specific.
PLAIN_WORDS = [w for w in VOCABULARY if w.isalpha() and w not in
               {"March", "May", "Monday", "last", "yesterday", "ago", "days", "week", "three",
                "twice", "first", "sprint"}]


@FAST
@given(note_words=st.lists(st.sampled_from(PLAIN_WORDS) | st.text(
           st.characters(categories=["Ll", "Lu"]), min_size=1, max_size=9), min_size=1, max_size=12),
       data=st.data())
def test_the_notes_plain_words_in_any_order_are_never_rejected(note_words, data):
    cited = [CitedNote("n-1", "2026-03-02", " ".join(note_words))]
    chosen = data.draw(st.lists(st.sampled_from(note_words), min_size=1, max_size=10))
    sentence = " ".join(chosen) + "."
    verdict = check_sentence(sentence, cited, person_name="Ana Ruiz")
    assert verdict.accepted, (sentence, verdict.problems)
