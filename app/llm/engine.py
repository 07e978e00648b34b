"""What the rest of Trellis may ask of a language model, whichever model it is.

An ``Engine`` loads one model, counts tokens with that model's tokenizer and
streams a chat reply as text pieces, stopping within one token when asked.
The real engine (``llama_engine``) is the only code that touches
llama.cpp; ``FakeEngine`` plays back scripted replies for UI tests.
"""

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from ..errors import TrellisError


class ModelError(TrellisError):
    """The model could not be loaded or could not answer."""


class ContextOverflow(ModelError):
    """A prompt does not fit the model's context window."""

    def __init__(self, tokens: int, limit: int, what: str = "The prompt"):
        self.tokens, self.limit = tokens, limit
        super().__init__(f"{what} is {tokens} tokens; the model's context allows {limit}.")


@dataclass(frozen=True)
class ChatMessage:
    role: str   # system, user or assistant
    content: str


@dataclass(frozen=True)
class GenerationRequest:
    """One chat completion: the conversation and how to sample the reply."""

    messages: tuple[ChatMessage, ...]
    schema: dict | None = None   # JSON Schema the reply must follow
    max_tokens: int = 256
    temperature: float = 0.2
    seed: int = 1
    repeat_penalty: float = 1.0  # above 1 discourages the loops small models fall into


@dataclass(frozen=True)
class Generation:
    """What came back, and what it cost."""

    text: str
    finish: str                  # "end", "length" or "stopped"
    prompt_tokens: int
    reused_prompt_tokens: int    # the prefix already in the KV cache, not processed again
    generated_tokens: int
    prompt_ms: float
    decode_ms: float
    model_sha256: str = ""

    @property
    def stopped(self) -> bool:
        return self.finish == "stopped"

    @property
    def evaluated_prompt_tokens(self) -> int:
        return self.prompt_tokens - self.reused_prompt_tokens

    @property
    def tokens_per_second(self) -> float:
        return self.generated_tokens / (self.decode_ms / 1000) if self.decode_ms > 0 else 0.0


@dataclass
class StopFlag:
    """Set from any thread; the engine checks it before every token."""

    _event: threading.Event = field(default_factory=threading.Event)

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def clear(self) -> None:
        self._event.clear()


class Engine(Protocol):
    """A loaded chat model. Use it from one thread only (see ``worker``)."""

    name: str
    model_sha256: str

    @property
    def context_length(self) -> int: ...

    def load(self) -> None: ...

    def count_tokens(self, text: str) -> int: ...

    def count_chat_tokens(self, messages: tuple[ChatMessage, ...]) -> int: ...

    def stream(self, request: GenerationRequest, stop: StopFlag) -> Iterator[str]:
        """Yield the reply in pieces; the generator's return value is the ``Generation``."""

    def close(self) -> None: ...


def run(engine: Engine, request: GenerationRequest, stop: StopFlag | None = None,
        on_piece: Callable[[str], None] | None = None) -> Generation:
    """Drive ``engine.stream`` to the end, passing each piece to ``on_piece``."""
    pieces = engine.stream(request, stop or StopFlag())
    while True:
        try:
            piece = next(pieces)
        except StopIteration as done:
            return done.value
        if on_piece is not None:
            on_piece(piece)
