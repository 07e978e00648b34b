"""Language checks for review drafts: words that make a review unfair or weak.

A review is read by the person and often by a calibration panel. Studies of
real reviews (Snyder 2014, "The abrasiveness trap"; Correll & Simard 2016,
"Vague feedback is holding women back") found personality words such as
"abrasive" applied far more often to women, and praise without specifics
given more often to them too. Absolutes invite a single counter-example and
hedges undercut the manager's own point. The manager sees each finding next
to the draft, with a suggested fix, and may dismiss it; a finding's id is
stable so the dismissal survives a reload.

The checks are deterministic word lists, never the model: the same draft
always yields the same findings. Text inside double quotes is never flagged,
because quoting what someone said is evidence, not judgement.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

UNEVEN_PERSONALITY_WORD = "uneven_personality_word"
VAGUE_PRAISE = "vague_praise"
ABSOLUTE = "absolute"
HEDGING = "hedging"

# Kept to words the cited studies or their follow-ups name; a longer list
# would flag more fair sentences and teach managers to ignore the panel.
UNEVEN_PERSONALITY_WORDS = (
    "abrasive", "bossy", "emotional", "aggressive", "shrill", "strident", "pushy",
    "hysterical", "feisty", "bubbly", "nagging", "irrational", "difficult",
    "temperamental", "sassy", "catty", "dramatic", "opinionated", "brusque", "cold",
)
VAGUE_PRAISE_PHRASES = (
    "great job", "good job", "team player", "rock star", "rockstar", "ninja", "superstar",
    "hard worker", "great attitude", "goes above and beyond", "a pleasure to work with",
    "amazing", "awesome", "excellent work",
)
ABSOLUTE_WORDS = (
    "always", "never", "every time", "constantly", "everyone", "no one", "nobody",
    "all the time",
)
HEDGING_PHRASES = (
    "I think", "I feel", "I believe", "sort of", "kind of", "somewhat", "perhaps", "maybe",
    "might be", "seems to", "a bit", "fairly", "rather", "quite possibly",
)

# Several personality words also describe work ("an aggressive timeline",
# "a dramatic improvement"); the word after them tells the two apart.
ABOUT_WORK_NOT_PEOPLE = {
    "aggressive": {"timeline", "timelines", "deadline", "deadlines", "target", "targets",
                   "schedule", "goal", "goals", "pricing", "roadmap", "plan", "estimate",
                   "estimates", "growth", "scope"},
    "dramatic": {"improvement", "improvements", "increase", "drop", "decrease", "change",
                 "changes", "reduction", "rise", "gain", "gains", "effect", "shift",
                 "turnaround"},
    "difficult": {"problem", "problems", "quarter", "year", "project", "projects", "migration",
                  "conversation", "conversations", "decision", "decisions", "task", "tasks",
                  "bug", "bugs", "period", "time", "times", "situation", "launch", "release",
                  "trade-off", "tradeoff"},
    "emotional": {"intelligence", "support", "labor", "labour"},
    "cold": {"call", "calls", "calling", "start", "starts", "storage", "outreach", "email",
             "emails", "cache"},
}
# "this kind of work" names a kind; "kind of late" hedges.
DETERMINERS = {"this", "that", "these", "those", "what", "which", "any", "the", "a", "an",
               "some", "every", "each", "same", "one", "no", "other", "another", "what's"}
# "fairly" hedges the word it modifies ("fairly good"); "shares credit fairly" means justly.
NOT_MODIFIED_BY_FAIRLY = {"and", "or", "but", "with", "to", "in", "across", "between",
                          "among", "when", "by", "for", "on", "at", "as"}

ABSOLUTE_REPLACEMENTS = {
    "always": "consistently", "never": "rarely", "every time": "repeatedly",
    "constantly": "often", "everyone": "most of the team", "no one": "few people",
    "nobody": "few people", "all the time": "often",
}
# Removing these leaves a grammatical sentence; the rest need a stand-in.
HEDGE_REPLACEMENTS = {"might be": "is", "seems to": "has been seen to"}
BEHAVIOUR_PLACEHOLDER = "[the behaviour you saw and its effect]"
EVIDENCE_PLACEHOLDER = "for example, [what they did and what it changed]"

MESSAGES = {
    UNEVEN_PERSONALITY_WORD: ("'{words}' is a personality word research finds applied more often "
                              "to women; describe the behaviour and its effect instead"),
    VAGUE_PRAISE: ("'{words}' is praise without evidence; name what they did and what it changed, "
                   "so they know what to repeat and a calibration panel can weigh it"),
    ABSOLUTE: ("'{words}' is an absolute that one counter-example undoes; say how often, "
               "or name the occasions (e.g. 'in the three incidents in March')"),
    HEDGING: ("'{words}' hedges your point; if the notes support it, say it plainly, "
              "and if they don't, leave it out"),
}

MONTHS = ("January|February|March|April|May|June|July|August|September|October|"
          "November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
# Any one of these makes praise specific enough: a number or date, a note
# citation like "[n-12]", a month, an example or a reason, or a quote.
EVIDENCE = re.compile(r"\d|\[[^\]]+\]|\b(?:%s)\b\.?" % MONTHS
                      + r"|(?i:\bfor example\b|\bfor instance\b|\be\.g\.|\bbecause\b)"
                      + r'|"[^"]*"|“[^”]*”')
QUOTED = re.compile(r'"[^"\n]*"|“[^”]*”')

# Titles and Latin shorthands that do not end a sentence even before a capital.
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "e.g", "i.e",
                 "cf", "approx", "incl", "dept", "no", "fig"}
TERMINATOR = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s|$)")
# Paragraph breaks and bullet points end a sentence even without a full stop.
BLOCK_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]*[-*•][ \t])")
LEADING_NOISE = re.compile(r"\s*(?:[-*•][ \t]+)?")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the draft and where it sits in the whole text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Finding:
    """One flagged phrase: why it matters and a rewrite of its sentence.

    ``span`` is (start, end) of ``words`` in the whole draft; ``id`` depends
    only on the rule, the sentence and the words, so edits elsewhere in the
    draft do not revive a dismissed finding.
    """

    rule: str
    sentence: str
    span: tuple[int, int]
    words: str
    message: str
    suggestion: str
    id: str


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    # Longest first so "every time" wins over a shorter overlap; hyphens count
    # as part of a word, so "always-on" and "cold-start" are other words.
    ordered = sorted(phrases, key=len, reverse=True)
    body = "|".join(r"\s+".join(map(re.escape, p.split())) for p in ordered)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


PATTERNS = {
    UNEVEN_PERSONALITY_WORD: _phrase_pattern(UNEVEN_PERSONALITY_WORDS),
    VAGUE_PRAISE: _phrase_pattern(VAGUE_PRAISE_PHRASES),
    ABSOLUTE: _phrase_pattern(ABSOLUTE_WORDS),
    HEDGING: _phrase_pattern(HEDGING_PHRASES),
}


# --- sentences -------------------------------------------------------------

def split_sentences(text: str) -> list[Sentence]:
    """The draft's sentences, in order, with their offsets in ``text``."""
    sentences = []
    for block_start, block_end in _blocks(text):
        start = block_start
        for end in _sentence_ends(text, block_start, block_end):
            sentences.append(_trimmed(text, start, end))
            start = end
        sentences.append(_trimmed(text, start, block_end))
    return [s for s in sentences if s is not None]


def _blocks(text: str) -> Iterable[tuple[int, int]]:
    start = 0
    for brk in BLOCK_BREAK.finditer(text):
        yield start, brk.start()
        start = brk.end()
    yield start, len(text)


def _sentence_ends(text: str, start: int, end: int) -> Iterable[int]:
    for mark in TERMINATOR.finditer(text, start, end):
        if _ends_sentence(text, mark):
            yield mark.end()


def _ends_sentence(text: str, mark: re.Match[str]) -> bool:
    if mark.group()[-1] in "\"”’')]" and mark.group()[0] in "?!" and \
            re.match(r"\s*[a-z]", text[mark.end():]):
        return False  # "asking 'what if the queue is empty?' was right": a quoted question
    if not mark.group().startswith(".") or mark.group().startswith(".."):
        return True
    token = re.search(r"[\w.'’]*$", text[max(0, mark.start() - 20):mark.start()]).group().lower()
    if token in ABBREVIATIONS or re.fullmatch(r"[^\W\d_]", token):
        return False  # "Dr. Okafor", "e.g. Jira", an initial as in "J. Smith"
    following = re.match(r"\s*(\S?)", text[mark.end():]).group(1)
    return not following.islower()  # "approx. three weeks" runs on


def _trimmed(text: str, start: int, end: int) -> Sentence | None:
    start = LEADING_NOISE.match(text, start, end).end()
    while end > start and text[end - 1].isspace():
        end -= 1
    return Sentence(text[start:end], start, end) if end > start else None


# --- findings --------------------------------------------------------------

def check_language(text: str) -> list[Finding]:
    """Every finding in the draft, in reading order."""
    quotes = [m.span() for m in QUOTED.finditer(text)]
    findings = [finding
                for sentence in split_sentences(text)
                for finding in _check_sentence(text, sentence, quotes)]
    return sorted(findings, key=lambda f: (f.span, f.rule))


def apply_dismissals(findings: Iterable[Finding], dismissed_ids: set[str]) -> list[Finding]:
    """The findings the manager has not dismissed."""
    return [f for f in findings if f.id not in dismissed_ids]


def _check_sentence(text: str, sentence: Sentence,
                    quotes: list[tuple[int, int]]) -> list[Finding]:
    findings, seen = [], {}
    for rule, pattern in PATTERNS.items():
        for match in pattern.finditer(text, sentence.start, sentence.end):
            if _inside(match.span(), quotes) or _excused(rule, text, match, sentence):
                continue
            key = (rule, _normal(match.group()))
            seen[key] = seen.get(key, -1) + 1
            findings.append(_finding(rule, text, sentence, match, seen[key]))
    return findings


def _inside(span: tuple[int, int], quotes: list[tuple[int, int]]) -> bool:
    return any(q_start <= span[0] and span[1] <= q_end for q_start, q_end in quotes)


def _excused(rule: str, text: str, match: re.Match[str], sentence: Sentence) -> bool:
    """Whether the context shows the words do not mean what the rule is about."""
    words = _normal(match.group())
    after = _word_after(text, match.end(), sentence.end)
    before = _word_before(text, match.start(), sentence.start)
    if rule == UNEVEN_PERSONALITY_WORD:
        return after in ABOUT_WORK_NOT_PEOPLE.get(words, ())
    if rule == VAGUE_PRAISE:
        return EVIDENCE.search(sentence.text) is not None
    if rule == HEDGING:
        return _hedge_excused(words, before, after)
    return False


def _hedge_excused(words: str, before: str, after: str) -> bool:
    if words in ("kind of", "sort of"):
        return before in DETERMINERS
    if words == "rather":
        return after == "than" or before in ("would", "i'd", "we'd", "she'd", "he'd", "they'd")
    if words == "fairly":
        return after == "" or after in NOT_MODIFIED_BY_FAIRLY
    return False


def _word_after(text: str, pos: int, limit: int) -> str:
    found = re.match(r"\s+([\w'’-]+)", text[pos:limit])
    return found.group(1).lower() if found else ""


def _word_before(text: str, pos: int, limit: int) -> str:
    found = re.search(r"([\w'’-]+)\s+$", text[limit:pos])
    return found.group(1).lower() if found else ""


def _normal(words: str) -> str:
    return " ".join(words.lower().split())


def _finding(rule: str, text: str, sentence: Sentence, match: re.Match[str],
             occurrence: int) -> Finding:
    words = match.group()
    return Finding(rule=rule, sentence=sentence.text, span=match.span(), words=words,
                   message=MESSAGES[rule].format(words=words),
                   suggestion=_suggest(rule, text, sentence, match),
                   id=finding_id(rule, sentence.text, words, occurrence))


def finding_id(rule: str, sentence: str, words: str, occurrence: int = 0) -> str:
    """A stable id; ``occurrence`` tells apart the same words twice in one sentence."""
    # Whitespace and case are normalised so re-wrapping a paragraph keeps dismissals.
    key = "\x1f".join([rule, " ".join(sentence.split()), _normal(words), str(occurrence)])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


# --- suggestions -----------------------------------------------------------

def _suggest(rule: str, text: str, sentence: Sentence, match: re.Match[str]) -> str:
    """The sentence rewritten to fix this one finding."""
    words = _normal(match.group())
    if rule == VAGUE_PRAISE:
        return _with_example(sentence.text)
    if rule == ABSOLUTE:
        replacement = ABSOLUTE_REPLACEMENTS[words]
    elif rule == HEDGING:
        replacement = HEDGE_REPLACEMENTS.get(words, "")
    else:
        replacement = BEHAVIOUR_PLACEHOLDER
    return _replaced(text, sentence, match.span(), replacement)


def _with_example(sentence: str) -> str:
    body = sentence.rstrip(".!?…")
    return f"{body} — {EVIDENCE_PLACEHOLDER}{sentence[len(body):] or '.'}"


def _replaced(text: str, sentence: Sentence, span: tuple[int, int], replacement: str) -> str:
    before = text[sentence.start:span[0]]
    after = text[span[1]:sentence.end]
    if replacement:
        rewritten = before + replacement + after
    else:
        rewritten = _removed(before, after)
    rewritten = re.sub(r"[ \t]{2,}", " ", rewritten).strip()
    return _capitalised(rewritten) if not before.strip() else rewritten


def _removed(before: str, after: str) -> str:
    if not before.strip():
        # "I think that she…", "Perhaps, she…": the joiner goes with the hedge.
        return re.sub(r"^\s*,?\s*(?:that\s+)?", "", after)
    if before.rstrip().endswith(",") and after.lstrip().startswith(","):
        return before.rstrip(" ,") + " " + after.lstrip(" ,")  # "She is, I think, late"
    if re.match(r"\s*[,.;:!?]", after):
        return before.rstrip(" ,") + after.lstrip()
    return before.rstrip() + " " + after.lstrip()


def _capitalised(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]
