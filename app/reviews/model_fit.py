"""A model earns its place by a measured fit: the share of its rewordings that pass the checks.

Why this module exists: asking a model to reword every sentence of a draft
costs seconds per sentence; a model whose rewordings the checks refuse
(the 135 M default copies or adds) spends that time for nothing. So a model
is measured once, on the sample team: Trellis composes every sample
person's review and asks the model to reword up to ``MAX_SENTENCES`` of its
sentences, each held to the same checks as in a draft (``rewording``). The
result is kept per model sha256 in the data dir (``model_fit.json``: the
model's name, hash and numbers; nothing about anyone's team). When fewer
than ``SHARE_NEEDED`` of a model's sentences pass, drafts do not ask it to
reword at all and use Trellis's own sentences; a model not yet measured is
probed as a draft goes.
"""

from __future__ import annotations

import json
import resource
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.dates import now_utc
from ..errors import TrellisError
from ..paths import ensure_private_dir, write_atomically
from .compose import body_sections, writing_for
from .evidence import build_brief
from .rewording import Rewording
from .summary import summary_section

if TYPE_CHECKING:
    from ..llm.engine import Engine, StopFlag
    from ..llm.prompts import PromptLibrary

FIT_FILE = "model_fit.json"
SHARE_NEEDED = 0.3
MAX_SENTENCES = 30
RARELY = ("This model's sentences rarely pass the checks: drafts will use Trellis's own "
          "sentences.")
FITS = "This model's sentences pass the checks often enough: drafts let it reword Trellis's sentences."


@dataclass(frozen=True)
class Fit:
    """How one model did when asked to reword Trellis's sentences for the sample team."""

    model: str
    sha256: str
    sentences: int
    passed: int
    seconds: float
    peak_memory_mb: float
    measured_at: str

    @property
    def share(self) -> float:
        return self.passed / self.sentences if self.sentences else 0.0

    @property
    def fits(self) -> bool:
        return self.share >= SHARE_NEEDED

    @property
    def sentences_per_second(self) -> float:
        return self.sentences / self.seconds if self.seconds else 0.0

    def verdict(self) -> str:
        return FITS if self.fits else RARELY

    def summary(self) -> str:
        return (f"{self.model}: {self.passed} of {self.sentences} sentences passed the checks "
                f"({round(100 * self.share)} %), {self.sentences_per_second:.2f} sentences/s, "
                f"peak memory {self.peak_memory_mb:.0f} MB. {self.verdict()}")

    def to_dict(self) -> dict:
        return {**asdict(self), "share": round(self.share, 4), "fits": self.fits,
                "sentences_per_second": round(self.sentences_per_second, 3)}


def measure_fit(engine: Engine, library: PromptLibrary, *, model_name: str,
                limit: int = MAX_SENTENCES, stop: StopFlag | None = None,
                on_sentence: Callable[[int, int], None] | None = None) -> Fit:
    """Reword up to ``limit`` of Trellis's sentences for the sample team with ``engine``."""
    from ..services.sample import load_sample_team
    from ..store import KdfParams, Store

    with tempfile.TemporaryDirectory(prefix="trellis-fit-") as scratch:
        store = Store.open(Path(scratch) / "home", passphrase=secrets.token_hex(16),
                           kdf=KdfParams(8192, 1, 1))
        try:
            load_sample_team(store)
            jobs = list(_sample_sentences(store, engine, library, stop))[:limit]
            started = time.perf_counter()
            for done, (rewording, key, statement) in enumerate(jobs, 1):
                rewording.statement(key, statement)
                if on_sentence is not None:
                    on_sentence(done, len(jobs))
            seconds = time.perf_counter() - started
        finally:
            store.close()
    verdicts = [v for rewording in {id(r): r for r, _, _ in jobs}.values() for v in rewording.verdicts]
    return Fit(model_name, engine.model_sha256, len(verdicts), sum(v.accepted for v in verdicts),
               round(seconds, 3), _peak_memory_mb(), now_utc())


def check_model(model, *, home: Path, limit: int = MAX_SENTENCES,
                on_sentence: Callable[[int, int], None] | None = None) -> Fit:
    """Load ``model`` (an installed model), measure its fit, keep it in ``home``, return it."""
    from .. import policy as policies
    from ..llm.llama_engine import LlamaEngine
    from ..llm.prompts import PromptLibrary
    from ..settings import effective_threads, load_settings

    if model.path is None:
        raise TrellisError(f"The file of model {model.name!r} is missing")
    policies.refuse_model(model.name, model.sha256)
    settings = load_settings(home)
    engine = LlamaEngine(model.path, name=model.name, model_sha256=model.sha256,
                         context_cap=settings.context_cap,
                         threads=effective_threads(settings, policies.current_policy()))
    engine.load()
    try:
        fit = measure_fit(engine, PromptLibrary(user_dir=Path(home) / "prompts"),
                          model_name=model.name, limit=limit, on_sentence=on_sentence)
    finally:
        engine.close()
    save_fit(home, fit)
    return fit


def _sample_sentences(store, engine, library, stop):
    """(a rewording for the person, section key, statement) for every sample review sentence."""
    for person in store.people.list():
        notes = store.notes.for_person(person.id, limit=1000)
        if not notes:
            continue
        start, end = min(n.date for n in notes), max(n.date for n in notes)
        brief = build_brief(store, person.id, start, end)
        writing, _ = writing_for(store, brief)
        others = tuple(p.name for p in store.people.list() if p.id != person.id)
        rewording = Rewording(engine, library, writing.subject,
                              {e.note.id: e.note for e in brief.notes}, others, stop,
                              known=tuple(c.name for c in brief.competencies), always=True)
        for section in (summary_section(writing, start, end), *body_sections(writing)):
            for statement in section.statements:
                yield rewording, section.key, statement


def _peak_memory_mb() -> float:
    """This process's peak resident memory (the model included)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# ---------------------------------------------------------------- kept per model

def load_fits(home: Path) -> dict[str, Fit]:
    """Every measured fit in the data dir, by model sha256; a damaged file counts as none."""
    path = Path(home) / FIT_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
        return {sha: Fit(**{k: v[k] for k in Fit.__dataclass_fields__}) for sha, v in data.items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def save_fit(home: Path, fit: Fit) -> None:
    ensure_private_dir(Path(home))
    fits = load_fits(home)
    fits[fit.sha256] = fit
    document = {sha: f.to_dict() for sha, f in sorted(fits.items())}
    write_atomically(Path(home) / FIT_FILE, (json.dumps(document, indent=2) + "\n").encode())


def fit_for(home: Path | None, sha256: str) -> Fit | None:
    """The model's fit measured here, else the one the catalog ships for it, else None."""
    if not sha256:
        return None
    measured = load_fits(home).get(sha256) if home is not None else None
    return measured or shipped_fit(sha256)


def shipped_fit(sha256: str) -> Fit | None:
    """The fit measured for a shipped model when it was added to the catalog."""
    from ..llm.catalog import read_catalog
    try:
        entry = next((e for e in read_catalog() if e.sha256 == sha256 and e.fit), None)
    except TrellisError:  # a damaged catalog is reported where models are listed
        return None
    if entry is None:
        return None
    fit = entry.fit
    return Fit(entry.name, sha256, int(fit["sentences"]), int(fit["passed"]),
               float(fit["seconds"]), float(fit["peak_memory_mb"]), str(fit["measured_at"]))
