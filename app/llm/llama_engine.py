"""The real engine: llama.cpp through llama-cpp-python, on this machine's CPU.

This is the only module in Trellis that imports ``llama_cpp``. It drives the
model token by token rather than through ``Llama.generate`` so that it can:

- reuse the KV cache for the longest prefix shared with the previous prompt
  (regenerating with the same system prompt and evidence skips that part);
- process a prompt in chunks, checking the stop flag between chunks and,
  inside a chunk, through llama.cpp's abort callback, so a stop during a
  long prompt returns in milliseconds;
- check the stop flag before every sampled token.

It relies on a few attributes of ``Llama`` that are not public API
(``_ctx``, ``_sampler``, ``_init_sampler``, ``_input_ids``); the version is
pinned in requirements.lock and the tests exercise each of them.
"""

import codecs
import ctypes
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import llama_cpp
from llama_cpp import Llama, LlamaGrammar

from .chat_template import ChatTemplate
from .engine import ChatMessage, ContextOverflow, Generation, GenerationRequest, ModelError, StopFlag
from .gguf import check_fits_in_memory, inspect_model
from .load_check import verify_before_load
from .hardware import physical_cores

log = logging.getLogger("trellis.llm")
_llama_log = logging.getLogger("trellis.llm.llama_cpp")

DEFAULT_CONTEXT_CAP = 8192
PROMPT_CHUNK = 64   # tokens evaluated between two looks at the stop flag


@llama_cpp.llama_log_callback
def _route_llama_log(level, text, _user_data):
    # llama.cpp's own messages (which can quote prompt text at high verbosity)
    # go to our log at debug level only, never to stderr.
    _llama_log.debug(text.decode("utf-8", errors="replace").rstrip())


llama_cpp.llama_log_set(_route_llama_log, ctypes.c_void_p(0))

_lib = llama_cpp.llama_cpp._lib
_lib.llama_set_abort_callback.argtypes = [ctypes.c_void_p, llama_cpp.ggml_abort_callback, ctypes.c_void_p]
_lib.llama_set_abort_callback.restype = None
_NO_ABORT = llama_cpp.ggml_abort_callback()


class LlamaEngine:
    """One GGUF model loaded in this process. Not thread-safe: see ``worker``."""

    def __init__(self, path: Path, *, name: str = "", model_sha256: str = "",
                 context_cap: int = DEFAULT_CONTEXT_CAP, threads: int | None = None,
                 batch_size: int = 256):
        self.path = Path(path)
        self.name = name or self.path.stem
        self.model_sha256 = model_sha256
        self._context_cap = context_cap
        self._threads = threads or physical_cores()
        self._batch_size = batch_size
        self._llm: Llama | None = None
        self._template: ChatTemplate | None = None
        self._abort = StopFlag()
        self._abort_callback = llama_cpp.ggml_abort_callback(lambda _data: self._abort.is_set())
        self._grammars: dict[str, LlamaGrammar] = {}

    # --- loading -----------------------------------------------------------

    def load(self) -> None:
        if self._llm is not None:
            return
        n_ctx = self._inspect()
        try:
            self._llm = Llama(str(self.path), n_ctx=n_ctx,
                              n_threads=self._threads, n_threads_batch=self._threads,
                              n_batch=self._batch_size, n_ubatch=self._batch_size,
                              verbose=False, seed=1)
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"{self.path.name} could not be loaded: {exc}") from None
        self._template = self._chat_template()
        log.info("loaded %s: context %d, %d threads", self.name, self.context_length, self._threads)

    def _inspect(self) -> int:
        """Check the file before llama.cpp sees it; returns the context size to use."""
        verify_before_load(self.path, self.name, self.model_sha256)
        info = inspect_model(self.path)
        if not info.chat_template:
            raise ModelError(f"{self.path.name} has no chat template; Trellis needs an instruct model")
        ChatTemplate(info.chat_template)  # a looping or exploding template is refused here
        n_ctx = min(info.context_length or self._context_cap, self._context_cap)
        check_fits_in_memory(info, n_ctx)
        return n_ctx

    def _chat_template(self) -> ChatTemplate:
        source = self._llm.metadata.get("tokenizer.chat_template")
        if not source:
            raise ModelError(f"{self.path.name} has no chat template; Trellis needs an instruct model")
        model = self._llm._model
        return ChatTemplate(source, bos_token=model.token_get_text(self._llm.token_bos()),
                            eos_token=model.token_get_text(self._llm.token_eos()))

    @property
    def context_length(self) -> int:
        return self._require().n_ctx()

    @property
    def threads(self) -> int:
        return self._threads

    def close(self) -> None:
        if self._llm is not None:
            self._llm.close()
            self._llm = None

    def _require(self) -> Llama:
        if self._llm is None:
            raise ModelError("The model is not loaded")
        return self._llm

    # --- tokens ------------------------------------------------------------

    def count_tokens(self, text: str) -> int:
        return len(self._require().tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def prompt_tokens(self, messages: tuple[ChatMessage, ...]) -> list[int]:
        prompt = self._template.render(messages) if self._template else ""
        return self._require().tokenize(prompt.encode("utf-8"), add_bos=True, special=True)

    def count_chat_tokens(self, messages: tuple[ChatMessage, ...]) -> int:
        return len(self.prompt_tokens(messages))

    # --- generation --------------------------------------------------------

    def stream(self, request: GenerationRequest, stop: StopFlag) -> Iterator[str]:
        llm = self._require()
        started = time.perf_counter()
        tokens = self.prompt_tokens(request.messages)
        if len(tokens) + request.max_tokens > llm.n_ctx():
            raise ContextOverflow(len(tokens) + request.max_tokens, llm.n_ctx(),
                                  "The prompt with room for the reply")
        reused = self._reuse_prefix(tokens)
        finished_prompt = self._eval_prompt(tokens[reused:], stop)
        prompt_done = time.perf_counter()
        if not finished_prompt:
            return self._result("", "stopped", tokens, reused, 0, started, prompt_done, prompt_done)
        text, finish, generated = yield from self._decode(request, stop)
        return self._result(text, finish, tokens, reused, generated, started, prompt_done,
                            time.perf_counter())

    def _reuse_prefix(self, tokens: list[int]) -> int:
        """Keep the KV cache for the prefix shared with what is cached; returns its length."""
        llm = self._llm
        shared = 0
        for cached, new in zip(llm._input_ids.tolist(), tokens):
            if cached != new:
                break
            shared += 1
        # The last prompt token is always evaluated again: sampling needs its logits.
        shared = min(shared, len(tokens) - 1)
        if shared <= 0 or not llm._ctx.kv_cache_seq_rm(-1, shared, -1):
            llm.reset()
            return 0
        llm.n_tokens = shared
        return shared

    def _eval_prompt(self, tokens: list[int], stop: StopFlag) -> bool:
        """Process the prompt in chunks; False if stopped before the end."""
        llm = self._llm
        self._abort = stop
        _lib.llama_set_abort_callback(llm._ctx.ctx, self._abort_callback, None)
        try:
            for start in range(0, len(tokens), PROMPT_CHUNK):
                if stop.is_set():
                    return False
                llm.eval(tokens[start:start + PROMPT_CHUNK])
        except RuntimeError:
            if stop.is_set():
                return False  # llama_decode was aborted by the callback
            raise
        finally:
            # Decoding one token at a time does not need it, and the callback
            # would cost a Python call per graph node on every token.
            _lib.llama_set_abort_callback(llm._ctx.ctx, _NO_ABORT, None)
        return True

    def _decode(self, request: GenerationRequest, stop: StopFlag):
        llm = self._llm
        llm.set_seed(request.seed)
        llm._sampler = llm._init_sampler(temp=request.temperature, repeat_penalty=request.repeat_penalty,
                                         grammar=self._grammar(request.schema))
        vocab = llm._model.vocab
        utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pieces: list[str] = []
        for generated in range(request.max_tokens):
            if stop.is_set():
                return "".join(pieces), "stopped", generated
            token = llm.sample()
            if llama_cpp.llama_vocab_is_eog(vocab, token):
                return "".join(pieces), "end", generated
            piece = utf8.decode(llm.detokenize([token]))
            if piece:
                pieces.append(piece)
                yield piece  # shown before the next step is computed, not after
            if generated + 1 < request.max_tokens:  # the last token's logits are never used
                llm.eval([token])
        return "".join(pieces), "length", request.max_tokens

    def _grammar(self, schema: dict | None) -> LlamaGrammar | None:
        if schema is None:
            return None
        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            self._grammars[key] = LlamaGrammar.from_json_schema(key, verbose=False)
        return self._grammars[key]

    def _result(self, text, finish, tokens, reused, generated, started, prompt_done, ended) -> Generation:
        return Generation(text=text, finish=finish, prompt_tokens=len(tokens),
                          reused_prompt_tokens=reused, generated_tokens=generated,
                          prompt_ms=(prompt_done - started) * 1000,
                          decode_ms=(ended - prompt_done) * 1000, model_sha256=self.model_sha256)
