"""Fitting work into the model's context window without dropping anything.

Prompts are measured with the model's own tokenizer. When the items (notes,
points) do not fit in one prompt they are split into chunks that do, each
chunk is processed (map), and the partial results are combined, in as many
rounds as needed (reduce). Nothing is ever truncated: an item too large for
the window on its own is an error that names its size and the limit.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from .engine import ChatMessage, ContextOverflow

Item = TypeVar("Item")
Result = TypeVar("Result")
Prompt = tuple[ChatMessage, ...]


@dataclass(frozen=True)
class Outcome(Generic[Result]):
    """The combined result, and how the work was split (for the user to see)."""

    value: Result
    chunks: int          # how many map prompts the items needed
    rounds: int          # combine rounds after the map step (0 when it all fitted)

    @property
    def was_split(self) -> bool:
        return self.chunks > 1

    def describe(self) -> str:
        if not self.was_split:
            return "Everything fitted in one prompt."
        return (f"The input did not fit the model's context, so it was read in {self.chunks} "
                f"parts and combined in {self.rounds} round{'s' if self.rounds != 1 else ''}.")


def plan_chunks(items: Sequence[Item], prompt_for: Callable[[list[Item]], Prompt],
                count: Callable[[Prompt], int], limit: int,
                label: Callable[[Item], str] = str) -> list[list[Item]]:
    """Split ``items`` greedily, in order, into chunks whose prompts fit ``limit`` tokens."""
    chunks: list[list[Item]] = []
    current: list[Item] = []
    for item in items:
        if current and count(prompt_for([*current, item])) <= limit:
            current.append(item)
            continue
        size = count(prompt_for([item]))
        if size > limit:
            raise ContextOverflow(size, limit, f"{label(item)} alone")
        if current:
            chunks.append(current)
        current = [item]
    if current:
        chunks.append(current)
    return chunks


def map_reduce(items: Sequence[Item], *, map_prompt: Callable[[list[Item]], Prompt],
               reduce_prompt: Callable[[list[Result]], Prompt],
               run: Callable[[Prompt], Result], count: Callable[[Prompt], int], limit: int,
               label: Callable[[Item], str] = str) -> Outcome[Result]:
    """Process ``items`` in one prompt if they fit, else map over chunks and reduce."""
    chunks = plan_chunks(items, map_prompt, count, limit, label)
    partials = [run(map_prompt(chunk)) for chunk in chunks]
    rounds = 0
    while len(partials) > 1:
        groups = plan_chunks(partials, reduce_prompt, count, limit, lambda _: "A partial result")
        if len(groups) == len(partials):
            raise ContextOverflow(count(reduce_prompt(partials[:2])), limit,
                                  "Two partial results together")
        partials = [run(reduce_prompt(group)) for group in groups]
        rounds += 1
    return Outcome(partials[0], len(chunks), rounds)
