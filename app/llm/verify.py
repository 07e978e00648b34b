"""``trellis models verify``: prove an installed model is the right file and works.

Hash it, load it, and generate a short reply, reporting tokens per second.
Loading happens here only after the GGUF inspection has accepted the file.
"""

import time
from pathlib import Path

from .catalog import sha256_file
from .engine import ChatMessage, GenerationRequest, ModelError, run

PROBE = (ChatMessage("system", "You answer in one short sentence."),
         ChatMessage("user", "What is a one-on-one meeting?"))


def verify_model(path: Path, expected_sha256: str | None = None, *, max_tokens: int = 32) -> dict:
    """Hash, load and try ``path``; raises ModelError on a mismatch or a failure."""
    path = Path(path)
    actual = sha256_file(path)
    if expected_sha256 and actual != expected_sha256:
        raise ModelError(f"{path.name}: sha256 {actual} does not match the expected {expected_sha256}")
    from .llama_engine import LlamaEngine  # loaded only when a model is really used
    engine = LlamaEngine(path, model_sha256=actual)
    started = time.perf_counter()
    engine.load()
    load_ms = (time.perf_counter() - started) * 1000
    try:
        generation = run(engine, GenerationRequest(PROBE, max_tokens=max_tokens, temperature=0.0))
    finally:
        engine.close()
    if not generation.text.strip():
        raise ModelError(f"{path.name} loaded but produced no text")
    return {"file": path.name, "sha256": actual, "load_ms": round(load_ms, 1),
            "tokens": generation.generated_tokens,
            "tokens_per_second": round(generation.tokens_per_second, 1),
            "sample": generation.text.strip()[:120]}
