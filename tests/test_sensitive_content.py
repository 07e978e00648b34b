"""Sensitive content (issue 17, item 1): the special categories of data-protection law are
found by sentence, in several phrasings, inside any work note; they reach no draft, plan,
topic or prompt, and the draft says what it left out and why ("Left out: health")."""

import pytest

from app.domain.records import Note
from app.llm.prompts import PromptLibrary
from app.reviews.reading import shareable_text
from app.reviews.review_draft import draft_review
from app.reviews.words import personal_category
from conftest import copying_engine

WORK = "Ana shipped the billing migration on time."
PHRASINGS = {  # written for this test, not taken from the word list's examples
    "health": ["She told me about her chemotherapy schedule.", "Her panic attacks came back this week.",
               "She sees a therapist on Tuesday mornings.", "She is recovering from knee surgery."],
    "family and relationships": ["Her divorce is being finalised.", "Her mother moved in with her.",
                                 "She is getting married in June."],
    "pregnancy": ["She is pregnant and due in the spring.", "Maternity leave starts in May.",
                  "She is going through IVF."],
    "religion": ["She is observing Ramadan this month.", "She goes to the synagogue on Saturdays."],
    "union membership": ["She became the union rep for our floor.", "She joined the union last month."],
    "immigration status": ["Her work permit expires in March.", "Her visa renewal is stuck."],
    "sexuality": ["She came out to the team at the offsite.", "She mentioned her wife is a nurse."],
}
CASES = [(category, sentence) for category, sentences in PHRASINGS.items() for sentence in sentences]



@pytest.mark.parametrize("category, sentence", CASES)
def test_each_special_category_is_found_in_several_phrasings(category, sentence):
    assert personal_category(sentence) == category
    note = Note("n-1", "p-ana", "2026-03-02", "observation", f"{WORK} {sentence}")
    assert shareable_text(note) == WORK  # what a prompt, a topic or an agenda may see


def test_a_draft_leaves_each_one_out_and_says_which_kind(team):
    store, ana, _ = team
    for day, (category, sentence) in enumerate(CASES, start=1):
        store.notes.add(person_id=ana.id, date=f"2026-03-{day:02d}", kind="observation",
                        text=f"Ana closed {day} support tickets. {sentence}",
                        competencies=["c-delivery"])
    engine = copying_engine()
    body = draft_review(store, engine, PromptLibrary(), ana.id, "2026-03-01", "2026-03-31")
    text = " ".join(s.text for section in body.sections for s in section.statements)
    assert "support tickets" in text
    for telling in ("chemotherapy", "panic", "therapist", "surgery", "divorce", "mother", "married",
                    "pregnant", "Maternity", "IVF", "Ramadan", "synagogue", "union", "permit",
                    "visa", "came out", "wife"):
        assert telling.lower() not in text.lower(), telling
    prompts = " ".join(m.content for r in engine.requests for m in r.messages)
    for _category, sentence in CASES:
        assert sentence not in prompts
    reasons = " ".join(item["reason"] for item in body.excluded)
    for category in PHRASINGS:
        assert f"Left out: {category}." in reasons, category
