"""The meaning checks (app.reviews.meaning) on labelled sentences and on the issue's examples.

tests/data/meaning_set.json (279 sentences over the labelled team) and
meaning_judging_set.json (195 over the judging team) were written before
the rules, by people who never saw them; the second is only ever scored.
The floors are what was measured when the rules were written
(docs/drafting.md), so a change that makes the checks worse fails; the
targets (refuse 0.95 of distortions, 0.05 or fewer true sentences) are
reported by ``make bench`` as ``drafts.check_recall`` and
``drafts.check_false_reject``.
"""

import json
from pathlib import Path

import pytest

from app.domain.records import Note
from app.reviews.meaning import (
    CITATION, JUDGEMENT, KINDS, MODALITY, NEGATION, OUTCOME, QUANTITY, WHO, meaning_problems,
    quantities,
)
from app.reviews.phrase import Subject, infer_pronoun

DATA = Path(__file__).parent / "data"
# (distortions refused at least, true sentences refused at most), measured 2026-12-07.
FLOORS = {"meaning_set": ("labelled_team", 0.95, 0.02),
          "meaning_judging_set": ("judging_team", 0.72, 0.19)}


def scores(name: str):
    team, _, _ = FLOORS[name]
    document = json.loads((DATA / f"{team}.json").read_text())
    sentences = json.loads((DATA / f"{name}.json").read_text())["sentences"]
    people = {p["id"]: p["name"] for p in document["people"]}
    notes = {n["id"]: Note(n["id"], n["person"], n["date"], n["kind"], n["text"]) for n in document["notes"]}
    subjects = {pid: Subject(nm, infer_pronoun(nm, [n.text for n in notes.values() if n.person_id == pid]))
                for pid, nm in people.items()}
    results = []
    for item in sentences:
        others = [nm for pid, nm in people.items() if pid != item["person"]]
        problems = meaning_problems(item["text"], [notes[c] for c in item["citations"]],
                                    subjects[item["person"]], others)
        results.append((item["distortion"], problems))
    return results


@pytest.mark.parametrize("name", FLOORS)
def test_distortions_are_refused_and_true_sentences_pass_at_the_measured_floor(name):
    results = scores(name)
    distortions = [bool(p) for kind, p in results if kind]
    truths = [bool(p) for kind, p in results if not kind]
    _, recall_floor, false_reject_ceiling = FLOORS[name]
    assert sum(distortions) / len(distortions) >= recall_floor
    assert sum(truths) / len(truths) <= false_reject_ceiling
    for _, problems in results:
        assert all(p.kind in KINDS and p.message.endswith(".") for p in problems)


def test_every_kind_of_distortion_is_caught_on_the_labelled_set():
    results = scores("meaning_set")
    for kind in KINDS:
        caught = [bool(p) for k, p in results if k == kind]
        assert sum(caught) / len(caught) >= 0.6, kind


# ---------------------------------------------------------------- the examples

DANA = Subject("Dana Whitfield", "she", frozenset({"Dana", "Whitfield", "Sam"}))
LEE = Subject("Lee Park", "he")


def note(text: str, note_id: str = "n-1", date: str = "2026-03-03", kind: str = "observation"):
    return Note(note_id, "p-1", date, kind, text)


def kinds(sentence: str, notes, subject=DANA, others=("Sam Ortiz",)) -> set[str]:
    return {p.kind for p in meaning_problems(sentence, notes, subject, others)}


def test_a_wish_is_never_stated_as_done():
    wish = [note("Dana would like to run the quarterly planning next time.")]
    assert MODALITY in kinds("Dana showed leadership by running the quarterly planning.", wish)
    assert MODALITY in kinds("Dana ran the quarterly planning.", wish)
    assert kinds("Dana would like to run the quarterly planning next time.", wish) == set()
    asked = [note("Asked her to present the migration plan at the guild.")]
    assert MODALITY in kinds("Dana presented the migration plan at the guild.", asked)
    told = [note("Told Dana to write the rollback steps into the runbook.")]
    assert MODALITY in kinds("Dana writes the rollback steps into the runbook.", told)
    assert kinds("Dana was told to write the rollback steps into the runbook.", told) == set()


def test_praise_the_notes_never_gave_is_refused():
    build = [note("He broke the nightly build twice in one week.")]
    found = meaning_problems("He broke the nightly build twice in one week, but he remains a "
                             "reliable engineer.", build, LEE)
    assert JUDGEMENT in {p.kind for p in found}
    assert "reliable" in " ".join(p.message for p in found)
    assert JUDGEMENT in kinds("Dana fixed the flaky test, because she is careful.",
                              [note("Fixed the flaky test in the billing suite.")])


def test_a_sentence_citing_two_notes_must_use_both():
    notes = [note("Shipped the invoice export a day early.", "n-1"),
             note("Ran the Q4 capacity planning end to end.", "n-2", "2026-10-21")]
    found = meaning_problems("Dana shipped the invoice export a day early.", notes, DANA)
    assert [p.kind for p in found] == [CITATION]
    assert "21 October" in found[0].message
    assert kinds("Dana shipped the invoice export a day early and ran the Q4 capacity "
                 "planning end to end.", notes) == set()


def test_negation_outcome_and_who_did_what():
    review = [note("Merged the settings refactor without a second reviewer.")]
    assert NEGATION in kinds("Dana merged the settings refactor with a second reviewer.", review)
    late = [note("The billing migration went out late.")]
    assert OUTCOME in kinds("Dana's billing migration went out on time.", late)
    mentored = [note("Sam mentored Dana through her first on-call week.")]
    assert WHO in kinds("Dana mentored Sam through his first on-call week.", mentored)
    told = [note("Told Dana to loop in support before changing refund rules.", kind="feedback_given")]
    assert WHO in kinds("Dana told support to loop her in before changing refund rules.", told)
    assert kinds("Dana was told to loop in support before changing refund rules.", told) == set()


def test_quantities_keep_their_units_and_what_they_count():
    slip = [note("The migration slipped 3 days; four reviewers signed off.")]
    assert QUANTITY in kinds("The migration slipped 3 weeks.", slip)
    assert QUANTITY in kinds("The migration slipped 14 days.", slip)
    assert kinds("The migration slipped three days, and 4 reviewers signed off.", slip) == set()
    assert quantities("two hundred tickets in a week") == [("200", "ticket"), ("1", "week")]
    assert quantities("12 per cent of tickets in a fortnight, on 4 March 2026") == [
        ("12%", ""), ("2", "week")]


def test_trellis_own_frames_are_not_judgements():
    notes = [note("Billing migration slipped 2 weeks.", "n-1", "2026-02-03"),
             note("Flagged the retention risk 3 weeks before launch.", "n-2", "2026-07-09")]
    assert meaning_problems("Communication improved between February and July.", notes, DANA,
                            known=("Communication",)) == []
    assert meaning_problems("Dana flagged the retention risk 3 weeks before launch "
                            "(feedback given on 9 July).", notes[1:], DANA) == []
