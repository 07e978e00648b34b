"""Key points from a person's notes, each citing the notes it came from.

The notes are chosen by the app; the model only words the points. When
the notes do not fit in the model's context they are read in chunks and
the chunks' points are merged (map-reduce), and the outcome says so. A
point that cites no note of its chunk is dropped: the model may not cite
what it was not shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..llm.budget import Outcome, map_reduce
from ..llm.engine import Engine, GenerationRequest, StopFlag, run
from ..llm.structured import generate_json

if TYPE_CHECKING:  # jinja2 is imported only when a prompt is rendered
    from ..llm.prompts import PromptLibrary, RenderedPrompt

REPLY_TOKENS = 400
# Small models repeat the same point until the token limit; this discourages it.
REPEAT_PENALTY = 1.2


@dataclass(frozen=True)
class KeyPoint:
    text: str
    note_ids: tuple[str, ...]


@dataclass(frozen=True)
class NoteText:
    """The part of a note the model may see."""

    id: str
    date: str
    text: str


def ask_json(engine: Engine, prompt: RenderedPrompt, max_tokens: int = REPLY_TOKENS, *,
             stop: StopFlag | None = None, on_piece: Callable[[str], None] | None = None,
             temperature: float = 0.0, seed: int | None = None):
    """Run a template whose reply is JSON; validated, retried once.

    ``on_piece`` receives the reply as it streams; once ``stop`` is set the
    call returns None without asking the model. ``temperature`` 0 is greedy
    (the same prompt gives the same reply); a raised temperature with a new
    ``seed`` lets a regenerated section read differently.
    """
    if stop is not None and stop.is_set():
        return None
    request = GenerationRequest(prompt.messages, schema=prompt.output_schema, max_tokens=max_tokens,
                                temperature=temperature, repeat_penalty=REPEAT_PENALTY,
                                **({} if seed is None else {"seed": seed}))
    value, _generation = generate_json(lambda r: run(engine, r, stop, on_piece), request)
    return value


def digest_notes(engine: Engine, library: PromptLibrary, *, person: str,
                 notes: Sequence[NoteText], reply_tokens: int = REPLY_TOKENS,
                 ask: Callable[[RenderedPrompt], object] | None = None) -> Outcome[list[KeyPoint]]:
    """The key points of ``notes``, map-reduced if they exceed the context.

    ``reply_tokens`` is kept free in the context for each reply.
    """
    ask = ask or (lambda prompt: ask_json(engine, prompt, reply_tokens))
    limit = engine.context_length - reply_tokens

    def map_prompt(chunk):
        return library.render("summarise_notes_chunk", person=person,
                              notes=[{"id": n.id, "date": n.date, "text": n.text} for n in chunk])

    def reduce_prompt(point_lists):
        cited = sorted({i for points in point_lists for p in points for i in p.note_ids})
        return library.render("combine_points", person=person, note_ids=cited,
                              point_lists=[[{"text": p.text, "note_ids": list(p.note_ids)}
                                            for p in points] for points in point_lists])

    def run_prompt(prompt: RenderedPrompt) -> list[KeyPoint]:
        allowed = set(_enum_ids(prompt.output_schema))
        return _points(ask(prompt), allowed)

    return map_reduce(list(notes), map_prompt=map_prompt, reduce_prompt=reduce_prompt,
                      run=run_prompt, count=lambda p: engine.count_chat_tokens(p.messages),
                      limit=limit, label=lambda n: f"Note {n.id}")


def _enum_ids(schema: dict) -> list[str]:
    items = schema["properties"]["points"]["items"]["properties"]["note_ids"]["items"]
    return list(items.get("enum", []))


def _points(reply, allowed: set[str]) -> list[KeyPoint]:
    points = []
    for point in (reply or {}).get("points", []):
        ids = tuple(i for i in point["note_ids"] if i in allowed)
        if ids:
            points.append(KeyPoint(point["text"], ids))
    return points
