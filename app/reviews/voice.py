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
the small functions below; nothing here asks a model.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from ..domain.dates import spoken_date
from . import words as W

PREDICATE, CLAUSE, OTHER = "predicate", "clause", "other"
FEEDBACK, AGREED = "feedback given", "agreed"
PRONOUNS = {"she": ("she", "her", "her"), "he": ("he", "him", "his"),
            "they": ("they", "them", "their")}
_CONTRACTIONS = (
    (r"\b(she|he|it|who|that)['’]s\s+([\w-]+)\b", lambda m: _has_or_is(m)),
    (r"\b(she|he|it|that|there|who)['’]s\b", r"\1 is"),
    (r"\b(\w+)n['’]t\b", lambda m: _negated(m.group(1))),
    (r"\b(I|you|we|they|she|he)['’]d\b((?:\s+(?:already|never|just|ever|not|also|only|really))*)"
     r"(?:\s+([\w-]+))?", lambda m: _had_or_would(m)),
    (r"\b(I|you|we|they|she|he|who|that|it|there|this)['’]ll\b", r"\1 will"),
    (r"\b(I|you|we|they)['’]ve\b", r"\1 have"),
    (r"\b(you|we|they)['’]re\b", r"\1 are"),
    (r"\bI['’]m\b", "I am"),
)
_PREPOSITIONS = {"of", "on", "in", "at", "with", "for", "from", "to", "about", "during", "after",
                 "before", "by", "over", "across", "around", "into", "than", "this", "last"}
_SINGULAR = {"have": "has", "are": "is", "were": "was", "do": "does", "go": "goes"}
_MODALS = {"would", "will", "can", "could", "should", "must", "might", "may", "did", "had",
           "shall", "cannot", "was", "is", "has", "does"}


@dataclass(frozen=True)
class Phrase:
    """One part of a note in the review's voice (see the module docstring)."""

    kind: str
    text: str
    manager: bool = False     # the manager's own act or view ("Told her", "I noticed")
    request: bool = False     # something the person was asked to do
    reported: bool = False    # the person's own words ("Said she wants …")
    attribution: str = ""     # FEEDBACK or AGREED: the sentence says when
    plural: bool = False      # the note said "they": the verb agrees with "they"


@dataclass(frozen=True)
class Subject:
    """The person a review is about: their name and the pronoun their notes use."""

    name: str
    pronoun: str | None = None  # "she", "he", "they" or None (unknown: use the name)
    proper: frozenset[str] = frozenset()  # names and titles the notes write with a capital

    @property
    def first(self) -> str:
        return self.name.split()[0]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.name, self.first)))

    def word(self, *, named: bool) -> str:
        """The subject: the first name, or "she"/"he" when the name was just said."""
        if named or self.pronoun not in ("she", "he"):
            return self.first
        return self.pronoun

    def possessive(self, *, named: bool) -> str:
        if named or self.pronoun is None:
            return f"{self.first}'s" if named else "their"
        return PRONOUNS[self.pronoun][2]

    def fill(self, text: str, *, named: bool) -> str:
        """Placeholders filled: the first with the name when ``named``, later ones with pronouns."""
        first_slot = named or self.pronoun is None  # with no pronoun, a sentence opens with the name

        def swap(match: re.Match[str]) -> str:
            nonlocal first_slot
            slot = match.group(1)
            if first_slot and self.pronoun is not None and \
                    re.search(rf"\b{re.escape(self.first)}\b", text[:match.start()]):
                first_slot = False  # "Omar told his manager", not "Omar told Omar's manager"
            word = (self.word if slot.lower() == "subj" else self.possessive)(named=first_slot)
            first_slot = False
            return _cap(word) if slot[0].isupper() else word
        return re.sub(r"\{([Ss]ubj|[Pp]oss)\}", swap, text)

    def sentence(self, phrase: Phrase, *, named: bool) -> str:
        """The phrase as a sentence, without its full stop."""
        if phrase.kind == PREDICATE:
            predicate = singular(phrase.text) if phrase.plural else phrase.text
            return self.fill(f"{{Subj}} {predicate}", named=named)
        return _cap(self.fill(phrase.text, named=named))


def infer_pronoun(name: str, texts: Iterable[str]) -> str | None:
    """The pronoun a manager's notes use for the person, or None when they do not say.

    Only positions that refer to the person count: a pronoun opening a
    sentence or after "said", and the object of the manager's own act
    ("Told her", "Asked him to"). A pronoun needs two uses and four in five
    of them.
    """
    acts = "|".join(W.words()["voice"]["manager_acts"])
    counts: Counter[str] = Counter()
    for text in texts:
        for sentence in re.split(r"[.;!?]\s+|\n", text or ""):
            s = sentence.strip()
            counts.update(_pronoun_uses(s, acts))
    if not counts:
        return None
    pronoun, uses = counts.most_common(1)[0]
    return pronoun if uses >= 2 and uses >= 0.8 * sum(counts.values()) else None


def _pronoun_uses(sentence: str, acts: str) -> list[str]:
    found = []
    opening = re.match(r"(?:Also\s+|And\s+)?(She|He|They)\b(?!['’]s\s)", sentence)
    if opening:
        found.append(opening.group(1).lower())
    for match in re.finditer(rf"(?i)\b(?:{acts})\s+(her|him|them)\b", sentence):
        found.append({"her": "she", "him": "he", "them": "they"}[match.group(1).lower()])
    for match in re.finditer(r"(?i)\bsaid\s+(?:that\s+)?(she|he|they)\b", sentence):
        found.append(match.group(1).lower())
    return found


# ---------------------------------------------------------------- the rules

def review_voice(text: str, subject: Subject, *, note_kind: str = "") -> Phrase:
    """The part in the review's voice (see the module docstring)."""
    text = tidy(text)
    labelled = _labelled(text, subject, note_kind)
    if labelled is not None:
        return labelled
    for rule in (_my_concern, _i_note, _passed_on, _said_to_them, _asked_the_manager, _doubt, _manager_act, _gave_feedback, _suggestion, _agreement, _manager_view, _we, _i, _own_todo,
                 _feedback_alone, _person_subject, _possessive, _reported, _asked_for,
                 _talked_with_them, _talked_over, _came_across, _subjectless, _reaction, _fragment):
        phrase = rule(text, subject, note_kind)
        if phrase is not None:
            return replace(phrase, text=third_person(phrase.text))
    return Phrase(OTHER, third_person(_with_article(text, subject)))


_NOUN_VERBS = frozenset({"is", "was", "has", "looks", "seems", "reads"})
_DETERMINERS = frozenset("the a an this that these those his her their its my our your every each "
                         "no some any all both one two three four five".split())
_NOT_NOUNS = frozenset("not no never maybe probably perhaps only just even also still most many "
                       "few several quite later then after before since when once she he they "
                       "it we you i her him them us there here nobody everyone everybody someone "
                       "somebody anyone anybody nothing everything something none".split())
_OF_PHRASE = frozenset({"for", "of", "on", "from", "with", "in", "to", "at", "about"})


def _with_article(text: str, subject: Subject) -> str:
    """ "API reference draft is technically accurate" → "The API reference draft is …",
    "Rota for September went out late" → "The rota for September went out …": a note's
    telegraphic noun phrase, before its verb, reads as a sentence with "the". Names, teams
    ("Support spent …") and phrases that already open with a determiner keep their words."""
    words = text.split()
    verb_at = _verb_after_noun_phrase(words)
    if verb_at is None:
        return text
    noun_phrase = words[:verb_at]
    first = noun_phrase[0].strip(",:;").lower()
    head = next((noun_phrase[i - 1] for i, w in enumerate(noun_phrase) if w.lower() in _OF_PHRASE
                 and i), noun_phrase[-1])
    name = head in subject.proper if head is noun_phrase[0] else not head[:1].islower()
    if (len(noun_phrase) < 2 or name  # "Gareth was …", "IBM is …": a name
            or first in _DETERMINERS or " ".join(noun_phrase).lower() in W.listed("voice", "team_functions")
            or noun_phrase[0] in subject.names or noun_phrase[0][:1].isdigit()
            or not noun_phrase[0][:1].isupper() or re.search(r"['’]s?$", noun_phrase[0])
            or any(w.lower().strip(",") in _NOT_NOUNS for w in noun_phrase)
            or any(w.endswith((",", ";", ":")) for w in noun_phrase)):
        return text
    keep = noun_phrase[0].isupper() or noun_phrase[0] in subject.proper  # "The API …", "The Kestrel …"
    return "The " + (text if keep else text[0].lower() + text[1:])


def _verb_after_noun_phrase(words: list[str]) -> int | None:
    """Where the verb after a short noun phrase (with at most one "for/of …" phrase) is."""
    for index, word in enumerate(words[1:10], start=1):
        bare = word.lower()
        if bare in _NOUN_VERBS or (is_verb(bare) and bare not in _MODALS):
            return index
    return None


_RELATIVE_DAY = re.compile(
    r"(?i)\s+(?:on|last|this\s+past)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\s+(?:today|yesterday|tonight|this morning|this afternoon|this week)\b")


def _negated(stem: str) -> str:
    """ "do" + "n't" → "do not". "can't" reaches here as "ca", "won't" as "wo" ("ca not" was
    once written into a draft)."""
    whole = {"wo": "will not", "ca": "cannot", "sha": "shall not"}.get(stem.lower())
    if whole is None:
        return stem + " not"
    return whole[0].upper() + whole[1:] if stem[:1].isupper() else whole


def _has_or_is(match: re.Match[str]) -> str:
    """ "That's happened", "she's finished the draft", "he's been": has; "she's excited",
    "he's late": is."""
    who, word = match.group(1), match.group(2)
    bare = word.lower()
    done = bare in W.listed("voice", "past_participles") or (
        bare.endswith("ed") and len(bare) > 4 and bare not in W.listed("voice", "adjectival_participles"))
    return f"{who} {'has' if done else 'is'} {word}"


def _had_or_would(match: re.Match[str]) -> str:
    """ "She'd gone", "he'd already shipped": had; "I'd back him", "they'd want": would."""
    who, adverbs, verb = match.group(1), match.group(2) or "", match.group(3)
    if verb is None:
        return f"{who} had{adverbs}"
    bare = verb.lower()
    had = (bare.endswith("ed") and len(bare) > 3) or bare in W.listed("voice", "past_participles")
    return f"{who} {'had' if had else 'would'}{adverbs} {verb}"


_ISO_DAY = re.compile(r"\b20\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b")


def tidy(text: str) -> str:
    """Fillers off the front ("Also, …"), contractions spelled out, spaces single, and
    days that only meant something on the note's date ("on Friday", "today") dropped."""
    text = _RELATIVE_DAY.sub("", " ".join(text.split()))
    fillers = "|".join(W.listed("voice", "leading_fillers"))
    text = re.sub(rf"^(?:(?:{fillers})\b[,:]?\s+)+", "", text, flags=re.IGNORECASE)
    for pattern, replacement in _CONTRACTIONS:
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    return _ISO_DAY.sub(lambda m: spoken_date(m.group()), text)  # "the 28 February 2026 deadline"


def third_person(text: str) -> str:
    """The manager's "I", "me", "my", "we" and "our" as what they stand for."""
    swaps = ((r"\bI am\b", "{poss} manager is"), (r"\bI have\b", "{poss} manager has"),
             (r"\bI was\b", "{poss} manager was"), (r"\bI do not\b", "{poss} manager does not"),
             (r"\b([Ii])n our (1:1|one-to-one|one-on-one|1-1|catch-up|check-in)\b", r"\1n a \2"),
             (r"\bI (need|want|expect|think|feel|hope)\b", r"{poss} manager \1s"),
             (r"\bI\b", "{poss} manager"), (r"\bme\b", "{poss} manager"),
             (r"\bmy\b", "{poss} manager's"), (r"\bwe have\b", "the team has"),
             (r"\b[Ww]e\b", "the team"), (r"\bus\b", "the team"), (r"\b[Oo]ur\b", "the team's"),
             (r"\bourselves\b", "themselves"))
    for pattern, replacement in swaps:
        text = re.sub(pattern, replacement, text)
    first = text.find("{poss} manager")  # "said {poss} manager would" → "said they would"
    if first >= 0:
        cut = first + len("{poss} manager")
        text = text[:cut] + re.sub(r"\{poss\} manager (?=(?:would|will|could|can|should|might|had|did)\b)",
                                   "they ", text[cut:])
    return text


def _person(subject: Subject, *, objects: bool) -> str:
    """The person, by name or pronoun. With a pronoun known from the notes, only that one:
    in his notes "she" is someone else (the mentee, a customer)."""
    names = "|".join(re.escape(n) for n in subject.names)
    if subject.pronoun in PRONOUNS:
        pronouns = PRONOUNS[subject.pronoun][1 if objects else 0]
    else:
        pronouns = "her|him|them" if objects else "she|he|they"
    return rf"(?:{names}|(?i:{pronouns}))"


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
    head = next((i for i, w in enumerate(nouns) if w.lower() in _PREPOSITIONS and i), len(nouns))
    verb = "were" if _plural(nouns[head - 1]) else "was"
    return Phrase(CLAUSE, f"{thing} {verb} {', '.join(items)}")


def _has_verb(text: str) -> bool:
    """Whether a few words hold a verb ("Amara is in too many meetings") or only name a thing."""
    words = re.findall(r"[\w'’-]+", text)
    return any(w.lower() in ("is", "are", "was", "were", "has", "have", "had") or is_verb(w.lower())
               for w in words[1:])


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
                     rf"(?P<obj>{_person(subject, objects=True)})\b,?\s*(?P<rest>.*)$", text)
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
    inner = review_voice(match.group("rest"), subject, note_kind=kind)
    return None if inner.kind == OTHER else replace(inner, manager=True)


def _i_note(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "I do have to note it was nine days late": the manager putting a fact on record; the
    fact is the evidence, read as if written alone."""
    match = re.match(r"(?i)^I\s+(?:do\s+|also\s+|should\s+|must\s+|have\s+to\s+|need\s+to\s+|"
                     r"want\s+to\s+|would\s+)*(?:note|say|add|flag|point\s+out)\s+(?:that\s+)?"
                     r"(?P<rest>.+)$", text)
    if match is None:
        return None
    inner = review_voice(match.group("rest"), subject, note_kind=kind)
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
                     rf"(?-i:{_person(subject, objects=True)})\s+(?P<rest>that\s.+)$", text)
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


def _doubt(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "Not sure she's ready for the pre-sales side yet": like any part without a subject,
    about the person; their own doubt ("Noor is not sure she is ready …")."""
    match = re.match(rf"(?i)^not\s+(?P<how>sure|convinced|certain)\s+(?:that\s+)?"
                     rf"(?P<rest>(?-i:{_person(subject, objects=False)})\s.*)$", text)
    if match is None:
        return None
    return Phrase(PREDICATE, f"is not {match.group('how').lower()} {match.group('rest')}")


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
    inner = review_voice(rest, subject)
    if inner.kind != OTHER and not inner.manager:
        return replace(inner, manager=True, attribution=attribution)
    things = "|".join(re.escape(t) for t in W.listed("voice", "work_things"))
    owned = re.match(rf"(?i)the\s+((?:[\w-]+\s+){{0,3}}?(?:{things})\b.*)$", rest)
    if owned and not re.search(rf"\b{_person(subject, objects=False)}\s+\w+", owned.group(1)):
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
                     rf"{_person(subject, objects=False)}\s+(?:should\s+)?(?P<rest>.*)$", text)
    if match is None:
        return None
    return Phrase(PREDICATE, f"was advised to {match.group('rest')}", manager=True, request=True)


def _agreement(text: str, subject: Subject, kind: str) -> Phrase | None:
    verbs = "|".join(W.listed("voice", "agreements"))
    match = re.match(rf"^(?:We|I|(?:{_person(subject, objects=False)})\s+and\s+I)\s+(?:also\s+)?"
                     rf"(?i:{verbs})\s+(?:that\s+)?(?P<rest>.*)$", text)
    if match is None:
        return None
    rest = match.group("rest")
    inner = review_voice(rest, subject)
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
    inner = review_voice(match.group("rest"), subject)
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
    about = re.search(rf"\b{_person(subject, objects=True)}\b|\b(?i:she|he|his)\b", text)
    return Phrase(CLAUSE if about else OTHER, text, manager=True)


def _person_subject(text: str, subject: Subject, kind: str) -> Phrase | None:
    match = re.match(rf"^(?P<subj>{_person(subject, objects=False)})(?P<rest>\s.*)$", text)
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


def _asked_for(text: str, subject: Subject, kind: str) -> Phrase | None:
    """In feedback the manager gave, "Asked for X" is the manager asking."""
    match = re.match(r"(?i)^asked\s+(for|that)\s+(?P<rest>.*)$", text)
    if match is None or kind != "feedback_given":
        return None
    return Phrase(PREDICATE, f"was asked {match.group(1).lower()} {match.group('rest')}",
                  manager=True, request=True)


_AFTER_RECEIVED = {"at", "by", "for", "about", "in", "on", "overnight", "twice", "three", "again",
                   "during", "after", "before", "into", "when", "across", "too", "thin"}
_ADVERBS = {"never", "always", "often", "usually", "also", "again", "finally", "really", "just",
            "still", "quickly", "consistently", "regularly", "rarely", "sometimes", "repeatedly",
            "successfully", "single-handedly", "calmly", "patiently", "proactively", "already"}


def _talked_over(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "Talked about the rate limiter slip": without a subject, the manager and the person
    talking it over (as "We talked about …" is)."""
    match = re.match(r"(?i)^(talked about|talked through|talked over|went through|went over|"
                     r"walked through|discussed)\s+(?P<rest>.+)$", text)
    if match is None or re.match(rf"(?i)(?:it\s+)?with\s", match.group("rest")):
        return None
    return Phrase(CLAUSE, f"{{Subj}} and {{poss}} manager {match.group(1).lower()} {match.group('rest')}",
                  manager=True)


def _talked_with_them(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "Raised it with her the next morning": without a subject, a talk with the person is the
    manager's act (she would have raised it "herself"), not something she did."""
    talks = "|".join(re.escape(w) for w in W.listed("voice", "conversations"))
    if re.match(rf"(?i)^(?:{talks})\b(?:\s+\S+){{0,3}}?\s+(?:with|to)\s+"
                rf"(?-i:{_person(subject, objects=True)})\b", text):
        return Phrase(OTHER, text, manager=True)
    return None


def _came_across(text: str, subject: Subject, kind: str) -> Phrase | None:
    """ "Read like we were protecting ourselves": how the thing just named came across,
    said of it ("It read like …"), not something the person read."""
    match = re.match(r"(?i)^(?P<verb>read|reads|looked|looks|sounded|sounds|came across|comes across|"
                     r"felt|feels)\s+(?P<rest>(?:like|as if|as though|as)\s.*)$", text)
    if match is None:
        return None
    return Phrase(CLAUSE, f"it {match.group('verb').lower()} {match.group('rest')}")


def _subjectless(text: str, subject: Subject, kind: str) -> Phrase | None:
    if re.match(rf"(?i)^(?:is|are|was|does|did|can|could|will|should|has)\s+"
                rf"(?-i:{_person(subject, objects=False)})\b", text):
        return Phrase(OTHER, text, manager=True)  # "Is she ready to own an area?": the
        # manager thinking aloud, not something she did
    words = text.split()
    first = words[0] if words else ""
    word = first.lower().strip(",")
    received = W.first(W.listed("voice", "received"), text)
    if received is not None and received.start() == 0 and len(words) > 1 and \
            text[received.end():].split()[0].lower() in _AFTER_RECEIVED:
        return Phrase(PREDICATE, "was " + lower_first(text))  # "Paged at 02:10" → "was paged …"
    if is_verb(word) or (word in _ADVERBS and len(words) > 1 and is_verb(words[1].lower())):
        return Phrase(PREDICATE, lower_first(text))
    following = words[1] if len(words) > 1 else ""
    named = following[:1].isupper() and following != "I"  # "Mentoring Priya ahead of …"
    if word.endswith("ing") and len(word) > 5 and re.fullmatch(
            _person(subject, objects=True), following.strip(",")):
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


def is_verb(word: str) -> bool:
    """Whether a word opening a note is a verb: a past tense, a modal, a present "-s"."""
    if word in W.listed("voice", "not_verbs"):
        return False
    if word in W.listed("voice", "irregular_verbs"):
        return True
    for prefix in ("re-", "co-", "re", "over", "under", "out"):
        if word.startswith(prefix) and word[len(prefix):] in W.listed("voice", "irregular_verbs"):
            return True  # "reran", "co-led", "overran", "outran"
    return len(word) > 4 and word.endswith("ed") and word.replace("-", "").isalpha()


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
    return Phrase(PREDICATE, f"did {_article(what)} {' '.join(rest[1:])}{again}")


def _article(phrase: str) -> str:
    """ "a excellent job" → "an excellent job"."""
    return re.sub(r"^a (?=[aeiou])", "an ", phrase)


def _evaluated(lead: list[str], adjective: str, rest: list[str], again: str) -> Phrase:
    thing = " ".join(rest)
    tail = ""
    comma = thing.find(",")
    if comma > 0:
        thing, tail = thing[:comma], thing[comma + 1:].strip()
    adverbs = [w.lower() for w in lead if w.lower() not in ("a", "an", "another", "one", "such")]
    head = next((w for w in thing.split() if w.lower() in _PREPOSITIONS), None)
    noun = thing.split()[thing.split().index(head) - 1] if head and thing.split().index(head) else thing.split()[-1]
    verb = "were" if _plural(noun) else "was"
    text = f"{{Poss}} {thing} {verb} {' '.join([*adverbs, adjective.lower()])}{again}"
    if tail and is_verb(tail.split()[0].lower()):
        text += f", and {{subj}} {lower_first(tail)}"
    elif tail:
        text += f", {tail}"  # "…, root cause found in under an hour"
    return Phrase(CLAUSE, text)


def _plural(noun: str) -> bool:
    noun = noun.lower()
    return noun.endswith("s") and not noun.endswith(("ss", "us", "is", "'s"))


def singular(predicate: str) -> str:
    """ "have been quieter" → "has been quieter": a predicate for the name instead of "they"."""
    first = predicate.split(" ", 1)
    if len(first) > 1 and first[0].lower() in _ADVERBS:  # "often have" → "often has"
        return f"{first[0]} {singular(first[1])}"
    words = first
    verb = words[0].lower()
    if verb in _SINGULAR:
        verb = _SINGULAR[verb]
    elif verb not in _MODALS and not verb.endswith(("ed", "s")) and verb.isalpha() \
            and verb not in W.listed("voice", "irregular_verbs"):
        verb = verb[:-1] + "ies" if verb.endswith("y") else \
            verb + ("es" if verb.endswith(("sh", "ch", "x", "o")) else "s")
    return " ".join([verb, *words[1:]])


def lower_first(text: str, proper: frozenset[str] = frozenset()) -> str:
    """The text with its first letter in lower case, unless the first word is a name
    (in ``proper``), "I", or an acronym."""
    first = text.split(" ", 1)[0]
    bare = first.strip(",;:'’s")
    if len(first) > 1 and (first.isupper() or any(c.isupper() for c in first[1:])):
        return text
    if first == "I" or bare in proper or first.split("'")[0] in proper:
        return text
    return text[:1].lower() + text[1:]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
