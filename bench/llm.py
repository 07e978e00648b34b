"""Benchmark the on-device model engine: ``make bench`` (``bench/run.py --only llm``).

Why it exists: a manager waits for the model in three ways -- for the reply
to stream, for the first word after pressing Generate, and for Stop to take
effect -- and Trellis drives llama.cpp its own way (``app/llm/llama_engine``:
prefix reuse, chunked prompts, a stop flag). This measures each, through the
app's ``LlamaEngine`` and ``run()``, next to what llama.cpp itself can do on
the same machine with the same model, threads and prompt:

- decode speed of the default model through the engine, against the
  simplest llama-cpp-python loop (``Llama.generate``), interleaved;
- memory read bandwidth (a 2 GB numpy array read by every core), and decode
  speed on a synthetic 1.5 GB model (``bench/synthetic_gguf.py``, written to
  a temporary directory and deleted) against the bound that bandwidth sets;
- time to first token for a ~600-token prompt, cold and with its prefix
  reused; stop latency while a ~6,000-token prompt is being processed.

``run`` returns flat ``llm.*`` keys for ``bench/results.json``; the method
is in docs/performance.md ("On-device model").
"""

import datetime as _dt
import functools
import os
import random
import shutil
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.llm import llama_engine
from app.llm.engine import ChatMessage, Generation, GenerationRequest, StopFlag, run as run_engine
from app.llm.gguf import inspect_model
from app.llm.llama_engine import LlamaEngine
from bench import corpus
from bench.machine import OtherLoad, last_level_cache_bytes, load_average, wait_for_quiet

REPO = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = REPO / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
DECODE_PROMPT = ("Write a long, detailed essay about the history of bridges, "
                 "from ancient times to today.")

# Other processes on a 2-core machine slow a 2-thread decode by up to half:
# before each timed decode the bench waits up to QUIET_WAIT_S for them to use
# under QUIET_CORES, and the medians use only runs taken below it (if three were).
QUIET_CORES = 0.2
QUIET_WAIT_S = 3.0

# (key, "min" or "max", target): "min" passes at or above it, "max" at or below.
TARGETS = [
    ("llm.decode_ratio_vs_bare", "min", 0.97),
    ("llm.decode_ratio_vs_bandwidth_limit", "min", 0.6),
    ("llm.ttft_warm_over_cold", "max", 0.1),
    ("llm.stop_latency_ms", "max", 200.0),
]
SHOWN = ["llm.decode_tok_s", "llm.bare_decode_tok_s", "llm.decode_runs_used",
         "llm.synthetic_decode_tok_s", "llm.synthetic_bare_decode_tok_s", "llm.synthetic_runs_used",
         "llm.synthetic_sentence_s",
         "llm.bandwidth_gbs", "llm.bandwidth_limit_tok_s", "llm.prompt_tok_s",
         "llm.bare_prompt_tok_s", "llm.ttft_cold_ms", "llm.ttft_warm_ms", "llm.bare_first_token_ms",
         "llm.stop_latency_p50_ms", "llm.decode_other_load_cores", "llm.synthetic_other_load_cores",
         "llm.other_load_cores", "llm.bench_s"]


@dataclass(frozen=True)
class LlmBenchSettings:
    model: Path = DEFAULT_MODEL
    decode_tokens: int = 256          # per run, default model
    decode_runs: int = 7              # engine and bare each, interleaved
    synthetic_bytes: int = 1_500_000_000
    synthetic_type: str = "Q8_0"
    synthetic_tokens: int = 32
    synthetic_runs: int = 7
    bandwidth_bytes: int = 2 << 30
    bandwidth_passes: int = 10
    ttft_prompt_tokens: int = 600
    ttft_runs: int = 3
    stop_prompt_tokens: int = 6000
    stop_trials: int = 7
    variants: bool = False
    temp_dir: Path | None = None


# ---------------------------------------------------------------- prompts

def chat(system: str, user: str) -> tuple[ChatMessage, ...]:
    return (ChatMessage("system", system), ChatMessage("user", user))


def notes_prompt(engine: LlamaEngine, tag: str, target_tokens: int,
                 seed: int = 11) -> tuple[ChatMessage, ...]:
    """A digest request over fictional notes, about ``target_tokens`` long.

    ``tag`` starts the system prompt, so two prompts with different tags
    share only the chat template's first tokens: the second is processed
    whole, not taken from the KV cache.
    """
    words = corpus.NoteText(random.Random(seed), _dt.date(2025, 1, 6), 180)
    system = f"{tag}. You help an engineering manager review their notes on a teammate."
    lines, total = [], engine.count_chat_tokens(chat(system, "Summarise these notes:\n"))
    while total < target_tokens:
        line = f"- {words.date()}: {words.text()}"
        lines.append(line)
        total += engine.count_tokens(line + "\n")
    return chat(system, "Summarise these notes:\n" + "\n".join(lines))


def decode_request(max_tokens: int) -> GenerationRequest:
    """Greedy, so the engine and the bare loop produce the same tokens."""
    return GenerationRequest(messages=(ChatMessage("user", DECODE_PROMPT),),
                             max_tokens=max_tokens, temperature=0.0)


# ---------------------------------------------------------------- decode

def bare_llama(engine: LlamaEngine, path: Path, **extra):
    """A plain ``Llama`` with the engine's context, threads and batch sizes."""
    return llama_engine.Llama(str(path), n_ctx=engine.context_length,
                              n_threads=engine.threads, n_threads_batch=engine.threads,
                              n_batch=engine._batch_size, n_ubatch=engine._batch_size,
                              verbose=False, seed=1, **extra)


def engine_decode(engine: LlamaEngine, request: GenerationRequest) -> tuple[float, int]:
    """Decode tokens/s and token count of one generation through ``run()``."""
    generation = run_engine(engine, request)
    return generation.tokens_per_second, generation.generated_tokens


def bare_decode(llm, prompt: list[int], n_tokens: int) -> float:
    """The simplest llama-cpp-python loop, decode phase only, in tokens/s.

    The prompt minus its last token is evaluated untimed; ``generate`` then
    evaluates that last token and samples, n_tokens times over: n_tokens
    evaluations and samples, the work of the engine's decode phase.
    """
    llm.reset()
    llm.eval(prompt[:-1])
    count, started = 0, time.perf_counter()
    for _token in llm.generate(prompt, temp=0.0):
        count += 1
        if count == n_tokens:
            break
    return count / (time.perf_counter() - started)


def compare_decode(engine: LlamaEngine, llm, request: GenerationRequest,
                   runs: int, before_each=None) -> dict:
    """Engine and bare loop in pairs (which goes first alternates); medians over quiet pairs.

    ``before_each`` (a bandwidth probe) runs just before each pair, under the same load.
    """
    prompt = engine.prompt_tokens(request.messages)
    # Warm-up (pages, buffers, the cached prompt). Greedy decoding gives the
    # same tokens every run, so the bare loop decodes as many as the engine.
    _, n_tokens = engine_decode(engine, request)
    bare_decode(llm, prompt, 8)
    measures = (lambda: engine_decode(engine, request)[0],
                lambda: bare_decode(llm, prompt, n_tokens))
    pairs = [timed_pair(measures if i % 2 == 0 else measures[::-1], i % 2 == 1, before_each)
             for i in range(runs)]
    used = quiet(pairs)
    return {"engine": statistics.median(p[0] for p in used),
            "bare": statistics.median(p[1] for p in used),
            "tokens": n_tokens, "runs_used": f"{len(used)}/{len(pairs)}"}


def timed_pair(measures, swapped: bool, before=None) -> tuple[float, float, float | None]:
    """(engine, bare, cores other processes used meanwhile), after waiting a little for quiet."""
    wait_for_quiet(QUIET_WAIT_S, QUIET_CORES)
    with OtherLoad() as others:
        if before is not None:
            before()
        first, second = (measure() for measure in measures)
    engine, bare = (second, first) if swapped else (first, second)
    return engine, bare, others.cores


def quiet(samples: list[tuple]) -> list[tuple]:
    """The samples taken while other processes used under ``QUIET_CORES`` (their last
    item), if at least three were; otherwise all of them."""
    calm = [s for s in samples if s[-1] is not None and s[-1] < QUIET_CORES]
    return calm if len(calm) >= 3 else samples


# ---------------------------------------------------------------- time to first token

def time_to_first_piece(engine: LlamaEngine, messages) -> tuple[float, Generation]:
    """Milliseconds from the call to the first streamed piece; the generation stops there."""
    stop, first = StopFlag(), []

    def on_piece(_piece):
        if not first:
            first.append(time.perf_counter())
            stop.set()

    started = time.perf_counter()
    generation = run_engine(engine, GenerationRequest(messages=messages, max_tokens=16,
                                                      temperature=0.0), stop, on_piece)
    return (first[0] - started) * 1000, generation


def measure_ttft(engine: LlamaEngine, llm, settings: LlmBenchSettings) -> dict:
    """Cold (a new prompt) then warm (the same prompt again), several times; medians."""
    cold, warm, prompt_rates, bare_rates, bare_warm = [], [], [], [], []
    for i in range(settings.ttft_runs):
        messages = notes_prompt(engine, f"Session {i + 1}", settings.ttft_prompt_tokens)
        ms, generation = time_to_first_piece(engine, messages)
        cold.append(ms)
        prompt_rates.append(generation.evaluated_prompt_tokens / generation.prompt_ms * 1000)
        warm.append(time_to_first_piece(engine, messages)[0])
        rate, first_ms = bare_prompt(llm, engine.prompt_tokens(messages))
        bare_rates.append(rate)
        bare_warm.append(first_ms)
    return {"llm.ttft_cold_ms": statistics.median(cold),
            "llm.ttft_warm_ms": statistics.median(warm),
            "llm.ttft_warm_over_cold": statistics.median(warm) / statistics.median(cold),
            "llm.ttft_prompt_tokens": generation.prompt_tokens,
            "llm.prompt_tok_s": statistics.median(prompt_rates),
            "llm.bare_prompt_tok_s": statistics.median(bare_rates),
            "llm.bare_first_token_ms": statistics.median(bare_warm)}


def bare_prompt(llm, prompt: list[int]) -> tuple[float, float]:
    """The bare loop on a prompt: tokens/s of ``Llama.eval`` (batches of n_batch) of
    all but its last token, then ms until ``generate`` yields the first token
    (it evaluates that last token and samples, as the engine's warm start does).
    """
    llm.reset()
    started = time.perf_counter()
    llm.eval(prompt[:-1])
    evaluated = time.perf_counter()
    next(llm.generate(prompt, temp=0.0))
    return (len(prompt) - 1) / (evaluated - started), (time.perf_counter() - evaluated) * 1000


# ---------------------------------------------------------------- stop

def stop_latency_ms(engine: LlamaEngine, messages, delay_s: float) -> tuple[float, Generation]:
    """Start a generation, stop it ``delay_s`` later; ms from ``stop.set()`` to ``run()`` returning."""
    stop, done = StopFlag(), {}

    def generate():
        done["generation"] = run_engine(engine, GenerationRequest(messages=messages, max_tokens=16),
                                        stop)
        done["at"] = time.perf_counter()

    worker = threading.Thread(target=generate, name="bench-model")
    worker.start()
    time.sleep(delay_s)
    stopped_at = time.perf_counter()
    stop.set()
    worker.join()
    return (done["at"] - stopped_at) * 1000, done["generation"]


def measure_stop(engine: LlamaEngine, settings: LlmBenchSettings) -> dict:
    """Stops at spread-out moments of a long prompt, each on a prompt not yet cached."""
    latencies, evaluated = [], []
    for i in range(settings.stop_trials):
        messages = notes_prompt(engine, f"Trial {i + 1}", settings.stop_prompt_tokens)
        delay = 0.25 + 0.6 * i / max(1, settings.stop_trials - 1)
        ms, generation = stop_latency_ms(engine, messages, delay)
        if not generation.stopped or generation.generated_tokens:
            raise RuntimeError(f"stop trial {i + 1} finished the prompt before the stop "
                               f"({generation.finish}); lengthen stop_prompt_tokens")
        latencies.append(ms)
        evaluated.append(generation.prompt_tokens)
    return {"llm.stop_latency_ms": max(latencies),
            "llm.stop_latency_p50_ms": statistics.median(latencies),
            "llm.stop_trials": len(latencies),
            "llm.stop_prompt_tokens": min(evaluated)}


# ---------------------------------------------------------------- memory bandwidth

class ReadBandwidth:
    """Memory read bandwidth: an int64 array far larger than the last-level cache,
    summed by threads that each take a slice.

    numpy releases the GIL in the reduction, so the threads read in
    parallel. The sum is a plain vector add: one core reads faster than any
    model kernel computes. ``best`` is the best rate in GB/s of every pass on
    all threads so far (the bound for decoding is the machine's best, not its
    average).
    """

    def __init__(self, n_bytes: int, threads: int):
        self.data = np.ones(n_bytes // 8, dtype=np.int64)   # written: every page is resident
        self.threads = threads
        self.best = 0.0

    def measure(self, passes: int, threads: int | None = None) -> float:
        """The best of ``passes`` reads of the whole array, in GB/s."""
        threads = threads or self.threads
        slices = np.array_split(self.data, threads)
        best = 0.0
        with ThreadPoolExecutor(threads) as pool:
            for _ in range(passes):
                started = time.perf_counter()
                list(pool.map(np.add.reduce, slices))
                best = max(best, self.data.nbytes / (time.perf_counter() - started) / 1e9)
        if threads == self.threads:
            self.best = max(self.best, best)
        return best


# ---------------------------------------------------------------- synthetic model

@contextmanager
def synthetic_model(settings: LlmBenchSettings, kind: str | None = None):
    """A synthetic GGUF in a temporary directory, deleted on the way out."""
    from gguf import GGMLQuantizationType

    from bench.synthetic_gguf import write_synthetic_model
    folder = Path(tempfile.mkdtemp(prefix="trellis-bench-llm-", dir=settings.temp_dir))
    try:
        path = folder / "synthetic.gguf"
        write_synthetic_model(path, tokenizer_from=settings.model,
                              target_bytes=settings.synthetic_bytes,
                              kind=GGMLQuantizationType[kind or settings.synthetic_type])
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def llama_options(**extra):
    """Bench only: the engine builds its ``Llama`` with these extra options (mmap, mlock)."""
    original = llama_engine.Llama
    llama_engine.Llama = functools.partial(original, **extra)
    try:
        yield
    finally:
        llama_engine.Llama = original


def synthetic_decode(path: Path, settings: LlmBenchSettings, *, threads: int | None = None,
                     with_bare: bool = False, before_each=None, **extra) -> dict:
    """Decode speed on the synthetic model through the engine (and the bare loop)."""
    with llama_options(**extra):
        engine = LlamaEngine(path, threads=threads)
        engine.load()
    llm = bare_llama(engine, path, **extra) if with_bare else None
    request = decode_request(settings.synthetic_tokens)
    try:
        if llm is not None:
            return compare_decode(engine, llm, request, settings.synthetic_runs, before_each)
        engine_decode(engine, request)          # warm-up
        samples = [timed_run(lambda: engine_decode(engine, request)[0])
                   for _ in range(settings.synthetic_runs)]
        used = quiet(samples)
        return {"engine": statistics.median(s[0] for s in used),
                "runs_used": f"{len(used)}/{len(samples)}"}
    finally:
        if llm is not None:
            llm.close()
        engine.close()


def timed_run(measure) -> tuple[float, float | None]:
    """(value, cores other processes used meanwhile), after waiting a little for quiet."""
    wait_for_quiet(QUIET_WAIT_S, QUIET_CORES)
    with OtherLoad() as others:
        value = measure()
    return value, others.cores


def measure_synthetic(settings: LlmBenchSettings) -> dict:
    """Bandwidth, and the synthetic model's decode through the engine and bare.

    The bandwidth is read before the decode runs and again just before each
    pair of them, so that its best is taken under the same conditions.
    """
    threads = os.cpu_count() or 1
    probe = ReadBandwidth(settings.bandwidth_bytes, threads)
    keys = {"llm.bandwidth_threads": threads,
            "llm.bandwidth_1thread_gbs": probe.measure(3, threads=1)}
    probe.measure(settings.bandwidth_passes)
    with synthetic_model(settings) as path:
        info = inspect_model(path)
        with OtherLoad() as others:
            decode = synthetic_decode(path, settings, with_bare=True,
                                      before_each=lambda: probe.measure(2))
        del probe.data
        keys.update(synthetic_keys(info, decode, probe.best, others.cores))
        keys["llm.synthetic_sentence_s"] = synthetic_sentence_s(path)
        if settings.variants:
            from bench import llm_variants
            keys.update(llm_variants.settings_variants(path, settings, info, probe.best))
    return keys


def synthetic_sentence_s(path: Path, runs: int = 3) -> float:
    """Seconds for one rewording of a draft sentence (``reword_sentence``, its full reply
    budget, JSON-constrained) on the synthetic model: what a 1.5 GB model costs a draft
    per sentence. Its words are noise; its time is real."""
    from app.llm.prompts import PromptLibrary
    from app.reviews.rewording import REWORD_TEMPLATE, REWORD_TOKENS

    prompt = PromptLibrary().render(
        REWORD_TEMPLATE, person="Ana Ruiz", sentence="Ana shipped the billing export two days early.",
        notes=[{"id": "n-1", "date": "2026-03-03", "text": "Shipped the billing export two days early."}])
    request = GenerationRequest(prompt.messages, schema=prompt.output_schema,
                                max_tokens=REWORD_TOKENS, temperature=0.0)
    engine = LlamaEngine(path)
    engine.load()
    try:
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            run_engine(engine, request, None, None)
            seconds.append(time.perf_counter() - started)
        return statistics.median(seconds)
    finally:
        engine.close()


def synthetic_keys(info, decode: dict, bandwidth_gbs: float, other_cores) -> dict:
    limit = bandwidth_gbs * 1e9 / info.bytes_per_token_estimate
    return {
        "llm.bandwidth_gbs": bandwidth_gbs,
        "llm.synthetic_model": f"{info.block_count} layers, {info.quantisation}, "
                               f"{info.file_size / 1e6:.0f} MB",
        "llm.synthetic_bytes_per_token_mb": info.bytes_per_token_estimate / 1e6,
        "llm.synthetic_runs_used": decode["runs_used"],
        "llm.synthetic_other_load_cores": other_cores,
        "llm.synthetic_decode_tok_s": decode["engine"],
        "llm.synthetic_bare_decode_tok_s": decode["bare"],
        "llm.bandwidth_limit_tok_s": limit,
        "llm.decode_ratio_vs_bandwidth_limit": decode["engine"] / limit,
        "llm.bare_ratio_vs_bandwidth_limit": decode["bare"] / limit,
    }


# ---------------------------------------------------------------- default model

def measure_default_model(settings: LlmBenchSettings) -> dict:
    """Decode against the bare loop, time to first token and stop, on the default model."""
    engine = LlamaEngine(settings.model)
    engine.load()
    llm = bare_llama(engine, settings.model)
    try:
        with OtherLoad() as others:
            decode = compare_decode(engine, llm, decode_request(settings.decode_tokens),
                                    settings.decode_runs)
        keys = {"llm.decode_other_load_cores": others.cores,
                "llm.model": settings.model.name, "llm.threads": engine.threads,
                "llm.n_ctx": engine.context_length, "llm.n_batch": engine._batch_size,
                "llm.prompt_chunk": llama_engine.PROMPT_CHUNK,
                "llm.decode_tokens": decode["tokens"], "llm.decode_runs_used": decode["runs_used"],
                "llm.decode_tok_s": decode["engine"], "llm.bare_decode_tok_s": decode["bare"],
                "llm.decode_ratio_vs_bare": decode["engine"] / decode["bare"]}
        print("  time to first token …", flush=True)
        keys.update(measure_ttft(engine, llm, settings))
        print("  stop during a long prompt …", flush=True)
        keys.update(measure_stop(engine, settings))
        return keys
    finally:
        llm.close()
        engine.close()


def run(settings: LlmBenchSettings) -> dict:
    """Every ``llm.*`` key; prints progress."""
    if not settings.model.exists():
        raise SystemExit(f"{settings.model} is missing: run `make setup` first")
    started = time.perf_counter()
    keys = {"llm.bench_date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "llm.loadavg_1m_start": load_average(), "llm.llc_mb": _mb(last_level_cache_bytes())}
    with OtherLoad() as others:
        print(f"model: {settings.model.name}, decode vs bare …", flush=True)
        keys.update(measure_default_model(settings))
        print(f"bandwidth and a synthetic {settings.synthetic_bytes / 1e9:.1f} GB "
              f"{settings.synthetic_type} model …", flush=True)
        keys.update(measure_synthetic(settings))
        if settings.variants:
            from bench import llm_variants
            keys.update(llm_variants.other_models(settings, keys["llm.bandwidth_gbs"]))
    keys["llm.other_load_cores"] = others.cores
    keys["llm.loadavg_1m_end"] = load_average()
    keys["llm.bench_s"] = round(time.perf_counter() - started, 1)
    return keys


def _mb(n_bytes: int | None) -> float | None:
    return None if n_bytes is None else n_bytes / (1 << 20)


# ---------------------------------------------------------------- report

def print_table(results: dict) -> list[str]:
    """The llm rows against their targets; returns the keys that missed."""
    rows = []
    for key, sense, target in TARGETS:
        if key in results:
            value = results[key]
            ok = value >= target if sense == "min" else value <= target
            rows.append((key, value, f"{'>=' if sense == 'min' else '<='} {target:g}",
                         "pass" if ok else "MISS"))
    rows += [(key, results[key], "", "") for key in SHOWN if key in results]
    rows += [(key, results[key], "", "") for key in sorted(results) if key.startswith("llm.variant.")]
    width = max(len(row[0]) for row in rows)
    print(f"\n{'metric':<{width}}  {'value':>10}  {'target':>8}  result")
    print(f"{'-' * width}  {'-' * 10}  {'-' * 8}  ------")
    for key, value, target, verdict in rows:
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"{key:<{width}}  {shown:>10}  {target:>8}  {verdict}")
    print(f"\nmodel {results.get('llm.model')}, {results.get('llm.threads')} threads, "
          f"context {results.get('llm.n_ctx')}; synthetic: {results.get('llm.synthetic_model')}; "
          f"LLC {results.get('llm.llc_mb')} MB; load {results.get('llm.loadavg_1m_start')} at start, "
          f"other processes used {results.get('llm.other_load_cores')} cores meanwhile")
    return [row[0] for row in rows if row[3] == "MISS"]
