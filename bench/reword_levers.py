"""The rewording levers, one at a time: ``.venv/bin/python -m bench.reword_levers [N]``.

Why it exists: issue 14 asks that each lever on the model's time be measured
on its own. The default model is not asked during drafts (its measured fit
is under 30 %), so this measures what a model that *is* asked costs per
sentence, with the app's rewording on the sample team's first ``N``
sentences (default 8), each variant run over the same sentences:

- the instruction prefix kept in the KV cache between sentences (the
  engine's default) against a cache reset before every sentence;
- the reply budget: ``REWORD_TOKENS`` (140) against 60 tokens.

The first pass warms the page cache and is not counted. Prints one line per
variant; nothing is written.
"""

import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from app.llm.llama_engine import LlamaEngine
from app.llm.prompts import PromptLibrary
from app.reviews import model_fit, rewording
from app.services.sample import load_sample_team
from app.store import KdfParams, Store
from bench.drafts import DEFAULT_MODEL


def _pass(jobs) -> tuple[float, int]:
    """Seconds per sentence and sentences accepted over one pass of ``jobs``."""
    reworders = {id(r): r for r, _, _ in jobs}.values()
    for reworder in reworders:
        reworder.verdicts.clear()
    started = time.perf_counter()
    for reworder, key, statement in jobs:
        reworder.statement(key, statement)
    seconds = (time.perf_counter() - started) / len(jobs)
    return seconds, sum(v.accepted for r in reworders for v in r.verdicts)


def run(count: int = 8, repeats: int = 2) -> dict[str, float]:
    engine = LlamaEngine(DEFAULT_MODEL, name=DEFAULT_MODEL.stem, model_sha256="bench")
    engine.load()
    keep_prefix = engine._reuse_prefix

    def forget_prefix(tokens):
        engine._llm.reset()
        return 0

    variants = {"prefix kept, 140 tokens": (keep_prefix, 140),
                "cache reset every sentence, 140 tokens": (forget_prefix, 140),
                "prefix kept, 60 tokens": (keep_prefix, 60)}
    results: dict[str, list[float]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory(prefix="trellis-levers-") as scratch:
        store = Store.open(Path(scratch) / "home", passphrase=secrets.token_hex(16),
                           kdf=KdfParams(8192, 1, 1))
        try:
            load_sample_team(store)
            jobs = list(model_fit._sample_sentences(store, engine, PromptLibrary(), None))[:count]
            _pass(jobs)  # warm-up
            for _ in range(repeats):  # interleaved, so a busy moment hits every variant
                for name, (reuse, cap) in variants.items():
                    engine._reuse_prefix, rewording.REWORD_TOKENS = reuse, cap
                    seconds, accepted = _pass(jobs)
                    results[name].append(seconds)
                    print(f"{name:40} {seconds:5.2f} s a sentence, {accepted}/{len(jobs)} kept",
                          flush=True)
        finally:
            engine._reuse_prefix, rewording.REWORD_TOKENS = keep_prefix, 140
            store.close()
            engine.close()
    medians = {name: round(statistics.median(times), 2) for name, times in results.items()}
    print("medians:", medians)
    return medians


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
