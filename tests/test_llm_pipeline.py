"""The engine's plumbing with a scripted engine: pieces, stop, JSON replies, budget. (The
model thread itself is ModelBridge's, tested in tests/test_ui_*.py.)"""

import threading

import pytest

from app.llm.budget import map_reduce, plan_chunks
from app.llm.engine import ChatMessage, ContextOverflow, GenerationRequest, ModelError, StopFlag, run
from app.llm.fake_engine import FakeEngine
from app.llm.structured import StructuredOutputError, generate_json, schema_problems

ASK = (ChatMessage("user", "Say hello"),)
SENTENCE = {"type": "object", "required": ["sentence"], "additionalProperties": False,
            "properties": {"sentence": {"type": "string", "maxLength": 40}}}


def test_pieces_arrive_in_order_and_make_the_text():
    engine = FakeEngine()
    engine.enqueue("Hel", "lo", ", ", "Ana")
    pieces = []
    generation = run(engine, GenerationRequest(ASK), on_piece=pieces.append)
    assert pieces == ["Hel", "lo", ", ", "Ana"]
    assert (generation.text, generation.finish) == ("Hello, Ana", "end")


def test_stop_from_another_thread_returns_what_was_produced_marked_stopped():
    engine, stop = FakeEngine(pause=0.01), StopFlag()
    engine.enqueue(*[f"w{n} " for n in range(500)])
    got_first = threading.Event()

    def press_stop():
        got_first.wait(5)
        stop.set()
    threading.Thread(target=press_stop).start()
    generation = run(engine, GenerationRequest(ASK, max_tokens=500), stop, lambda _p: got_first.set())
    assert generation.stopped and 0 < generation.generated_tokens < 500
    assert generation.text.startswith("w0 ")


def test_an_engine_error_reaches_the_caller_and_the_engine_goes_on():
    engine = FakeEngine()
    with pytest.raises(ModelError, match="no reply was enqueued"):
        run(engine, GenerationRequest(ASK))  # nothing enqueued: the fake raises
    engine.enqueue("still alive")
    assert run(engine, GenerationRequest(ASK)).text == "still alive"


def test_token_limit_is_reported_as_length():
    engine = FakeEngine()
    engine.enqueue("a", "b", "c")
    assert run(engine, GenerationRequest(ASK, max_tokens=2)).finish == "length"


# --- JSON replies -------------------------------------------------------------------

def _generate_with(engine):
    return lambda request: run(engine, request)


def test_valid_json_reply_is_returned_as_a_value():
    engine = FakeEngine()
    engine.enqueue('{"sentence": "Ana led the review."}')
    value, _ = generate_json(_generate_with(engine), GenerationRequest(ASK, schema=SENTENCE))
    assert value == {"sentence": "Ana led the review."}


def test_a_bad_reply_is_retried_once_with_another_seed():
    engine = FakeEngine()
    engine.enqueue('{"sentence": 42}')
    engine.enqueue('{"sentence": "Fine."}')
    value, _ = generate_json(_generate_with(engine), GenerationRequest(ASK, schema=SENTENCE, seed=3))
    assert value == {"sentence": "Fine."}
    assert [r.seed for r in engine.requests] == [3, 3 + 7919]


def test_two_bad_replies_give_a_clear_error():
    engine = FakeEngine()
    engine.enqueue('{"sentence": "way too long for the limit of forty characters"}')
    engine.enqueue("not json at all")
    with pytest.raises(StructuredOutputError, match=r"after a retry.*longer than 40"):
        generate_json(_generate_with(engine), GenerationRequest(ASK, schema=SENTENCE))


@pytest.mark.parametrize("value, problem", [
    ({}, "missing 'sentence'"),
    ({"sentence": "ok", "extra": 1}, "unexpected 'extra'"),
    ({"sentence": None}, "expected string"),
    ([], "expected object"),
])
def test_schema_problems_say_where(value, problem):
    assert any(problem in p for p in schema_problems(value, SENTENCE))


def test_schema_checks_arrays_enums_and_numbers():
    schema = {"type": "object", "properties": {
        "ids": {"type": "array", "maxItems": 2, "items": {"enum": ["c-1", "c-2"]}},
        "score": {"type": "integer", "minimum": 1, "maximum": 5}}}
    problems = schema_problems({"ids": ["c-1", "c-9", "c-2"], "score": 7}, schema)
    assert any("more than 2 items" in p for p in problems)
    assert any("$.ids[1]: 'c-9' is not one of" in p for p in problems)
    assert any("$.score: above 5" in p for p in problems)
    assert schema_problems({"ids": ["c-1"], "score": 3}, schema) == []


# --- budget and map-reduce -----------------------------------------------------------

def _prompt(items):
    return (ChatMessage("user", " ".join(str(i) for i in items)),)


def _count(prompt):
    return sum(len(m.content.split()) for m in prompt)


def test_items_that_fit_are_one_chunk():
    assert plan_chunks(list(range(5)), _prompt, _count, limit=10) == [[0, 1, 2, 3, 4]]


def test_items_are_split_in_order_without_loss():
    items = list(range(23))
    chunks = plan_chunks(items, _prompt, _count, limit=5)
    assert [i for chunk in chunks for i in chunk] == items
    assert all(_count(_prompt(chunk)) <= 5 for chunk in chunks)


def test_an_item_too_big_on_its_own_names_its_size_and_the_limit():
    big = "word " * 30
    with pytest.raises(ContextOverflow, match="note n-9 alone is 30 tokens; the model's context allows 10"):
        plan_chunks(["a", big], _prompt, _count, limit=10,
                    label=lambda item: "note n-9" if item is big else "note")


def test_map_reduce_combines_in_rounds_and_reports_it():
    items = [f"n{i}" for i in range(40)]
    mapped, reduced = [], []

    def run_prompt(prompt):
        words = prompt[0].content.split()
        (reduced if words[0].startswith("[") else mapped).append(words)
        return "[" + ",".join(w.strip("[]") for w in words) + "]"

    outcome = map_reduce(items, map_prompt=_prompt, reduce_prompt=_prompt, run=run_prompt,
                         count=_count, limit=6)
    assert outcome.was_split and outcome.chunks == 7 and outcome.rounds >= 1
    assert "read in 7 parts" in outcome.describe()
    assert sorted(outcome.value.strip("[]").split(","), key=lambda s: int(s[1:])) == items


def test_everything_fitting_is_not_split():
    outcome = map_reduce(["a", "b"], map_prompt=_prompt, reduce_prompt=_prompt,
                         run=lambda p: p[0].content, count=_count, limit=10)
    assert (outcome.value, outcome.chunks, outcome.rounds, outcome.was_split) == ("a b", 1, 0, False)
