"""Personal stays personal (issue 15, part 3).

Every prompt the model receives on every path that reaches it (key points,
1:1 topics, competency suggestions, review drafts, section regeneration,
development plans, the rewording inside them) is recorded, with canaries
in a personal note, in a personal sentence inside a work note and in a
personal clause at the end of a work sentence. None may appear in a
prompt, a draft, a plan, its shared export, a suggested topic or an agenda.
"""

import datetime as dt

import pytest

from app.assist.digest import digest_notes
from app.llm.fake_engine import FakeEngine
from app.llm.prompts import PromptLibrary
from app.llm.structured import StructuredOutputError
from app.domain.records import Note
from app.reviews.evidence import build_brief, suggest_competencies
from app.reviews.export import to_markdown, to_plain_text
from app.reviews.plan import draft_plan
from app.reviews.reading import shareable_text
from app.reviews.review_draft import draft_review, regenerate_section
from app.services.agenda import agenda_markdown, next_agenda
from app.services.topics import TopicSuggestions, suggest_topics, topic_sources

CANARIES = ("KESTREL", "OSPREY", "HERON", "PLOVER")
NOTES = [
    ("2026-10-05", "personal", "Her father is back in hospital, KESTREL ward; she may need days off."),
    ("2026-10-12", "observation", "Ana shipped the importer on time. Her divorce is going through "
                                  "(OSPREY court date), so she is tired."),
    ("2026-10-19", "praise", "Ana ran the planning session well while her mum was in hospital HERON."),
    ("2026-10-26", "concern", "Ana missed the design review; she was off sick with a migraine PLOVER."),
    ("2026-11-02", "observation", "Ana paired with Li on the billing bug and fixed it in a day."),
    ("2026-11-09", "observation", "Ana would like to lead the next incident review."),
]


class RecordingEngine(FakeEngine):
    """Answers any prompt with a reply that fits every Trellis schema loosely; keeps the prompts."""

    REPLY = ('{"sentence": "Ana shipped the importer on time.", "topic": "The importer release", '
             '"competency_ids": [], "points": []}')

    def stream(self, request, stop):
        if not self._replies:
            self.enqueue(self.REPLY)
        return (yield from super().stream(request, stop))

    def prompt_text(self) -> str:
        return "\n".join(m.content for r in self.requests for m in r.messages)


@pytest.fixture
def canaries(team):
    store, ana, li = team
    for date, kind, text in NOTES:
        store.notes.add(person_id=ana.id, date=date, kind=kind, text=text,
                        competencies=["c-delivery"] if kind != "personal" else [])
    store.notes.add(person_id=ana.id, date="2026-10-20", kind="observation",
                    text="Ana wrote the migration guide for the support team.")  # untagged
    return store, ana


def leaked(text: str) -> list[str]:
    return [c for c in CANARIES if c in text]


def test_shareable_text_leaves_out_personal_notes_sentences_and_clauses():
    def shared(kind, text):
        return shareable_text(Note("n-1", "p-1", "2026-01-01", kind, text))
    assert shared("personal", NOTES[0][2]) == ""
    assert shared("observation", NOTES[1][2]) == "Ana shipped the importer on time."
    assert shared("praise", NOTES[2][2]) == "Ana ran the planning session well."
    assert shared("concern", NOTES[3][2]) == "Ana missed the design review."
    assert shared("observation", NOTES[4][2]) == NOTES[4][2]  # nothing personal: as written


def test_no_personal_text_reaches_any_prompt_draft_plan_topic_or_agenda(canaries):
    store, ana = canaries
    engine, library = RecordingEngine(), PromptLibrary()
    outputs, asked = [], {}

    def path(name, work):
        before = len(engine.requests)
        try:
            result = work()
        except StructuredOutputError:  # the loose reply did not fit; the prompt was sent
            result = None
        asked[name] = len(engine.requests) - before
        return result

    body = path("review", lambda: draft_review(store, engine, library, ana.id, "2026-10-01", "2026-11-30"))
    outputs += [to_markdown(body), to_plain_text(body, citations=False)]
    again = path("regenerate", lambda: regenerate_section(store, engine, library, body, "strengths"))
    outputs.append(to_markdown(again))
    plan = path("plan", lambda: draft_plan(store, engine, library, ana.id, today="2026-11-30"))
    outputs += [to_markdown(plan), to_plain_text(plan, citations=False)]
    brief = build_brief(store, ana.id, "2026-10-01", "2026-11-30")
    path("suggestions", lambda: suggest_competencies(store, engine, library, brief))
    topics = path("topics", lambda: suggest_topics(store, engine, library, ana.id, today="2026-11-30"))
    outputs += [t.text for t in topics]
    for topic in TopicSuggestions(store).pending(ana.id):
        TopicSuggestions(store).accept(ana.id, topic.key)
    entries = next_agenda(store, ana.id, today="2026-11-30")
    outputs.append(agenda_markdown(entries, range(len(entries)), first_name="Ana"))

    pytest.importorskip("PySide6")
    from ui.assistant import recent_notes
    notes = recent_notes(store, ana.id, today=dt.date(2026, 11, 30))
    path("key points", lambda: digest_notes(engine, library, person="Ana Ruiz", notes=notes))

    assert all(asked.values()), asked  # the model was really asked on every path
    prompts = engine.prompt_text()
    assert "importer" in prompts and "billing bug" in prompts  # work notes do reach it
    assert leaked(prompts) == []
    assert leaked("\n".join(outputs)) == []
    assert topics, asked
    sources = {s.text for s in topic_sources(store, ana.id, today="2026-10-20")}
    assert "Ana shipped the importer on time." in sources and not leaked(" ".join(sources))
