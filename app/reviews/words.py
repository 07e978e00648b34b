"""The word lists notes are read with (``reading_words.toml``), as matchers.

Why this module exists: classifying a note's sentences and putting them in
the review's voice are rules over word lists, and the lists are data a
reviewer can read and extend without touching code. A phrase matches on
word boundaries, ignoring case; a trailing ``*`` matches any ending, and a
word ``_`` stands for any one word ("told _ to" matches "told Omar to").
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

WORDS_FILE = Path(__file__).with_name("reading_words.toml")


@functools.cache
def words() -> dict:
    """The whole word file, parsed once."""
    return tomllib.loads(WORDS_FILE.read_text("utf-8"))


def listed(section: str, key: str) -> tuple[str, ...]:
    return tuple(words()[section][key])


def personal_phrases() -> tuple[str, ...]:
    return tuple(p for group in words()["personal"].values() for p in group)


def personal_category(text: str) -> str | None:
    """What kind of private detail ``text`` holds ("health", "religion" …); None if none."""
    names = words()["personal_categories"]
    found = [(m.start(), key) for key, group in words()["personal"].items()
             for m in [first(group, text)] if m is not None]
    return names[min(found)[1]] if found else None


@functools.cache
def matcher(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for many phrases, longest first, each on word boundaries."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    body = "|".join(_phrase(p) for p in ordered)
    return re.compile(rf"(?<![\w'’-])(?:{body})", re.IGNORECASE)


_ANY_WORD = r"[\w'’-]+"


def _phrase(phrase: str) -> str:
    stem = phrase.rstrip("*")
    pattern = r"\s+".join(_ANY_WORD if w == "_" else re.escape(w).replace("'", "['’]")
                          for w in stem.split())
    return pattern + (r"[\w'’-]*" if phrase.endswith("*") else r"(?:['’]s)?(?![\w'’-])")


def find(phrases: Iterable[str], text: str) -> list[re.Match[str]]:
    return list(matcher(tuple(phrases)).finditer(text))


def first(phrases: Iterable[str], text: str) -> re.Match[str] | None:
    return matcher(tuple(phrases)).search(text)
