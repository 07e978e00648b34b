"""A stand-in engine that plays back scripted replies, for UI and pipeline tests.

Tests enqueue replies (``engine.enqueue("Hello", "world")``) and get them
back piece by piece, with the same stop behaviour and ``Generation`` record
as the real engine. Token counts are whitespace words, which is enough for
budget tests that do not need a real tokenizer.
"""

import time
from collections import deque
from collections.abc import Iterator

from .engine import ChatMessage, Generation, GenerationRequest, ModelError, StopFlag

FAKE_SHA256 = "0" * 64


class FakeEngine:
    """Scripted replies; ``pause`` seconds between pieces lets tests press Stop."""

    def __init__(self, *, name: str = "Fake model", context_length: int = 2048,
                 pause: float = 0.0):
        self.name = name
        self.model_sha256 = FAKE_SHA256
        self._context_length = context_length
        self._pause = pause
        self._replies: deque[tuple[str, ...]] = deque()
        self.requests: list[GenerationRequest] = []
        self.loaded = False

    def enqueue(self, *pieces: str) -> None:
        self._replies.append(pieces)

    @property
    def context_length(self) -> int:
        return self._context_length

    def load(self) -> None:
        self.loaded = True

    def close(self) -> None:
        self.loaded = False

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def count_chat_tokens(self, messages: tuple[ChatMessage, ...]) -> int:
        return sum(self.count_tokens(m.content) + 4 for m in messages)

    def stream(self, request: GenerationRequest, stop: StopFlag) -> Iterator[str]:
        if not self._replies:
            raise ModelError("FakeEngine: no reply was enqueued for this request")
        self.requests.append(request)
        pieces, produced = self._replies.popleft(), []
        for piece in pieces[: request.max_tokens]:
            if stop.is_set():
                return self._generation(request, produced, "stopped")
            time.sleep(self._pause)
            produced.append(piece)
            yield piece
        finish = "length" if len(pieces) > request.max_tokens else "end"
        return self._generation(request, produced, finish)

    def _generation(self, request, produced, finish) -> Generation:
        return Generation(text="".join(produced), finish=finish,
                          prompt_tokens=self.count_chat_tokens(request.messages),
                          reused_prompt_tokens=0, generated_tokens=len(produced),
                          prompt_ms=0.0, decode_ms=self._pause * 1000 * len(produced),
                          model_sha256=self.model_sha256)
