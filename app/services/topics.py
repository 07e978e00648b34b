"""Suggested topics for the next 1:1, worded by the on-device model from the person's own records.

The app chooses what is worth raising — notes written since the last 1:1,
goals at risk or due soon, overdue action items — and the model only words
each one as a short topic (``prompts/agenda_topic.md``). Every topic cites
the one record it came from and goes through the grounding checker, which
replaces a topic that says more than its record with the record's own
words. The manager accepts or dismisses each; both answers are kept, so a
dismissed topic is not suggested again and an accepted one goes on the
next agenda once.

Personal notes and the notes of earlier 1:1s are never turned into topics:
an agenda is shared with the report.
"""

import datetime as dt
import json
import re
from dataclasses import dataclass

from ..assist.digest import ask_json
from ..assist.grounding import ground
from ..domain.dates import now_utc, parse_date, today_iso
from ..domain.records import Note, TopicSuggestion
from ..errors import InvalidInput
from ..llm.structured import StructuredOutputError
from ..reviews.meaning import MODALITY, meaning_problems
from ..reviews.reading import shareable_text
from ..reviews.phrase import Subject

PROMPT = "agenda_topic"
TOPIC_TOKENS = 60
MAX_NEW_TOPICS = 6
DUE_SOON_DAYS = 14
FIRST_LOOK_BACK_DAYS = 30       # how far back to look when there was no 1:1 yet
LEFT_OUT_KINDS = ("personal", "one_on_one")


@dataclass(frozen=True)
class TopicSource:
    """A record worth raising, in the shape the prompt and the checker read."""

    key: str          # "note:ID", "goal:ID" or "action:ID"
    id: str
    date: str
    text: str


def _shift(date: str, days: int) -> str:
    return (dt.date.fromisoformat(date) + dt.timedelta(days=days)).isoformat()


def goals_to_raise(store, person_id: str, today: str) -> list:
    """Open goals at risk, then those due within ``DUE_SOON_DAYS`` (overdue ones included)."""
    horizon = _shift(today, DUE_SOON_DAYS)
    goals = [g for g in store.goals.for_person(person_id)
             if g.status == "at_risk" or (g.status == "on_track" and g.due and g.due <= horizon)]
    return sorted(goals, key=lambda g: g.status != "at_risk")


def topic_sources(store, person_id: str, *, today: str) -> list[TopicSource]:
    """Overdue actions, then goals to raise, then notes since the last 1:1 (newest first)."""
    sources = [TopicSource(f"action:{a.id}", a.id, a.due, a.text)
               for a in store.actions.open_for_person(person_id) if a.due and a.due < today]
    sources += [TopicSource(f"goal:{g.id}", g.id, g.due or today,
                            ". ".join(filter(None, [g.title.strip(), g.description.strip()])))
                for g in goals_to_raise(store, person_id, today)]
    notes = [(n, shareable_text(n)) for n in reversed(_notes_since_last_one_on_one(store, person_id, today))]
    return sources + [TopicSource(f"note:{n.id}", n.id, n.date, text)  # never a personal sentence
                      for n, text in notes if text]


def _notes_since_last_one_on_one(store, person_id: str, today: str) -> list:
    last = store.meetings.last_for(person_id)
    start = _shift(last.date, 1) if last else _shift(today, -FIRST_LOOK_BACK_DAYS)
    if start > today:
        return []
    linked = {row[0] for row in store.db.execute(
        "SELECT id FROM notes WHERE person_id = ? AND meeting_id IS NOT NULL", [person_id])}
    return [n for n in store.notes.in_period(person_id, start, today)
            if n.kind not in LEFT_OUT_KINDS and n.id not in linked]


def suggest_topics(store, engine, library, person_id: str, *, stop=None,
                   today: str | None = None) -> list[TopicSuggestion]:
    """Word new topics for the person's next 1:1 and return every topic awaiting an answer.

    At most ``MAX_NEW_TOPICS`` records are worded per call; records already
    suggested, accepted or dismissed are not asked about again. Once
    ``stop`` is set, what was worded so far is kept and returned.
    """
    today = parse_date(today or today_iso(), where="today")
    person = store.people.get(person_id)
    others = [p.name for p in store.people.list(include_archived=True) if p.id != person_id]
    topics = TopicSuggestions(store)
    known = topics.known_keys(person_id)
    fresh = [s for s in topic_sources(store, person_id, today=today) if s.key not in known]
    for source in fresh[:MAX_NEW_TOPICS]:
        worded = _word(engine, library, person, others, source, stop)
        if worded is None:
            break
        if worded.text:
            topics.save(worded, model_sha256=engine.model_sha256,
                        prompt_version=library.get(PROMPT).version)
    return topics.pending(person_id)


def _word(engine, library, person, others, source: TopicSource, stop):
    """The source worded as a topic; None once stopped; a topic with no text if unusable."""
    note = {"id": source.id, "date": source.date, "text": source.text}
    try:
        reply = ask_json(engine, library.render(PROMPT, person=person.name, note=note),
                         TOPIC_TOKENS, stop=stop)
    except StructuredOutputError:
        reply = {"topic": ""}       # the record's own words stand in, as for any rejected topic
    if reply is None:
        return None
    grounded = ground(str(reply.get("topic", "")), [source], person_name=person.name,
                      other_people=others)
    if grounded.source == "model" and (says_only_the_name(grounded.text, person.name)
                                       or changes_the_meaning(grounded.text, source, person, others)):
        grounded = ground("", [source], person_name=person.name, other_people=others)
    text = (grounded.text or "").rstrip(".") if not grounded.dropped else ""
    return TopicSuggestion(person.id, source.key, text, (source.id,),
                           "model" if grounded.source == "model" else "fallback")


def changes_the_meaning(text: str, source: TopicSource, person, others) -> bool:
    """Whether a worded topic says what its record does not (a lost "not", a flipped outcome,
    someone else's act, another number, praise the record does not give)."""
    note = Note(source.id, person.id, source.date, "observation", source.text)
    return bool(meaning_problems(text, [note], Subject(person.name), others, skip=(MODALITY,)))


# Words that carry no topic of their own around a name ("Chat with Ana", "1:1 about Ana").
FILLER_WORDS = frozenset("""a an the and or with about for of on to in at re regarding topic topics
    discuss discussion chat check catch up sync meeting meet next one mr mrs ms dr""".split())
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def says_only_the_name(text: str, person_name: str) -> bool:
    """True when ``text`` holds no word beyond the person's name and filler words.

    The default model, asked to word a topic for "the next 1:1 with Sofía
    Herrera", often answers with the name alone; the grounding checker lets
    that through (the record names her), but it gives the manager nothing to
    judge, so such a topic takes its record's own words instead.
    """
    names = {part.casefold() for part in _WORD.findall(person_name)}
    words = [w.casefold() for w in _WORD.findall(text)]
    return not [w for w in words if w not in names and w not in FILLER_WORDS and len(w) > 1
                and not w.isdigit()]


_COLUMNS = "person_id, key, text, citations, wording, state, meeting_id"


def _suggestion(row) -> TopicSuggestion:
    return TopicSuggestion(row[0], row[1], row[2], tuple(json.loads(row[3])), row[4], row[5], row[6])


class TopicSuggestions:
    """The manager's answers to suggested topics, kept in the store."""

    def __init__(self, store):
        self._store = store
        self._db = store.db

    def save(self, topic: TopicSuggestion, *, model_sha256: str, prompt_version: str) -> None:
        with self._store.atomic():
            self._db.execute(
                "INSERT INTO topic_suggestions (person_id, key, text, citations, wording, state, "
                "model_sha256, prompt_version, created_at) VALUES (?, ?, ?, ?, ?, 'suggested', ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [topic.person_id, topic.key, topic.text, json.dumps(list(topic.citations)), topic.wording,
                 model_sha256, prompt_version, now_utc()])

    def _where(self, person_id: str, state: str, extra: str = "") -> list[TopicSuggestion]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM topic_suggestions WHERE person_id = ? AND state = ? {extra} "
            "ORDER BY created_at, key", [person_id, state])
        return [_suggestion(row) for row in rows]

    def pending(self, person_id: str) -> list[TopicSuggestion]:
        """Topics suggested and not yet accepted or dismissed."""
        return self._where(person_id, "suggested")

    def accepted_for_next_agenda(self, person_id: str) -> list[TopicSuggestion]:
        """Accepted topics not yet placed on a meeting."""
        return self._where(person_id, "accepted", "AND meeting_id IS NULL")

    def known_keys(self, person_id: str) -> set[str]:
        rows = self._db.execute("SELECT key FROM topic_suggestions WHERE person_id = ?", [person_id])
        return {row[0] for row in rows}

    def accept(self, person_id: str, key: str) -> TopicSuggestion:
        return self._decide(person_id, key, "accepted")

    def dismiss(self, person_id: str, key: str) -> TopicSuggestion:
        return self._decide(person_id, key, "dismissed")

    def _decide(self, person_id: str, key: str, state: str) -> TopicSuggestion:
        with self._store.atomic():
            changed = self._db.execute(
                "UPDATE topic_suggestions SET state = ? WHERE person_id = ? AND key = ? "
                "AND state = 'suggested'", [state, person_id, key]).rowcount
        if not changed:
            raise InvalidInput(f"No topic {key!r} is awaiting an answer for {person_id}")
        row = self._db.execute(f"SELECT {_COLUMNS} FROM topic_suggestions WHERE person_id = ? "
                               "AND key = ?", [person_id, key]).fetchone()
        return _suggestion(row)

    def place(self, person_id: str, keys, meeting_id: str) -> None:
        """Record that accepted topics went onto ``meeting_id``, so they come up once."""
        with self._store.atomic():
            for key in keys:
                self._db.execute(
                    "UPDATE topic_suggestions SET meeting_id = ? WHERE person_id = ? AND key = ? "
                    "AND state = 'accepted'", [meeting_id, person_id, key])
