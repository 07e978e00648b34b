"""Other settings and other models for the model benchmark: ``bench/run.py --variants``.

``bench/llm.py`` measures what the app runs today. These measure what it
could choose instead, each through the same ``LlamaEngine`` code path, to
back (or rule out) the proposals in docs/performance.md ("On-device
model"): the engine's ``Llama`` options on the synthetic model (one thread,
no mmap, mlock), synthetic models of other weight types (F16; Q4_0, which
llama.cpp repacks for AVX2 at load), and the default model converted to
Q8_0 and Q4_0. None of this is what the app runs.
"""

import statistics
import tempfile
from pathlib import Path

from app.llm import llama_engine
from app.llm.gguf import inspect_model
from app.llm.llama_engine import LlamaEngine
from bench import llm

# The engine's options tried on the synthetic model, beyond its defaults.
ENGINE_SETTINGS = {"threads_1": {"threads": 1}, "no_mmap": {"use_mmap": False},
                   "mlock": {"use_mlock": True}}
SYNTHETIC_TYPES = ("F16", "Q4_0")
DEFAULT_MODEL_TYPES = {"Q8_0": 7, "Q4_0": 2}   # llama_ftype


def settings_variants(path: Path, settings, info, bandwidth_gbs: float) -> dict:
    """Decode on the synthetic model with each of ``ENGINE_SETTINGS``, as ratios to the bound."""
    limit = bandwidth_gbs * 1e9 / info.bytes_per_token_estimate
    keys = {}
    for name, options in ENGINE_SETTINGS.items():
        print(f"  variant {name} …", flush=True)
        decode = llm.synthetic_decode(path, settings, **options)
        keys[f"llm.variant.{name}.decode_tok_s"] = decode["engine"]
        keys[f"llm.variant.{name}.ratio_vs_bandwidth_limit"] = decode["engine"] / limit
        keys[f"llm.variant.{name}.runs_used"] = decode["runs_used"]
    return keys


def other_models(settings, bandwidth_gbs: float) -> dict:
    keys = {}
    for kind in SYNTHETIC_TYPES:
        print(f"  variant synthetic {kind} …", flush=True)
        keys.update(synthetic_type(settings, kind, bandwidth_gbs))
    for kind, ftype in DEFAULT_MODEL_TYPES.items():
        print(f"  variant default model as {kind} …", flush=True)
        keys.update(default_model_as(settings, kind, ftype))
    return keys


def synthetic_type(settings, kind: str, bandwidth_gbs: float) -> dict:
    """The bandwidth measure on a synthetic model of another weight type, same size."""
    with llm.synthetic_model(settings, kind) as path:
        info = inspect_model(path)
        decode = llm.synthetic_decode(path, settings, with_bare=True)
    limit = bandwidth_gbs * 1e9 / info.bytes_per_token_estimate
    prefix = f"llm.variant.synthetic_{kind.lower()}"
    return {f"{prefix}.model": f"{info.block_count} layers, {info.file_size / 1e6:.0f} MB",
            f"{prefix}.decode_tok_s": decode["engine"],
            f"{prefix}.ratio_vs_bandwidth_limit": decode["engine"] / limit,
            f"{prefix}.bare_ratio_vs_bandwidth_limit": decode["bare"] / limit}


def default_model_as(settings, kind: str, ftype: int) -> dict:
    """The default model converted (llama.cpp's quantiser) to ``kind``: decode, prompt, cold TTFT."""
    with tempfile.TemporaryDirectory(prefix="trellis-bench-llm-", dir=settings.temp_dir) as folder:
        path = Path(folder) / f"default-{kind}.gguf"
        convert(settings.model, path, ftype)
        engine = LlamaEngine(path)
        engine.load()
        try:
            return {f"llm.variant.default_{kind.lower()}.{key}": value
                    for key, value in speeds(engine, settings).items()}
        finally:
            engine.close()


def convert(source: Path, target: Path, ftype: int) -> None:
    llama_cpp = llama_engine.llama_cpp
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype, params.allow_requantize, params.nthread = ftype, True, 2
    if llama_cpp.llama_model_quantize(str(source).encode(), str(target).encode(), params) != 0:
        raise RuntimeError(f"llama.cpp could not convert {source.name}")


def speeds(engine: LlamaEngine, settings) -> dict:
    request = llm.decode_request(settings.decode_tokens)
    llm.engine_decode(engine, request)     # warm-up
    decode = [llm.timed_run(lambda: llm.engine_decode(engine, request)[0])
              for _ in range(3)]
    cold, prompt = [], []
    for i in range(settings.ttft_runs):
        messages = llm.notes_prompt(engine, f"Variant {i + 1}", settings.ttft_prompt_tokens)
        ms, generation = llm.time_to_first_piece(engine, messages)
        cold.append(ms)
        prompt.append(generation.evaluated_prompt_tokens / generation.prompt_ms * 1000)
    return {"decode_tok_s": statistics.median(v for v, _ in llm.quiet(decode)),
            "prompt_tok_s": statistics.median(prompt), "ttft_cold_ms": statistics.median(cold)}
