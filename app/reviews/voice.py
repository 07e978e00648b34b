"""A note's sentence in the review's voice: about the person, in the third person.

Why this module exists: managers write notes to themselves ("Told her the
rollout plan was clear", "Late to standup again", "I noticed they've been
quieter in planning", "We agreed he'll co-chair with Farah first"). A
review says the same things about the person: "Her rollout plan was clear
(feedback given on 3 March)", "He was late to standup again", "Rowan has
been quieter in planning", "He will co-chair with Farah first (agreed on
17 February)". ``review_voice`` turns one part of a note into a ``Phrase``:

- ``PREDICATE``: a verb phrase whose subject is the person ("led the
  incident review"), so the composer chooses the name or a pronoun;
- ``CLAUSE``: a whole clause about the person ("{Poss} demo was great");
- ``OTHER``: not about the person ("the team missed the sprint goal").

Placeholders ``{subj}``, ``{Subj}``, ``{poss}``, ``{Poss}`` stand for the
person's name or pronoun and are filled when the sentence is written
(``Subject.fill``). The rules are word lists in ``reading_words.toml`` and
small functions: those about the person here, the manager's own words in
``manager_voice``, the wording they share in ``wording``; nothing here asks
a model.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace

from . import words as W
from . import manager_voice
from .manager_voice import ACTS, FRAMES
from .phrase import (
    AGREED, CLAUSE, FEEDBACK, OTHER, PREDICATE, PRONOUNS, Phrase, Subject, person_pattern,
)
from .wording import (
    ADVERBS, PREPOSITIONS, is_verb, lower_first, plural, third_person, tidy, with_a_or_an, with_article,
)


def review_voice(text: str, subject: Subject, *, note_kind: str = "") -> Phrase:
    """The part in the review's voice (see the module docstring)."""
    text = tidy(text)
    labelled = _labelled(text, subject, note_kind)
    if labelled is not None:
        return labelled
    for rule in (*FRAMES, _doubt, _person_subject, _possessive, _reported, *ACTS, _came_across,
                 _subjectless, _reaction, _fragment):
        phrase = rule(text, subject, note_kind)
        if phrase is not None:
            return replace(phrase, text=third_person(phrase.text))
    return Phrase(OTHER, third_person(with_article(text, subject.names, subject.proper)))


def _labelled(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "Feedback on the Q2 roadmap draft: strong on the what, weak on why now" and other
    "Label: what it says" parts: the label says what the rest is about."""
    match = re.match(r"^(?P<lead>[^:;]{3,60}):\s+(?P<rest>\S.*)$", text)
    if match is None or len(match.group("lead").split()) > 7 or _has_verb(match.group("lead")):
        return None
    opening = match.group("lead").split()[0].lower()
    if is_verb(opening) and opening.endswith("ed") and not _has_verb(f"- {match.group('rest')}"):
        return None  # "Stretched across too many things: hiring, crits, roadmap": the lead is
        # the clause, the rest only lists
    lead, rest = match.group("lead").strip(), match.group("rest")
    if lead.lower() in W.listed("voice", "agreements"):
        inner = review_voice(rest, subject, note_kind=kind)
        if inner.kind == OTHER and not re.match(r"(?i)(?:the|a|an|we|i)\s", rest):
            return Phrase(PREDICATE, f"agreed to {lower_first(rest)}", manager=True,
                          attribution=AGREED)
        return replace(inner, manager=True, attribution=AGREED)
    feedback = W.first(W.listed("voice", "feedback_words"), lead) is not None
    attribution = FEEDBACK if feedback else ""
    topic = re.match(r"(?i)^(?:feedback|comments?|notes?)\s+(?:on|about)\s+(?:the\s+|her\s+|his\s+|their\s+)?(.+)$",
                     lead)
    if topic and re.match(r"(?i)[a-z]+\s+(?:on|in|at|about|but|and|,)", rest) and \
            _fragment(rest, subject, kind) is not None:
        return Phrase(CLAUSE, f"{{Poss}} {topic.group(1)} was {lower_first(rest)}", manager=True,
                      attribution=FEEDBACK)
    if W.first(W.listed("voice", "event_labels"), lead) and not feedback:
        return Phrase(OTHER, f"{lead}: {rest}")  # what happened, told as it was written
    if not feedback:
        qualities = _qualities(lead, rest)
        if qualities is not None:
            return qualities
    inner = review_voice(rest, subject, note_kind=kind)
    if inner.kind != OTHER:
        return replace(inner, attribution=inner.attribution or attribution,
                       manager=inner.manager or feedback)
    names = "|".join(re.escape(n) for n in subject.names)
    if re.search(rf"\b(?:{names})\b|(?i:\b(?:her|his|their)\b)", lead) and not feedback:
        opening = lead if lead.split()[0].split("'")[0] in subject.names else lower_first(lead)
        return Phrase(CLAUSE, f"In {opening}, {rest}")
    if not feedback:
        return None  # "Agreed a draft-early process with product: skeleton notes …": not a
        # label the rest can go without; the whole part is read as it stands
    return replace(inner, manager=True, attribution=attribution)


_DETERMINER_OPENING = re.compile(r"(?i)^(?:the|a|an|this|that|these|those|his|her|their|our|my)\s")


def _qualities(lead: str, rest: str) -> Phrase | None:
    """ "Design review for Acme: thorough, well documented, shared with every team": a thing
    named, then what it was like, said of the thing ("Her design review for Acme was …").
    Only where the rest opens with an adjective and has no verb of its own."""
    words = rest.rstrip(".").split()
    intensifiers = W.listed("voice", "intensifiers")
    first = next((w.lower().strip(",") for w in words if w.lower() not in intensifiers), "")
    if first not in W.listed("voice", "adjectives") or first in ("first", "another", "big", "long",
                                                                  "short", "major", "huge"):
        return None
    if any(w.lower().strip(",") in _FINITE for w in words):
        return None
    items = [item.strip() for item in rest.rstrip(".").split(",")]
    if len(items) >= 3 and not items[-1].lower().startswith("and "):
        items[-1] = "and " + items[-1]
    thing = lead if _DETERMINER_OPENING.match(lead) else "{Poss} " + lower_first(lead)
    nouns = lead.split()
    head = next((i for i, w in enumerate(nouns) if w.lower() in PREPOSITIONS and i), len(nouns))
    verb = "were" if plural(nouns[head - 1]) else "was"
    return Phrase(CLAUSE, f"{thing} {verb} {', '.join(items)}")


def _has_verb(text: str) -> bool:
    """Whether a few words hold a verb ("Amara is in too many meetings") or only name a thing."""
    words = re.findall(r"[\w'’-]+", text)
    return any(w.lower() in ("is", "are", "was", "were", "has", "have", "had") or is_verb(w.lower())
               for w in words[1:])


def _doubt(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "Not sure she's ready for the pre-sales side yet": like any part without a subject,
    about the person; their own doubt ("Noor is not sure she is ready …")."""
    match = re.match(rf"(?i)^not\s+(?P<how>sure|convinced|certain)\s+(?:that\s+)?"
                     rf"(?P<rest>(?-i:{person_pattern(subject, objects=False)})\s.*)$", text)
    if match is None:
        return None
    return Phrase(PREDICATE, f"is not {match.group('how').lower()} {match.group('rest')}")


def _person_subject(text: str, subject: Subject, kind: str) -> Phrase | None:
    match = re.match(rf"^(?P<subj>{person_pattern(subject, objects=False)})(?P<rest>\s.*)$", text)
    if match is None:
        return None
    rest = match.group("rest").strip()
    if re.match(r"(?i)(?:and|&|with)\s", rest):
        return Phrase(CLAUSE, text)
    plural = match.group("subj").lower() == "they"
    # "was surprised, had not noticed at all": two things said of them, joined as two
    rest = re.sub(r"^((?:was|is|were|are|seemed|looked|felt)\s[^,]+),\s+((?:had|has|was|is|did|does)\s"
                  r"[^,]+)$", r"\1 and \2", rest)
    return Phrase(PREDICATE, rest, plural=plural)


def _possessive(text: str, subject: Subject, kind: str) -> Phrase | None:
    names = "|".join(re.escape(n) for n in subject.names)
    possessives = PRONOUNS[subject.pronoun][2] if subject.pronoun in PRONOUNS else "her|his|their"
    if re.match(rf"^(?:(?i:{possessives})|(?:{names})['’]s)\s", text):
        return Phrase(CLAUSE, text)
    return None


def _reported(text: str, subject: Subject, kind: str) -> Phrase | None:
    match = re.match(r"(?i)^(?:said|says|mentioned|mentions|told me|tells me)\s+(?:that\s+)?(?P<rest>.*)$",
                     text)
    if match is None:
        return None
    verb = "says" if text.lower().startswith(("says", "mentions", "tells")) else "said"
    if text.lower().startswith("mention") and not re.search(r"(?i)^mention\w*\s+that\b", text) \
            and not _has_clause(match.group("rest")):
        verb = "mentions" if text.lower().startswith("mentions") else "mentioned"  # "Mentioned
        # Write the Docs Prague as something to aim for": a thing named, not words said
    return Phrase(PREDICATE, f"{verb} {match.group('rest')}", reported=True)


def _has_clause(rest: str) -> bool:
    """Whether ``rest`` is a clause with its own verb ("she is tired") rather than a thing."""
    return re.search(r"(?i)\b(?:is|was|are|were|has|had|have|will|would|can|could|did|does|do)\b",
                     rest) is not None


_AFTER_RECEIVED = {"at", "by", "for", "about", "in", "on", "overnight", "twice", "three", "again",
                   "during", "after", "before", "into", "when", "across", "too", "thin"}


def _came_across(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "Read like we were protecting ourselves": how the thing just named came across,
    said of it ("It read like …"), not something the person read."""
    match = re.match(r"(?i)^(?P<verb>read|reads|looked|looks|sounded|sounds|came across|comes across|"
                     r"felt|feels)\s+(?P<rest>(?:like|as if|as though|as)\s.*)$", text)
    if match is None:
        return None
    return Phrase(CLAUSE, f"it {match.group('verb').lower()} {match.group('rest')}")


def _passive(text: str) -> bool:
    """ "Caught in review by Amara", "Already copied by the platform team": a participle and
    who did it, with no subject of its own."""
    return _passive_pattern().match(text) is not None


@functools.cache
def _passive_pattern() -> re.Pattern[str]:
    """Compiled once: every subjectless part is tried against it."""
    participles = "|".join(map(re.escape, W.listed("voice", "past_participles")))
    return re.compile(rf"(?i)(?:(?:already|quickly|later|then|also|since|soon)\s+)?(?:[a-z]+ed|{participles})"
                      rf"\s+(?:(?:in|during|at|on|before|after|within)\s+[\w-]+\s+)?by\s+"
                      rf"(?:the\s|a\s|an\s|(?-i:[A-Z]))")


def _subjectless(text: str, subject: Subject, kind: str) -> Phrase | None:
    if re.match(rf"(?i)^(?:is|are|was|does|did|can|could|will|should|has)\s+"
                rf"(?-i:{person_pattern(subject, objects=False)})\b", text):
        return Phrase(OTHER, text, manager=True)  # "Is she ready to own an area?": the
        # manager thinking aloud, not something she did
    words = text.split()
    first = words[0] if words else ""
    word = first.lower().strip(",")
    received = W.first(W.listed("voice", "received"), text)
    if received is not None and received.start() == 0 and len(words) > 1 and \
            text[received.end():].split()[0].lower() in _AFTER_RECEIVED:
        return Phrase(PREDICATE, "was " + lower_first(text))  # "Paged at 02:10" → "was paged …"
    if _passive(text):
        return Phrase(CLAUSE, "it was " + lower_first(text), follows=True)  # "Caught in review by Amara":
        # what the part before named was caught, not the person
    if is_verb(word) or (word in ADVERBS and len(words) > 1 and is_verb(words[1].lower())):
        return Phrase(PREDICATE, lower_first(text))
    following = words[1] if len(words) > 1 else ""
    named = following[:1].isupper() and following != "I"  # "Mentoring Priya ahead of …"
    if word.endswith("ing") and len(word) > 5 and re.fullmatch(
            person_pattern(subject, objects=True), following.strip(",")):
        return Phrase(OTHER, text, manager=True)  # "Adding her to the planning call": the
        # manager's act (she would be adding "herself")
    if word.endswith("ing") and len(word) > 5 and (following.lower() in _AFTER_GERUND or named) \
            and not _GERUND_SUBJECT.match(text):
        return _ongoing(text)
    return None


_GERUND_SUBJECT = re.compile(r"(?i)^\w+ing\s+(?:[\w'’-]+\s+){0,4}?(?:means|is|was|makes|takes|matters|"
                             r"counts|needs|requires|helps|beats|works)\b")  # "Owning a ticket
# means owning the follow-up": a gerund subject with its own verb, not a fragment


_STILL_GOING = re.compile(r",\s+(?P<verb>[a-z]+s)\s+(?=(?:her|him|them|the|a|an|his|their|every|each|"
                          r"with|weekly|daily)\b)")


def _ongoing(text: str) -> Phrase:
    """ "Coaching Dev through on-call": what they were doing. Said in the present where the
    note goes on in it ("Mentoring Priya, meets her weekly"): one tense in one sentence."""
    still = _STILL_GOING.search(text)
    if still is None:
        return Phrase(PREDICATE, "was " + lower_first(text))
    joined = text[:still.start()] + " and " + still.group("verb") + " " + text[still.end():]
    return Phrase(PREDICATE, "is " + lower_first(joined))


def _reaction(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "Exactly what we practised": the manager's comment on what came before, no evidence."""
    if re.match(r"(?i)^(?:exactly|just|precisely)\s+what\s+(?:we|I)\b", text):
        return Phrase(OTHER, text, manager=True)
    return None


def _fragment(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "Late to standup again" → "was late …"; "Great demo on Friday" → "{Poss} demo … was great"."""
    words = text.split()
    lead = W.listed("voice", "intensifiers")
    i = 0
    while i < len(words) - 1 and words[i].lower() in lead:
        i += 1
    adjective = words[i].lower().strip(",") if i < len(words) else ""
    if adjective not in W.listed("voice", "adjectives") and adjective not in _WISHES:
        return None
    if adjective == "first":
        return None  # "First 1:1 since …" counts, it does not judge
    again = " again" if any(w.lower() == "another" for w in words[:i]) else ""
    rest = words[i + 1:]
    if len(rest) > 1 and rest[0].lower() == "to" and rest[1].lower() in _REACTIONS:
        return Phrase(OTHER, text, manager=True)  # "Nice to see after …": the manager's reaction
    before_comma = rest[:next((k + 1 for k, w in enumerate(rest) if w.endswith(",")), len(rest))]
    if any(w.lower() in _FINITE or is_verb(w.lower()) for w in before_comma[:4]):
        return None  # "a late plan is fine": a clause with its own verb, not a fragment
        # ("Good content, though it overran": the verb after the comma is another clause's)
    done = _job_done(words[:i], words[i], rest, again)
    if done is not None:
        return done
    if not rest or adjective in _WISHES or \
            rest[0].lower().strip(",") in W.listed("voice", "after_adjective"):
        verb = "is" if adjective in _WISHES else "was"
        adverbs = [w.lower() for w in words[:i] if w.lower() not in ("a", "an", "another", "one")]
        return Phrase(PREDICATE, " ".join([verb, *adverbs, words[i].lower(), *rest]) + again)
    return _evaluated(words[:i], words[i], rest, again)


_REACTIONS = {"see", "hear", "watch", "read", "have"}


_FINITE = {"is", "was", "are", "were", "has", "have", "had", "will", "would", "can", "could"}


_AFTER_GERUND = {"on", "with", "to", "through", "in", "at", "for", "about", "the", "a", "an", "his",
                 "her", "their", "out", "up", "over", "into", "towards", "toward",
                 "whether", "if", "how"}  # "Wondering whether to submit a talk"


_WISHES = {"interested", "keen", "nervous", "unsure", "curious", "excited", "eager", "anxious",
           "worried", "back"}


def _job_done(lead: list[str], adjective: str, rest: list[str], again: str) -> Phrase | None:
    """ "Great job getting the postmortem out": praise of something she did, said as hers."""
    if len(rest) < 2 or rest[0].lower() not in ("job", "work") or not (
            rest[1].lower().endswith("ing") or rest[1].lower() in ("on", "with", "in", "at")):
        return None
    adverbs = [w.lower() for w in lead if w.lower() not in ("a", "an", "another", "one", "such")]
    praised = " ".join([*adverbs, adjective.lower()])
    what = f"a {praised} job" if rest[0].lower() == "job" else f"{praised} work"
    return Phrase(PREDICATE, f"did {with_a_or_an(what)} {' '.join(rest[1:])}{again}")


def _evaluated(lead: list[str], adjective: str, rest: list[str], again: str) -> Phrase:
    thing = " ".join(rest)
    tail = ""
    comma = thing.find(",")
    if comma > 0:
        thing, tail = thing[:comma], thing[comma + 1:].strip()
    adverbs = [w.lower() for w in lead if w.lower() not in ("a", "an", "another", "one", "such")]
    head = next((w for w in thing.split() if w.lower() in PREPOSITIONS), None)
    noun = thing.split()[thing.split().index(head) - 1] if head and thing.split().index(head) else thing.split()[-1]
    verb = "were" if plural(noun) else "was"
    text = f"{{Poss}} {thing} {verb} {' '.join([*adverbs, adjective.lower()])}{again}"
    if tail and is_verb(tail.split()[0].lower()):
        text += f", and {{subj}} {lower_first(tail)}"
    elif tail:
        text += f", {tail}"  # "…, root cause found in under an hour"
    return Phrase(CLAUSE, text)


manager_voice.read_with(lambda text, subject, kind: review_voice(text, subject, note_kind=kind))
