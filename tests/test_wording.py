"""One model-worded sentence held to its notes (``app.reviews.wording``), as plans use it."""

from pathlib import Path

import pytest

from app.domain.records import Person
from app.exchange import import_file
from app.llm.catalog import find_model_file, load_catalog
from app.llm.prompts import PromptLibrary
from app.reviews.body import FROM_MODEL, FROM_NOTE
from app.reviews.wording import off_topic_problem, word_sentence
from app.store import Store
from conftest import FAST_KDF, PASSPHRASE

TEAM = Path(__file__).parent / "data" / "review_team.json"
DEFAULT = load_catalog()[0]
MODEL = find_model_file(DEFAULT)
pytestmark = pytest.mark.skipif(MODEL is None, reason="default model not fetched (make setup)")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from app.llm.llama_engine import LlamaEngine
    home = tmp_path_factory.mktemp("wording") / "home"
    store = Store.open(home, passphrase=PASSPHRASE, kdf=FAST_KDF)
    import_file(store, TEAM)
    engine = LlamaEngine(MODEL, model_sha256=DEFAULT.sha256, threads=1)
    engine.load()
    yield store, engine, PromptLibrary(user_dir=home / "prompts")
    engine.close()
    store.close()


def _note(store, note_id):
    return store.notes.get(note_id)


def test_word_sentence_returns_a_cited_statement_and_its_verdict(world):
    store, engine, library = world
    notes = [_note(store, "n-ana-03")]
    statement, verdict = word_sentence(engine, library, person=Person("p-ana", "Ana Ruiz"),
                                       competency_name="Delivery", notes=notes,
                                       other_people=["Kenji Sato"], section="competency:c-delivery")
    assert statement.citations and set(statement.citations) <= {"n-ana-03"}
    assert verdict.section == "competency:c-delivery" and verdict.citations == ("n-ana-03",)
    assert statement.source == (FROM_MODEL if verdict.accepted else FROM_NOTE)


@pytest.mark.parametrize("sentence, problem", [
    ("Ana Ruiz", "says nothing the cited notes say"),
    ("This note is a bit too long and I need to cut it down.", "is not about Ana Ruiz"),
    ("Ana shipped the invoice export.", None),
])
def test_a_sentence_must_be_about_the_person_and_carry_its_notes(world, sentence, problem):
    store, _, _ = world
    found = off_topic_problem(sentence, [_note(store, "n-ana-03")], "Ana Ruiz")
    assert (found is None) if problem is None else (problem in found)


def test_the_competency_named_inside_a_model_sentence_is_not_taken_for_a_name():
    from app.reviews.wording import _plain_competency
    assert _plain_competency("Ana showed Code quality in the parser work.", "Code quality") == \
        "Ana showed code quality in the parser work."
    assert _plain_competency("Code quality was clear.", "Code quality") == "Code quality was clear."
