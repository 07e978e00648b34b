"""A model earns its place: its measured fit decides whether drafts ask it to reword."""

import json

import pytest

from app.llm.catalog import find_model_file, load_catalog
from app.llm.fake_engine import FakeEngine
from app.llm.prompts import PromptLibrary
from app.reviews.model_fit import (
    FIT_FILE, RARELY, SHARE_NEEDED, Fit, fit_for, load_fits, measure_fit, save_fit, shipped_fit,
)
from app.reviews.review_draft import draft_review

DEFAULT = load_catalog()[0]
MODEL = find_model_file(DEFAULT)


def a_fit(sha="abc", passed=1, sentences=10) -> Fit:
    return Fit("Some model", sha, sentences, passed, 20.0, 512.0, "2026-12-07T00:00:00+00:00")


def test_a_fit_is_kept_per_sha256_and_says_plainly_when_a_model_rarely_passes(tmp_path):
    save_fit(tmp_path, a_fit("abc", passed=1))
    save_fit(tmp_path, a_fit("def", passed=6))
    fits = load_fits(tmp_path)
    assert fits["abc"].share == 0.1 and not fits["abc"].fits and fits["abc"].verdict() == RARELY
    assert fits["def"].fits and SHARE_NEEDED == 0.3
    assert "1 of 10 sentences passed the checks (10 %), 0.50 sentences/s, peak memory 512 MB" in \
        fits["abc"].summary()
    stored = json.loads((tmp_path / FIT_FILE).read_text())
    assert set(stored) == {"abc", "def"} and stored["abc"]["fits"] is False
    assert oct((tmp_path / FIT_FILE).stat().st_mode & 0o777) == "0o600"


def test_a_damaged_fit_file_counts_as_no_fit(tmp_path):
    (tmp_path / FIT_FILE).write_text("{not json")
    assert load_fits(tmp_path) == {}
    assert fit_for(tmp_path, "abc") is None


def test_the_catalog_ships_the_default_models_measured_fit(tmp_path):
    shipped = shipped_fit(DEFAULT.sha256)
    assert shipped is not None and shipped.sentences >= 30 and not shipped.fits
    assert fit_for(tmp_path, DEFAULT.sha256) == shipped
    save_fit(tmp_path, a_fit(DEFAULT.sha256, passed=9))
    assert fit_for(tmp_path, DEFAULT.sha256).passed == 9  # measured here wins


def test_a_draft_does_not_ask_a_model_that_rarely_passes(team):
    store, ana, _ = team
    store.notes.add(person_id=ana.id, date="2026-02-03", kind="praise",
                    text="Shipped the rate limiter two days early.", competencies=("c-delivery",))
    engine = FakeEngine()  # no reply enqueued: asking it would fail the draft
    save_fit(store.home, a_fit(engine.model_sha256, passed=0))
    body = draft_review(store, engine, PromptLibrary(), ana.id, "2026-01-01", "2026-06-30")
    assert engine.requests == [] and body.grounding == ()
    assert body.section("strengths").statements[0].text == "Ana shipped the rate limiter two days early."


@pytest.mark.skipif(MODEL is None, reason="default model not fetched (make setup)")
def test_measuring_the_default_model_rewords_sample_sentences_under_the_checks():
    from app.llm.llama_engine import LlamaEngine
    engine = LlamaEngine(MODEL, model_sha256=DEFAULT.sha256, threads=1)
    engine.load()
    try:
        seen = []
        fit = measure_fit(engine, PromptLibrary(), model_name=DEFAULT.name, limit=3,
                          on_sentence=lambda done, total: seen.append((done, total)))
    finally:
        engine.close()
    assert fit.sentences == 3 and 0 <= fit.passed <= 3 and seen[-1] == (3, 3)
    assert fit.sha256 == DEFAULT.sha256 and fit.seconds > 0 and fit.peak_memory_mb > 50


def test_models_check_refuses_a_bad_count_and_an_unknown_model(run, data_home):
    assert "at least 1" in run("models", "check", "--sentences", "0").stderr
    result = run("models", "check", "no-such-model")
    assert result.returncode == 1 and "No installed model is called 'no-such-model'" in result.stderr


def test_a_model_not_measured_is_probed_and_dropped_when_its_first_rewordings_fail(team):
    store, ana, _ = team
    for day, text in (("2026-02-03", "Shipped the rate limiter two days early."),
                      ("2026-03-05", "Led the incident review for the payments outage."),
                      ("2026-04-07", "Paired with Li on the flaky import tests.")):
        store.notes.add(person_id=ana.id, date=day, kind="praise", text=text,
                        competencies=("c-delivery",))
    engine = FakeEngine()  # not in the catalog and never measured
    for _ in range(20):
        engine.enqueue('{"sentence": "Ana is the best engineer the team has ever had."}')
    body = draft_review(store, engine, PromptLibrary(), ana.id, "2026-01-01", "2026-06-30")
    assert len(engine.requests) == 3 and len(body.grounding) == 3
    assert not any(v.accepted for v in body.grounding)
    assert all("judgement" in " ".join(v.problems) or v.problems for v in body.grounding)
