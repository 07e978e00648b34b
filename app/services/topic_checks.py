"""A suggested topic must say what to talk about, not only whom it is with.

The default model, asked to word a topic for "the next 1:1 with Sofía
Herrera", often answers with the name alone. The grounding checker
accepts that — a name the record contains is no unsupported claim — but
six topics that all read "Sofía Herrera" give the manager nothing to
judge. ``reword_name_only_topics`` replaces such a topic, while it still
awaits an answer, with its record's own words, exactly as the checker's
fallback words any rejected topic; it runs after ``suggest_topics`` in
the same job, so the manager never sees the name-only wording.
"""

import re

from ..assist.grounding import ground
from ..errors import NotFound
from .topics import TopicSource, TopicSuggestions

# Words that carry no topic of their own around a name ("Chat with Ana", "1:1 about Ana").
FILLER_WORDS = frozenset("""a an the and or with about for of on to in at re regarding topic topics
    discuss discussion chat check catch up sync meeting meet next one mr mrs ms dr""".split())
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def says_only_the_name(text: str, person_name: str) -> bool:
    """True when ``text`` holds no word beyond the person's name and filler words."""
    names = {part.casefold() for part in _WORD.findall(person_name)}
    words = [w.casefold() for w in _WORD.findall(text)]
    return not [w for w in words if w not in names and w not in FILLER_WORDS and len(w) > 1
                and not w.isdigit()]


def _source(store, key: str) -> TopicSource | None:
    """The record a topic came from, in the shape the checker reads; None if it is gone."""
    kind, _, record_id = key.partition(":")
    try:
        if kind == "note":
            note = store.notes.get(record_id)
            return TopicSource(key, note.id, note.date, note.text)
        if kind == "goal":
            goal = store.goals.get(record_id)
            text = ". ".join(filter(None, [goal.title.strip(), goal.description.strip()]))
            return TopicSource(key, goal.id, goal.due or "", text)
        if kind == "action":
            action = store.actions.get(record_id)
            return TopicSource(key, action.id, action.due or "", action.text)
    except NotFound:
        return None
    return None


def reword_name_only_topics(store, person_id: str) -> list[str]:
    """Give each pending name-only topic its record's own words; returns the keys changed."""
    person = store.people.get(person_id)
    others = [p.name for p in store.people.list(include_archived=True) if p.id != person_id]
    changed = []
    for topic in TopicSuggestions(store).pending(person_id):
        source = _source(store, topic.key)
        if source is None or not says_only_the_name(topic.text, person.name):
            continue
        fallback = ground("", [source], person_name=person.name, other_people=others)
        if fallback.source == "fallback" and fallback.text:
            _reword(store, topic, fallback.text.rstrip("."))
            changed.append(topic.key)
    return changed


def _reword(store, topic, text: str) -> None:
    with store.atomic():
        store.db.execute(
            "UPDATE topic_suggestions SET text = ?, wording = 'fallback' WHERE person_id = ? "
            "AND key = ? AND state = 'suggested'", [text, topic.person_id, topic.key])
