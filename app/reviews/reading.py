"""Reading a note the way a manager would before writing a review.

Why this module exists: a note is not one piece of evidence. "Led the
incident review calmly. Also training for a marathon." holds a strength
and a piece of private life; "Great demo on Friday; phase two estimates
look optimistic again" holds a strength and a growth area. So a note is
split into parts (at sentence ends and semicolons), and each part is read
as one of:

- ``strength``: something done well, or a good outcome of their work;
- ``growth``: a shortfall, a concern, or a request to change;
- ``aspiration``: what they want, would like, are interested in, asked
  about, or feel unsure about;
- ``context``: a neutral fact, or a part not about the person;
- ``personal``: private life, which never reaches a draft or a plan.

The note's kind is a hint, not the answer: a concern is never read as a
strength, a praise note may still hold a concern, and a 1:1 note often
holds wishes. The rules are word lists (``reading_words.toml``) and small
functions, tested on a labelled team and judged on one nobody here wrote.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from ..assist.language import split_sentences
from ..domain.records import Note
from . import words as W
from .manager_voice import answer_to_their_question
from .phrase import FEEDBACK, OTHER, PREDICATE, Phrase, Subject
from .voice import review_voice
from .wording import is_verb, tidy

STRENGTH, GROWTH, ASPIRATION, CONTEXT, PERSONAL = (
    "strength", "growth", "aspiration", "context", "personal")
LABELS = (STRENGTH, GROWTH, ASPIRATION, CONTEXT, PERSONAL)
# Trailing clauses that a personal detail may sit in, and be cut from:
# "Stepped in on call when Diego was sick" keeps what she did.
_TRAILING = re.compile(r",?\s+(?:even\s+though|although|though|even\s+if|when|while|because|since|as|after|so)\s+",
                       re.IGNORECASE)
# A measured result: "from 12 to 3", "down 22%", "25 minutes".
_METRIC = re.compile(r"(?i)\bfrom\s+\S*\d|\d\s*%|\b\d[\d,.]*\s*(?:ms|s|seconds?|minutes?|hours?|"
                     r"days?|weeks?|tickets?|points?|x)\b")
_COUNTERFACTUAL = re.compile(r"(?i)\b(?:would|could|should|might)\s+have\b")
_WITHOUT = re.compile(r"(?i)\bwithout\s+((?:a\s+single\s+|any\s+)?\w+ing\b|any\b|a single\b)")


@dataclass(frozen=True)
class Part:
    """One part of a note: a sentence, or a clause between semicolons."""

    note: Note
    index: int
    text: str
    sentence: int  # parts of one sentence share this number
    question: bool = False
    last: bool = True  # no part of the note comes after this one
    sentence_text: str = ""  # the whole sentence the part is in, as written

    @property
    def included(self) -> bool:
        """Whether the manager chose to let this part's sentence into drafts."""
        return bool(self.sentence_text) and self.sentence_text in self.note.included


@dataclass(frozen=True)
class Reading:
    """What one part of a note says about the person, and in which voice."""

    part: Part
    label: str
    phrase: Phrase
    kept_text: str  # the part without a private detail cut from its end

    @property
    def about_person(self) -> bool:
        return self.phrase.kind != OTHER

    @property
    def note(self) -> Note:
        return self.part.note


def note_parts(note: Note) -> list[Part]:
    """The note's parts in order: sentences split at semicolons, without end marks."""
    parts = []
    for number, sentence in enumerate(split_sentences(note.text or "")):
        for clause in re.split(r"\s*;\s*|\s*\n\s*", sentence.text):
            text = clause.strip().rstrip(".!?…").strip()
            if text:
                parts.append(Part(note, len(parts), text, number, clause.rstrip().endswith("?"),
                                  last=False, sentence_text=sentence.text.strip()))
    return parts[:-1] + [replace(parts[-1], last=True)] if parts else parts


def read_note(note: Note, subject: Subject) -> list[Reading]:
    """Every part of the note with its label; a personal note's parts are all personal."""
    readings, previous = [], None
    for part in note_parts(note):
        reading = read_part(part, subject, previous)
        if previous is not None and previous.label == PERSONAL and \
                previous.part.sentence == part.sentence:
            reading = Reading(part, PERSONAL, reading.phrase, part.text)
        readings.append(reading)
        previous = reading
    return readings


def shareable_text(note: Note) -> str:
    """What of the note may leave the manager's own eyes: for a model prompt, an agenda or
    a share. "" for a personal note; a work note without its personal sentences (and a
    sentence's parts after a personal one), a personal trailing clause cut. A note with
    nothing personal comes back as written."""
    if note.kind == "personal":
        return ""
    kept, cut, private, sentence = [], False, False, None
    for part in note_parts(note):
        if part.sentence != sentence:
            private, sentence = False, part.sentence
        if private or sensitive(part):
            head = None if private else _without_personal_tail(part.text)
            cut = private = True
            if head:
                kept.append(f"{head}.")
            continue
        kept.append(part.text + ("?" if part.question else "."))
    return " ".join(kept) if cut else note.text


def read_part(part: Part, subject: Subject, previous: Reading | None = None) -> Reading:
    text = part.text
    if part.note.kind == "personal" or sensitive(part):
        kept = _without_personal_tail(text)
        if kept is None or part.note.kind == "personal":
            return Reading(part, PERSONAL, review_voice(text, subject, note_kind=part.note.kind), text)
        text = kept
    phrase = review_voice(text, subject, note_kind=part.note.kind)
    if previous is not None:
        phrase = answer_to_their_question(text, previous.phrase) or phrase
    return Reading(part, label_of(tidy(text), phrase, part, previous, subject), phrase, text)


def sensitive(part: Part) -> bool:
    """Whether the part speaks of private life (health, family, religion …) and the manager
    has not chosen to let its sentence into drafts."""
    return not part.included and W.first(W.personal_phrases(), part.text) is not None


def _without_personal_tail(text: str) -> str | None:
    """The part with a trailing clause cut, when only that clause is private."""
    for cut in _TRAILING.finditer(text):
        head = text[:cut.start()].strip()
        if head and not W.first(W.personal_phrases(), head) and len(head.split()) >= 3:
            return head
    return None


# ---------------------------------------------------------------- labels

def label_of(text: str, phrase: Phrase, part: Part, previous: Reading | None,
             subject: Subject | None = None) -> str:
    """The part's label, by the rules in the module docstring."""
    kind = part.note.kind
    if phrase.follows and previous is not None and previous.label != PERSONAL:
        return previous.label  # "Caught in review by Amara": goes with what was caught
    if _is_aspiration(text, phrase):
        return ASPIRATION
    if part.question:
        return CONTEXT  # the manager's open question, not a finding
    if phrase.request:
        return _request_label(phrase.text, kind)
    judged = fragment_polarity(text)
    if judged:
        return judged
    if phrase.attribution == FEEDBACK and kind == "feedback_given" and not strength_cue(text):
        return GROWTH
    if growth_cue(text, theirs=phrase.kind != OTHER):
        if not _setting(phrase, part, previous):
            return GROWTH
        if part.note.kind == "praise" and not phrase.manager:
            return CONTEXT  # the trouble she walked into is not a strength either
    if _continues(previous, part, text):
        return previous.label
    if phrase.kind == OTHER:
        return _other_label(text, phrase, part, previous, subject)
    return _person_label(text, phrase, kind, previous)


_WORRY = re.compile(r"(?i)^(?:admitted|admits|confessed|confided)\b|\b(?:worries|worried|is afraid|"
                    r"fears)\s+that\b")


def _person_label(text: str, phrase: Phrase, kind: str, previous: Reading | None) -> str:
    if kind == "concern":
        return GROWTH
    if _WORRY.search(text):
        return CONTEXT  # "Admitted he worries that cutting detail will look less rigorous": how
        # they feel, whatever words of praise the worry holds
    if kind == "praise" and previous is not None and previous.label == STRENGTH and \
            phrase.kind == PREDICATE and _acts(phrase.text):
        return STRENGTH  # "Paired each with a mentor … and booked shadowing": what the praised
        # work was made of, even where a word of it ("shadowing") is usually context
    if context_cue(text) and not strength_cue(text):
        return CONTEXT
    if kind == "praise" or strength_cue(text):
        return STRENGTH
    if kind == "feedback_given" and previous is not None:
        return CONTEXT  # how they took the feedback
    return CONTEXT if kind in ("one_on_one", "other") or phrase.manager else STRENGTH


def _acts(predicate: str) -> bool:
    """Whether a predicate is a list of things done ("paired each with a mentor, wrote a
    guide and booked …"): it opens with a past-tense verb and names more than one."""
    first = predicate.split(" ", 1)[0].lower()
    return is_verb(first) and first not in ("was", "is", "has", "had", "were") and \
        ("," in predicate or " and " in predicate)


def _setting(phrase: Phrase, part: Part, previous: Reading | None) -> bool:
    """A scene-setting part not about the person ("Vendor API was down all morning"),
    before what the person did; a note that is only such a part is the evidence itself."""
    first_of_more = previous is None and not part.last and part.note.kind != "concern"
    in_praise = (part.note.kind == "praise" and not part.last  # "Their ops lead was furious …"
                 and not _CONTRAST.search(part.text)
                 and not re.match(r"(?i)(?:i\s+(?:\w+\s+){0,3}note\s+(?:that\s+)?)?(?:it|that|this)\s",
                                  part.text))  # "(I have to note) it was nine days late": her work  # before what she did about it: the
    # scene, not her shortfall ("… ran three weeks over plan, though" is one)
    return phrase.kind == OTHER and (phrase.manager or first_of_more or in_praise)


_CONTRAST = re.compile(r"(?i)\b(?:though|but|however|although|yet|even so)\b")


def _request_label(request: str, kind: str) -> str:
    if W.first(W.listed("growth", "corrective"), request) or growth_cue(request):
        return GROWTH
    if W.first(W.listed("growth", "opportunity"), request):
        return CONTEXT
    return GROWTH if kind in ("feedback_given", "concern") else CONTEXT


def fragment_polarity(text: str) -> str | None:
    """Praise or a concern from the adjective a fragment opens with ("Lovely handling of …")."""
    words = text.split()
    lead = {w.lower() for w in W.listed("voice", "intensifiers")}
    first = next((w.lower().strip(",") for w in words if w.lower() not in lead), "")
    if not words or words[0][:1].islower():
        return None
    if first in W.listed("voice", "good_adjectives"):
        return STRENGTH
    if first in W.listed("voice", "bad_adjectives"):
        return GROWTH
    return None


def _other_label(text: str, phrase: Phrase, part: Part, previous: Reading | None,
                 subject: Subject | None = None) -> str:
    """A part not about the person counts only as a result of their work."""
    kind = part.note.kind
    if _ended_problems(text) and kind not in ("concern", "personal") and not phrase.manager:
        return STRENGTH  # "the checklist he wrote has stopped the config misses"
    if kind == "concern" and not phrase.manager and subject is not None and _names_them(text, subject):
        return GROWTH  # "The Payments sync is slipping under Kenji: …": the concern is his
    if phrase.manager or kind in ("one_on_one", "other", "personal"):
        return CONTEXT
    if kind != "concern" and not _COUNTERFACTUAL.search(text) and \
            (strength_cue(text) or (kind == "praise" and previous is not None)):
        return STRENGTH  # in a concern, what others did is never the person's strength, and
        # "the notes would have covered" is what did not happen
    if _METRIC.search(text):
        if kind in ("praise", "concern"):
            return STRENGTH if kind == "praise" else GROWTH
        if previous is not None and previous.label in (STRENGTH, GROWTH) and \
                previous.part.sentence == part.sentence:
            return previous.label
    return CONTEXT


def _names_them(text: str, subject: Subject) -> bool:
    """Whether a part names the person the note is about, after its first word ("slipping
    under Kenji", "Kenji's rota")."""
    words = re.findall(r"[\w'’-]+", text)[1:]
    return any(w.split("'")[0].split("’")[0] == subject.first for w in words)


def _is_aspiration(text: str, phrase: Phrase) -> bool:
    """A wish of the person's own: not the manager's wish for them."""
    cue = W.first(W.listed("aspiration", "cues"), text)
    if cue is None:
        return False
    if re.search(r"(?i)\bhad\s+been\s+(?:\w+\s+)?$", text[:cue.start()]):
        return False  # "she had been dreading it": a feeling that is over, not one ahead
    if phrase.manager and not phrase.reported:
        return False  # "I asked her about X", "We want her to X"
    if phrase.kind == OTHER and re.match(r"(?i)(?:the|a|an|our|this|that|every)\s", text):
        return False  # "the committee wants one more example": someone else's wish
    return not (cue.group().lower().startswith("asked") and phrase.request)


def _corrective(request: str) -> bool:
    return W.first(W.listed("growth", "corrective"), request) is not None or bool(growth_cue(request))


def _continues(previous: Reading | None, part: Part, text: str) -> bool:
    """A short follow-on of the same sentence or a bare tally ("Third time this sprint")."""
    if previous is None or previous.label not in (STRENGTH, GROWTH):
        return False
    if strength_cue(text) or context_cue(text):
        return False
    same_sentence = previous.part.sentence == part.sentence
    tally = re.match(r"(?i)(?:the\s+)?(?:second|third|fourth|fifth|\w+)\s+time\b", text)
    return bool(tally) or (same_sentence and len(text.split()) <= 4)


def growth_cue(text: str, *, theirs: bool = False) -> str | None:
    """The first growth cue that nothing negates ("never missed" is not one). In a part about
    the person (``theirs``), a problem they flagged is not one either."""
    if re.match(r"(?i)(?:should|must|ought to)\b", text):
        return text.split()[0]  # "Should involve support earlier"
    without = _WITHOUT.search(text)
    if without and not W.first(W.listed("growth", "good_without"), without.group(1)):
        return without.group()
    negatable = W.listed("growth", "negatable")
    ended = _ended_problems(text) + (_surfaced_problems(text) if theirs else [])
    for match in W.find(W.listed("growth", "cues"), text):
        if W.first(negatable, match.group()) and _negated(text, match.start()):
            continue
        if any(start <= match.start() < end for start, end in ended):
            continue  # "stopped the config misses": the problem is what ended
        if _circumstance(text, match.start()):
            continue  # "kept their cool through four increasingly rude emails"
        return match.group()
    return None


_CIRCUMSTANCE = re.compile(r"(?i)\b(?:through|despite|from|against|amid|amidst|among|with)\s+"
                           r"(?:(?:a|an|the|some|several|many|two|three|four|five|\d+|very|really|"
                           r"increasingly|extremely|fairly|quite|so|such)\s+){0,3}$")


def _circumstance(text: str, position: int) -> bool:
    """Whether the cue at ``position`` only describes what the person faced: a word in "through
    four increasingly rude emails" or "complaints from angry customers"."""
    return _CIRCUMSTANCE.search(text[:position]) is not None


def _ended_problems(text: str) -> list[tuple[int, int]]:
    """Spans of "stopped … misses" (an ending verb, up to four words, a problem), and of
    what a fix verb fixed ("fixed … the focus order that support had complained about")."""
    return [m.span() for pattern in _ended_patterns() for m in pattern.finditer(text)]


@functools.cache
def _ended_patterns() -> tuple[re.Pattern[str], ...]:
    verbs = "|".join(re.escape(v) for v in W.listed("growth", "ending_verbs"))
    problems = "|".join(re.escape(p) for p in sorted(W.listed("growth", "ended_problems"),
                                                     key=len, reverse=True))
    fixes = "|".join(re.escape(v) for v in W.listed("growth", "fix_verbs"))
    return (re.compile(rf"(?i)\b(?:{verbs})\s+(?:[\w'’-]+\s+){{0,4}}?(?:{problems})\b"),
            re.compile(rf"(?i)\b(?:{fixes})\b[^;]*?\b(?:that|which)\b[^,;]*"))


def _surfaced_problems(text: str) -> list[tuple[int, int]]:
    """Spans of "flagged the last slip": a problem the person raised, not one they caused."""
    return [m.span() for m in _surfacing_pattern().finditer(text)]


@functools.cache
def _surfacing_pattern() -> re.Pattern[str]:
    verbs = "|".join(re.escape(v) for v in W.listed("growth", "surfacing_verbs"))
    problems = "|".join(re.escape(p) for p in sorted(W.listed("growth", "ended_problems"),
                                                     key=len, reverse=True))
    return re.compile(rf"(?i)\b(?:{verbs})\s+(?:[\w'’-]+\s+){{0,4}}?(?:{problems})\b")


def _negated(text: str, position: int) -> bool:
    """ "never missed", "no rework", "missed nothing": the cue's bad news is undone."""
    before = text[:position].split()[-2:]
    after = text[position:].split()[1:2]
    negators = {n.lower() for n in W.listed("growth", "negators")}
    return any(w.lower().strip(",") in negators for w in before) or \
        any(w.lower().strip(",.:;") in ("nothing", "none") for w in after)


def strength_cue(text: str) -> str | None:
    match = W.first(W.listed("strength", "cues"), text)
    return match.group() if match else None


def context_cue(text: str) -> str | None:
    match = W.first(W.listed("context", "cues"), text)
    return match.group() if match else None
