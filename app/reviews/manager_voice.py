"""The manager's own words in a note: what they told, asked, agreed, thought or answered.

Why this module exists: a note is the manager writing to themselves ("Told
her the rollout plan was clear", "I noticed …", "We agreed …", "Said yes").
A review says what that means about the person, with the manager's acts
marked (``Phrase.manager``) and feedback and agreements dated
(``Phrase.attribution``). These are the rules of ``app.reviews.voice`` that
read the manager's part; ``voice.review_voice`` tries them in order with the
rules about the person.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from . import words as W
from .phrase import AGREED, CLAUSE, FEEDBACK, OTHER, PREDICATE, Phrase, Subject, person_pattern


_reader: Callable[[str, Subject, str], Phrase] | None = None


def read_with(reader: Callable[[str, Subject, str], Phrase]) -> None:
    """How to read what a frame holds: ``voice.review_voice``, which hands itself over when
    it is imported (it tries these rules among its own; this module does not import it)."""
    global _reader
    _reader = reader


def _read(text: str, subject: Subject, note_kind: str = "") -> Phrase:
    """What a frame holds ("told her that …", "I think …"), read like any other part."""
    return _reader(text, subject, note_kind)


def _own_todo(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "Need to help her decline meetings": the manager's own to-do, not about the person."""
    todo = "|".join(re.escape(w) for w in W.listed("voice", "own_todo"))
    if re.match(rf"(?i)^(?:{todo})\b", text):
        return Phrase(OTHER, text, manager=True)
    return None


def _feedback_alone(text: str, subject: Subject, kind: str) -> Phrase | None:
    """In feedback the manager gave, "Suggested opening with …" and "Shared it …" are the
    manager's acts: a suggestion becomes advice to the person, the rest is left out."""
    if kind != "feedback_given":
        return None
    acts = "|".join(re.escape(w) for w in W.listed("voice", "feedback_acts_alone"))
    match = re.match(rf"(?i)^(?P<verb>{acts})\b\s*(?P<rest>.*)$", text)
    if match is None:
        return None
    rest = match.group("rest")
    if match.group("verb").lower() in ("suggested", "recommended", "proposed") and \
            re.match(r"(?i)\w+ing\b", rest):
        return Phrase(PREDICATE, f"was advised to consider {rest}", manager=True, request=True,
                      attribution=FEEDBACK)
    return Phrase(OTHER, text, manager=True)


def _manager_act(text: str, subject: Subject, kind: str) -> Phrase | None:
    acts = W.words()["voice"]["manager_acts"]
    verbs = "|".join(acts)
    match = re.match(rf"^(?:(?:I|We)\s+(?:also\s+|then\s+|have\s+|had\s+)?)?(?P<verb>(?i:{verbs}))\s+"
                     rf"(?P<obj>{person_pattern(subject, objects=True)})\b,?\s*(?P<rest>.*)$", text)
    if match is None:
        return None
    verb, rest = match.group("verb").lower(), match.group("rest")
    feedback = verb in W.listed("voice", "feedback_acts")
    if verb in ("told", "let", "gave"):
        return _told(verb, rest, subject, feedback)
    if verb == "asked":
        return _asked(rest)
    return Phrase(PREDICATE, f"was {acts[verb]} {rest}".strip(), manager=True,
                  attribution=FEEDBACK if feedback else "")


def _asked_the_manager(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "Would I back them for lead if it came up": the person's question to the manager
    ("I" is the manager), said as "asked whether their manager would back them …"."""
    match = re.match(r"(?i)^(?P<modal>would|will|could|can|should)\s+I\s+(?P<rest>.+)$", text)
    if match is None:
        return None
    return Phrase(PREDICATE, f"asked whether {{poss}} manager {match.group('modal').lower()} "
                  f"{match.group('rest')}", reported=True)


def _my_concern(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "My concern (with Omar) is that he …": the manager's framing; what it frames stays."""
    match = re.match(r"(?i)^(?:my|our)\s+(?:main\s+|biggest\s+|one\s+|real\s+)?"
                     r"(?:concern|worry|hope|sense|feeling|impression|fear|view)\s+"
                     r"(?:(?:with|about|for)\s+\S+\s+)?(?:here\s+)?is\s+that\s+(?P<rest>.+)$", text)
    if match is None:
        return None
    return _framed(match.group("rest"), subject, kind)


def _i_note(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "I do have to note it was nine days late": the manager putting a fact on record; the
    fact is the evidence, read as if written alone."""
    match = re.match(r"(?i)^I\s+(?:do\s+|also\s+|should\s+|must\s+|have\s+to\s+|need\s+to\s+|"
                     r"want\s+to\s+|would\s+)*(?:note|say|add|flag|point\s+out)\s+(?:that\s+)?"
                     r"(?P<rest>.+)$", text)
    if match is None:
        return None
    inner = _read(match.group("rest"), subject, note_kind=kind)
    return inner if inner.kind != OTHER else Phrase(OTHER, match.group("rest"))


def _passed_on(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "Passed on Sofía's comment that his review notes felt curt": someone's feedback the
    manager relayed, said with whose it was."""
    match = re.match(r"(?i)^(?:I\s+)?(?:passed on|relayed|forwarded|shared)\s+(?P<whose>(?:[\w-]+['’]s|"
                     r"some|the)\s+(?:\w+\s+)?(?:comment|feedback|remark|concern|observation)s?)\s+"
                     r"that\s+(?P<rest>.+)$", text)
    if match is None:
        return None
    attribution = FEEDBACK if kind == "feedback_given" else ""
    return Phrase(PREDICATE, f"was told of {match.group('whose')} that {match.group('rest')}",
                  manager=True, attribution=attribution)


def _said_to_them(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "Shared with them that I'd like them to speak up more": said as "Told them that …"."""
    match = re.match(rf"(?i)^(?:I\s+)?(?:shared with|said to|explained to|made it clear to|"
                     rf"made clear to|mentioned to|pointed out to)\s+"
                     rf"(?-i:{person_pattern(subject, objects=True)})\s+(?P<rest>that\s.+)$", text)
    if match is None:
        return None
    return _told("told", match.group("rest"), subject, kind == "feedback_given")


_ANSWER = re.compile(r"(?i)^(?:(?:I\s+)?said\s+(?:yes|no|sure|of course|absolutely|go for it|"
                     r"that is fine|fine)\b|agreed(?:\s*[,.;:]|\s*$|\s+(?:no|fine|happy)\b))")


def answer_to_their_question(text: str, question: Phrase) -> Phrase | None:
    """ "Said yes" or "Agreed, no issue" right after the person asked or wished for something
    ("Asked whether they could pitch …", "Wants to go remote"): the manager's answer, not
    their act. After the manager's request it is theirs."""
    if _ANSWER.match(text) and question.kind == PREDICATE and not question.manager and \
            re.match(r"(?i)(?:asked\s+(?:whether|if|about|for|what|how)|wants|would like|would love|"
                     r"is keen|hopes)\b", question.text):
        return Phrase(OTHER, text, manager=True)
    return None


def _gave_feedback(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "Gave feedback that the pitch was solid": the manager's feedback with no one named,
    said as what it was about ("Her pitch was solid", feedback given on …)."""
    match = re.match(r"(?i)^(?:I\s+)?gave\s+(?:some\s+|clear\s+|direct\s+|positive\s+)?"
                     r"feedback\s+that\s+(?P<rest>.+)$", text)
    return None if match is None else _content(match.group("rest"), subject, FEEDBACK)


def _told(verb: str, rest: str, subject: Subject, feedback: bool) -> Phrase:
    attribution = FEEDBACK if feedback else ""
    if verb == "let":
        rest = re.sub(r"(?i)^know\s+", "", rest)
    manners = "|".join(re.escape(w) for w in W.listed("voice", "manner_of_telling"))
    rest = re.sub(rf"(?i)^(?:(?:{manners}),?\s+)+(?=(?:that|to)\s)", "", rest)  # "told him straight that"
    if verb == "gave":
        said = re.match(r"(?i)(?:some\s+|clear\s+|direct\s+)?feedback\s+that\s+(.*)$", rest)
        if said is None:
            return Phrase(PREDICATE, f"was given {rest}", manager=True, attribution=attribution)
        rest = said.group(1)
    if re.match(r"(?i)to\s", rest):
        return Phrase(PREDICATE, f"was told {rest}", manager=True, request=True,
                      attribution=attribution)
    if re.match(r"(?i)so\b", rest):  # "Told them so in front of the team"
        return Phrase(PREDICATE, f"was told {rest}", manager=True, attribution=attribution)
    rest = re.sub(r"(?i)^that\s+", "", rest)
    rest = re.sub(r"(?i),\s+and\s+that\s+", ", and ", rest)  # "told him A, and that B"
    return _content(rest, subject, attribution)


def _content(rest: str, subject: Subject, attribution: str) -> Phrase:
    """What the manager told the person, about the person where it can be."""
    promise = re.match(r"(?i)I\s+(would|will|could|can|am going to)\s+(?!like|love|prefer|rather|want)(.*)$",
                       rest)
    if promise:  # "Told him I'd check the budget": the manager's own promise, not feedback
        modal = {"will": "would", "can": "could", "am going to": "would"}.get(
            promise.group(1).lower(), promise.group(1).lower())
        return Phrase(CLAUSE, f"{{Poss}} manager said they {modal} {promise.group(2)}", manager=True)
    need = re.match(r"(?i)I\s+(?:need|want|would like|expect)\s+(?:her|him|them)\s+to\s+(.*)$", rest)
    if need:
        return Phrase(PREDICATE, f"was asked to {need.group(1)}", manager=True, request=True,
                      attribution=attribution)
    inner = _read(rest, subject)
    if inner.kind != OTHER and not inner.manager:
        return replace(inner, manager=True, attribution=attribution)
    things = "|".join(re.escape(t) for t in W.listed("voice", "work_things"))
    owned = re.match(rf"(?i)the\s+((?:[\w-]+\s+){{0,3}}?(?:{things})\b.*)$", rest)
    if owned and not re.search(rf"\b{person_pattern(subject, objects=False)}\s+\w+", owned.group(1)):
        return Phrase(CLAUSE, "{poss} " + owned.group(1), manager=True, attribution=attribution)
    if re.match(r"(?i)the\s", rest):
        return Phrase(CLAUSE, rest, manager=True, attribution=attribution)
    return Phrase(PREDICATE, f"was told that {rest}", manager=True, attribution=attribution)


def _asked(rest: str) -> Phrase:
    if re.match(r"(?i)(?:to|for)\s", rest):
        return Phrase(PREDICATE, f"was asked {rest}", manager=True, request=True)
    return Phrase(PREDICATE, f"was asked {rest}", manager=True)


def _suggestion(text: str, subject: Subject, kind: str) -> Phrase | None:
    match = re.match(rf"^(?:I\s+|We\s+)?(?i:suggested|recommended|proposed)\s+(?:that\s+)?"
                     rf"{person_pattern(subject, objects=False)}\s+(?:should\s+)?(?P<rest>.*)$", text)
    if match is None:
        return None
    return Phrase(PREDICATE, f"was advised to {match.group('rest')}", manager=True, request=True)


def _agreement(text: str, subject: Subject, kind: str) -> Phrase | None:
    verbs = "|".join(W.listed("voice", "agreements"))
    match = re.match(rf"^(?:We|I|(?:{person_pattern(subject, objects=False)})\s+and\s+I)\s+(?:also\s+)?"
                     rf"(?i:{verbs})\s+(?:that\s+)?(?P<rest>.*)$", text)
    if match is None:
        return None
    rest = match.group("rest")
    inner = _read(rest, subject)
    if inner.kind != OTHER and not re.match(r"(?i)(?:to|on|with)\s", rest):
        return replace(inner, manager=True, attribution=AGREED)
    verb = re.search(rf"(?i)\b(?:{verbs})\b", text).group().lower()
    return Phrase(CLAUSE, f"{{Subj}} and {{poss}} manager {verb} {rest}", manager=True)


def _manager_view(text: str, subject: Subject, kind: str) -> Phrase | None:
    views = "|".join(re.escape(v) for v in W.listed("voice", "manager_views"))
    match = re.match(rf"^I\s+(?:have\s+|had\s+|really\s+|also\s+|do\s+)?(?:{views})\s+(?:that\s+)?"
                     r"(?P<rest>.*)$", text, flags=re.IGNORECASE)
    if match is None:
        impressed = re.match(r"(?i)^I\s+(?:am|was)\s+(?:really\s+|very\s+)?(?:impressed|pleased|"
                             r"happy|glad)\s+(?:by|with|that|to see)\s+(?:how\s+)?(?P<rest>.*)$", text)
        if impressed is None:
            return None
        match = impressed
    return _framed(match.group("rest"), subject)


def _framed(rest: str, subject: Subject, kind: str = "") -> Phrase | None:
    """What the manager's frame ("I noticed", "My concern is that") holds, as the manager's
    view of the person; None where it is not about them."""
    inner = _read(rest, subject, note_kind=kind)
    return None if inner.kind == OTHER else replace(inner, manager=True)


def _we(text: str, subject: Subject, kind: str) -> Phrase | None:
    match = re.match(r"^We\s+(?P<rest>.*)$", text)
    if match is None:
        return None
    rest = match.group("rest")
    together = re.match(r"(?i)(discussed|talked about|talked through|went through|walked through|"
                        r"reviewed|looked at|covered)\b(.*)$", rest)
    if together:
        return Phrase(CLAUSE, f"{{Subj}} and {{poss}} manager {together.group(1)}{together.group(2)}",
                      manager=True)
    return Phrase(OTHER, f"the team {rest}", manager=True)


def _i(text: str, subject: Subject, kind: str) -> Phrase | None:
    if not re.match(r"^I\s", text):
        return None
    about = re.search(rf"\b{person_pattern(subject, objects=True)}\b|\b(?i:she|he|his)\b", text)
    return Phrase(CLAUSE if about else OTHER, text, manager=True)


def _asked_for(text: str, subject: Subject, kind: str) -> Phrase | None:
    """In feedback the manager gave, "Asked for X" is the manager asking."""
    match = re.match(r"(?i)^asked\s+(for|that)\s+(?P<rest>.*)$", text)
    if match is None or kind != "feedback_given":
        return None
    return Phrase(PREDICATE, f"was asked {match.group(1).lower()} {match.group('rest')}",
                  manager=True, request=True)


def _talked_over(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "Talked about the rate limiter slip": without a subject, the manager and the person
    talking it over (as "We talked about …" is)."""
    match = re.match(r"(?i)^(talked about|talked through|talked over|went through|went over|"
                     r"walked through|discussed)\s+(?P<rest>.+)$", text)
    if match is None or re.match(r"(?i)(?:it\s+)?with\s", match.group("rest")):
        return None
    return Phrase(CLAUSE, f"{{Subj}} and {{poss}} manager {match.group(1).lower()} {match.group('rest')}",
                  manager=True)


def _talked_with_them(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "Raised it with her the next morning": without a subject, a talk with the person is the
    manager's act (she would have raised it "herself"), not something she did."""
    talks = "|".join(re.escape(w) for w in W.listed("voice", "conversations"))
    if re.match(rf"(?i)^(?:{talks})\b(?:\s+\S+){{0,3}}?\s+(?:with|to)\s+"
                rf"(?-i:{person_pattern(subject, objects=True)})\b", text):
        return Phrase(OTHER, text, manager=True)
    return None


# In ``review_voice``'s order: the manager's frames first, then (after the rules about the
# person's own sentences) the manager's acts a subjectless verb would otherwise misread.
FRAMES = (_my_concern, _i_note, _passed_on, _said_to_them, _asked_the_manager, _manager_act,
          _gave_feedback, _suggestion, _agreement, _manager_view, _we, _i, _own_todo,
          _feedback_alone)
ACTS = (_asked_for, _talked_with_them, _talked_over)
