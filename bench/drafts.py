"""Benchmark review drafts: ``bench/run.py --only drafts``.

Why it exists: a review draft is the longest thing a manager waits for in
Trellis, and the share of model sentences the grounding checker rejects
says how much of the draft the model really wrote. Both are measured on
the fictional team of ``tests/data/review_team.json``: Ana Ruiz, 40 notes
in the first half of 2026 (five of them untagged, so competency
suggestions are part of the run), with the default model.

- ``drafts.review_s``: wall time of ``draft_review`` (brief, every section,
  the model's rewording where its measured fit allows), median of ``runs``;
  ``drafts.first_section_s`` the time until the first section is on screen.
- ``drafts.sentences_rejected_ratio``: rejected model sentences / all
  model sentences, on the first run's draft.
- ``drafts.model_sentences``, ``drafts.model_sentences_kept``, ``drafts.statements``,
  ``drafts.notes_cited``: the counts behind it; ``drafts.other_load_cores`` says how busy the
  machine was meanwhile (other processes, in cores), and
  ``drafts.review_cpu_s`` the CPU time the draft itself took: with one
  thread on a busy machine, about what the wall time would be on a quiet one.
- ``drafts.labelled_team_review_s``: the median wall time of one person's
  review over the year on ``tests/data/labelled_team.json`` (seven people,
  103 notes, the app's own reading and composing), each person drafted once;
  ``drafts.labelled_team_total_s`` the whole team.
- ``drafts.long_note_review_s``: the same review with one more note at the size cap
  (``MAX_NOTE_CHARS``, 20,000 characters, made of the team's own sentences): a long note is
  read again for every sentence the draft says, so it shows what caching that costs.
- ``drafts.check_recall`` / ``drafts.check_false_reject``: the meaning checks
  (``app.reviews.meaning``) on ``tests/data/meaning_set.json``: the share of
  distorted sentences refused (target ≥ 0.95) and of true sentences refused
  (target ≤ 0.05); ``…_judging`` the same on ``meaning_judging_set.json``,
  which nobody tuning the rules read; ``drafts.check_ms`` the time to check
  one sentence.
"""

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from app.exchange import import_file
from app.llm.llama_engine import LlamaEngine
from app.llm.prompts import PromptLibrary
from app.reviews.review_draft import draft_review
from app.store import KdfParams, Store
from bench.machine import OtherLoad, load_average

REPO = Path(__file__).resolve().parent.parent
TEAM = REPO / "tests" / "data" / "review_team.json"
LABELLED_TEAM = REPO / "tests" / "data" / "labelled_team.json"
LABELLED_PERIOD = ("2026-01-01", "2026-11-30")
DEFAULT_MODEL = REPO / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
PERSON, PERIOD = "p-ana", ("2026-01-01", "2026-06-30")
PASSPHRASE = "trellis-benchmark-passphrase"
CHEAP_KDF = KdfParams(8192, 1, 1)

# (key, target): passes at or below the target.
TARGETS = [("drafts.review_s", 15.0), ("drafts.first_section_s", 2.0),
           ("drafts.check_false_reject", 0.05)]
AT_LEAST = [("drafts.check_recall", 0.95)]
SHOWN = ("drafts.sentences_rejected_ratio", "drafts.model_sentences",
         "drafts.model_sentences_kept", "drafts.statements", "drafts.notes_cited",
         "drafts.labelled_team_review_s", "drafts.labelled_team_total_s",
         "drafts.long_note_review_s", "drafts.check_recall_judging", "drafts.check_false_reject_judging", "drafts.check_ms",
         "drafts.runs",
         "drafts.threads",
         "drafts.review_s_min", "drafts.review_s_max", "drafts.review_cpu_s",
         "drafts.loadavg_1m_start", "drafts.other_load_cores")


def one_draft(engine: LlamaEngine, library: PromptLibrary, parent: Path, *, long_note: bool = False):
    """(wall seconds, CPU seconds of this process, body, seconds to the first section) of one
    draft on a fresh store; with ``long_note``, one more note at the size cap."""
    home = Path(tempfile.mkdtemp(prefix="trellis-drafts-", dir=parent)) / "home"
    store = Store.open(home, passphrase=PASSPHRASE, kdf=CHEAP_KDF)
    try:
        import_file(store, TEAM)
        if long_note:
            _add_long_note(store)
        first: list[float] = []
        started, cpu = time.perf_counter(), time.process_time()
        body = draft_review(store, engine, library, PERSON, *PERIOD,
                            on_section=lambda _s: first.append(time.perf_counter() - started))
        return time.perf_counter() - started, time.process_time() - cpu, body, first[0]
    finally:
        store.close()
        shutil.rmtree(home.parent, ignore_errors=True)


def _add_long_note(store) -> None:
    """A note at the size cap, written from the person's own notes one after another."""
    from app.domain.records import MAX_NOTE_CHARS
    texts = [n.text for n in store.notes.in_period(PERSON, *PERIOD)]
    words, index = [], 0
    while sum(len(t) + 1 for t in words) < MAX_NOTE_CHARS - 400:
        words.append(texts[index % len(texts)])
        index += 1
    store.notes.add(person_id=PERSON, date=PERIOD[1], kind="observation", text=" ".join(words),
                    competencies=("c-delivery",))


def run(*, model: Path = DEFAULT_MODEL, runs: int = 3, threads: int | None = None,
        temp_dir: Path | None = None) -> dict:
    """``threads`` None is what the app uses by default (the physical cores)."""
    parent = Path(tempfile.mkdtemp(prefix="trellis-drafts-bench-", dir=temp_dir))
    engine = LlamaEngine(model, model_sha256=_sha256_of(model), threads=threads)
    engine.load()
    library = PromptLibrary(user_dir=parent / "no-user-prompts")
    results = {"drafts.loadavg_1m_start": load_average(), "drafts.threads": engine.threads}
    try:
        with OtherLoad() as other:
            timed = [one_draft(engine, library, parent) for _ in range(runs)]
            team = labelled_team_drafts(engine, library, parent)
            long_note = one_draft(engine, library, parent, long_note=True)[0]
    finally:
        engine.close()
        shutil.rmtree(parent, ignore_errors=True)
    seconds = [t for t, _, _, _ in timed]
    body = timed[0][2]
    verdicts = body.grounding
    statements = list(body.statements())
    results.update({
        "drafts.review_s": statistics.median(seconds),
        "drafts.review_s_min": min(seconds), "drafts.review_s_max": max(seconds),
        "drafts.review_cpu_s": statistics.median(c for _, c, _, _ in timed),
        "drafts.first_section_s": statistics.median(f for _, _, _, f in timed),
        "drafts.runs": runs,
        "drafts.notes_cited": len(body.sources),
        "drafts.model_sentences": len(verdicts),
        "drafts.model_sentences_kept": sum(v.accepted for v in verdicts),
        "drafts.sentences_rejected_ratio": (sum(not v.accepted for v in verdicts) / len(verdicts)
                                            if verdicts else 0.0),
        "drafts.statements": len(statements),
        "drafts.labelled_team_review_s": statistics.median(team),
        "drafts.labelled_team_total_s": sum(team),
        "drafts.long_note_review_s": long_note,
        "drafts.other_load_cores": other.cores,
    })
    results.update(check_scores())
    return results


def check_scores() -> dict:
    """The meaning checks on the two labelled sets of sentences (no model)."""
    found = {}
    for key, team, name in (("", "labelled_team", "meaning_set"),
                            ("_judging", "judging_team", "meaning_judging_set")):
        refused, true_refused, distortions, truths, seconds = _score(team, name)
        found[f"drafts.check_recall{key}"] = refused / distortions
        found[f"drafts.check_false_reject{key}"] = true_refused / truths
        if not key:
            found["drafts.check_ms"] = 1000 * seconds / (distortions + truths)
    return found


def _score(team: str, name: str) -> tuple[int, int, int, int, float]:
    import json

    from app.domain.records import Note
    from app.reviews.meaning import meaning_problems
    from app.reviews.phrase import Subject, infer_pronoun

    data = REPO / "tests" / "data"
    document = json.loads((data / f"{team}.json").read_text())
    sentences = json.loads((data / f"{name}.json").read_text())["sentences"]
    people = {p["id"]: p["name"] for p in document["people"]}
    notes = {n["id"]: Note(n["id"], n["person"], n["date"], n["kind"], n["text"])
             for n in document["notes"]}
    subjects = {pid: Subject(nm, infer_pronoun(nm, [n.text for n in notes.values()
                                                    if n.person_id == pid]))
                for pid, nm in people.items()}
    counts = [0, 0, 0, 0]
    started = time.perf_counter()
    for item in sentences:
        others = [nm for pid, nm in people.items() if pid != item["person"]]
        refused = bool(meaning_problems(item["text"], [notes[c] for c in item["citations"]],
                                        subjects[item["person"]], others))
        distorted = item["distortion"] is not None
        counts[0 if distorted else 1] += refused
        counts[2 if distorted else 3] += 1
    return (*counts, time.perf_counter() - started)


def _sha256_of(model: Path) -> str:
    """The catalog's sha256 for a shipped model file, so its measured fit applies as in the app."""
    from app.llm.catalog import load_catalog
    return next((e.sha256 for e in load_catalog() if e.file == Path(model).name), "")


def labelled_team_drafts(engine: LlamaEngine, library: PromptLibrary, parent: Path) -> list[float]:
    """Wall seconds of one review per person of the labelled team, over its year."""
    home = Path(tempfile.mkdtemp(prefix="trellis-drafts-team-", dir=parent)) / "home"
    store = Store.open(home, passphrase=PASSPHRASE, kdf=CHEAP_KDF)
    try:
        import_file(store, LABELLED_TEAM)
        seconds = []
        for person in store.people.list():
            started = time.perf_counter()
            draft_review(store, engine, library, person.id, *LABELLED_PERIOD)
            seconds.append(time.perf_counter() - started)
        return seconds
    finally:
        store.close()


def print_table(results: dict) -> list[str]:
    """The drafts rows against their targets; returns the keys that missed."""
    rows = [(key, results[key], f"<= {target:g}", "pass" if results[key] <= target else "MISS")
            for key, target in TARGETS if key in results]
    rows += [(key, results[key], f">= {target:g}", "pass" if results[key] >= target else "MISS")
             for key, target in AT_LEAST if key in results]
    rows += [(key, results[key], "", "") for key in SHOWN if key in results]
    width = max(len(row[0]) for row in rows)
    print(f"\n{'metric':<{width}}  {'value':>10}  {'target':>8}  result")
    print(f"{'-' * width}  {'-' * 10}  {'-' * 8}  ------")
    for key, value, target, verdict in rows:
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"{key:<{width}}  {shown:>10}  {target:>8}  {verdict}")
    return [row[0] for row in rows if row[3] == "MISS"]
