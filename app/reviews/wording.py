"""Words as a review writes them: contractions spelled out, the manager's "I" as whose it
is, "the" before a note's telegraphic noun phrase, verbs that agree.

Why this module exists: these are the text-level steps every rule of
``app.reviews.voice`` shares, whatever the part turns out to say. They change
how a part is worded, never what it claims.
"""

from __future__ import annotations

import re

from ..domain.dates import spoken_date
from . import words as W

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


PREPOSITIONS = {"of", "on", "in", "at", "with", "for", "from", "to", "about", "during", "after",
                 "before", "by", "over", "across", "around", "into", "than", "this", "last"}


_SINGULAR = {"have": "has", "are": "is", "were": "was", "do": "does", "go": "goes"}


MODALS = {"would", "will", "can", "could", "should", "must", "might", "may", "did", "had",
           "shall", "cannot", "was", "is", "has", "does"}


_NOUN_VERBS = frozenset({"is", "was", "has", "looks", "seems", "reads"})


_DETERMINERS = frozenset("the a an this that these those his her their its my our your every each "
                         "no some any all both one two three four five".split())


_NOT_NOUNS = frozenset("not no never maybe probably perhaps only just even also still most many "
                       "few several quite later then after before since when once she he they "
                       "it we you i her him them us there here nobody everyone everybody someone "
                       "somebody anyone anybody nothing everything something none".split())


_OF_PHRASE = frozenset({"for", "of", "on", "from", "with", "in", "to", "at", "about"})


def with_article(text: str, names: tuple[str, ...], proper: frozenset[str]) -> str:
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
    name = head in proper if head is noun_phrase[0] else not head[:1].islower()
    if (len(noun_phrase) < 2 or name  # "Gareth was …", "IBM is …": a name
            or first in _DETERMINERS or " ".join(noun_phrase).lower() in W.listed("voice", "team_functions")
            or noun_phrase[0] in names or noun_phrase[0][:1].isdigit()
            or not noun_phrase[0][:1].isupper() or re.search(r"['’]s?$", noun_phrase[0])
            or any(w.lower().strip(",") in _NOT_NOUNS for w in noun_phrase)
            or any(w.endswith((",", ";", ":")) for w in noun_phrase)):
        return text
    keep = noun_phrase[0].isupper() or noun_phrase[0] in proper  # "The API …", "The Kestrel …"
    return "The " + (text if keep else text[0].lower() + text[1:])


def _verb_after_noun_phrase(words: list[str]) -> int | None:
    """Where the verb after a short noun phrase (with at most one "for/of …" phrase) is."""
    for index, word in enumerate(words[1:10], start=1):
        bare = word.lower()
        if bare in _NOUN_VERBS or (is_verb(bare) and bare not in MODALS):
            return index
    return None


_RELATIVE_DAY = re.compile(
    r"(?i)\s+(?:on|last|this\s+past)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"(?:\s+(?:morning|afternoon|evening|night))?\b"
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


ADVERBS = {"never", "always", "often", "usually", "also", "again", "finally", "really", "just",
            "still", "quickly", "consistently", "regularly", "rarely", "sometimes", "repeatedly",
            "successfully", "single-handedly", "calmly", "patiently", "proactively", "already"}


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


def with_a_or_an(phrase: str) -> str:
    """ "a excellent job" → "an excellent job"."""
    return re.sub(r"^a (?=[aeiou])", "an ", phrase)


def plural(noun: str) -> bool:
    noun = noun.lower()
    return noun.endswith("s") and not noun.endswith(("ss", "us", "is", "'s"))


def singular(predicate: str) -> str:
    """ "have been quieter" → "has been quieter": a predicate for the name instead of "they"."""
    first = predicate.split(" ", 1)
    if len(first) > 1 and first[0].lower() in ADVERBS:  # "often have" → "often has"
        return f"{first[0]} {singular(first[1])}"
    words = first
    verb = words[0].lower()
    if verb in _SINGULAR:
        verb = _SINGULAR[verb]
    elif verb not in MODALS and not verb.endswith(("ed", "s")) and verb.isalpha() \
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


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]
