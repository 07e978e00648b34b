"""Development plans with the real default model: grounded, cited, SMART, dated.

Two plans are built once for the module on a fictional team: Ana (L3) has
strength and growth notes and two open goals; Sam is at the framework's
top level and has only strength notes. Every assertion below reads those
two plans.
"""

import datetime as dt
import re

import pytest

from app.domain.dates import spoken_date
from app.domain.records import Framework, FrameworkCompetency
from app.errors import InvalidInput
from app.llm.catalog import find_model_file, load_catalog
from app.llm.fake_engine import FakeEngine
from app.llm.prompts import PromptLibrary
from app.reviews.body import FROM_APP, Body, Statement
from app.reviews.evidence import NoEvidence
from app.reviews.plan import check_in_dates, draft_plan, goal_from_statement, months_before
from app.store import Store
from conftest import FAST_KDF, PASSPHRASE

DEFAULT = load_catalog()[0]
MODEL = find_model_file(DEFAULT)
TODAY = "2026-06-30"
LEVELS = ("L1", "L2", "L3", "L4")


def _expectations(name: str) -> tuple[tuple[str, str], ...]:
    return tuple((level, f"{name} at {level}: expectation {n}.") for n, level in enumerate(LEVELS, 1))


FRAMEWORK = Framework("fw-test", "Test engineering", LEVELS, tuple(
    FrameworkCompetency(cid, name, f"What {name} means here", _expectations(name))
    for cid, name in (("c-delivery", "Delivery"), ("c-collab", "Collaboration"),
                      ("c-craft", "Craft"), ("c-mentoring", "Mentoring"))))

ANA_NOTES = [  # (id, date, kind, competency, text)
    ("n-a0", "2025-11-02", "concern", "c-delivery", "Missed the October release cut by a week."),
    ("n-a1", "2026-01-14", "praise", "c-delivery",
     "Shipped the billing migration a week early and wrote the rollback plan."),
    ("n-a2", "2026-02-10", "praise", "c-delivery",
     "Flagged the risk on the search rewrite in standup before it slipped."),
    ("n-a3", "2026-03-05", "praise", "c-collab", "Paired with Li on the flaky deploy; fixed in a day."),
    ("n-a4", "2026-03-20", "concern", "c-collab",
     "Design review comments on the payments API were curt; two reviewers felt shut out."),
    ("n-a5", "2026-04-22", "concern", "c-craft",
     "The caching change went out without tests and broke the invoice export."),
    ("n-a6", "2026-05-18", "concern", "c-craft", "Skipped the code review checklist on the search indexer."),
    ("n-a7", "2026-06-02", "praise", "c-delivery",
     "Ran the incident review for the outage calmly and published the timeline."),
    ("n-a8", "2026-06-20", "concern", "c-mentoring",
     "Has not yet paired with the new hire on the onboarding tasks."),
]
SAM_NOTES = [
    ("n-s1", "2026-02-02", "praise", "c-delivery", "Landed the warehouse cutover on the planned weekend."),
    ("n-s2", "2026-03-16", "praise", "c-mentoring", "Coached Priya through her first on-call rotation."),
    ("n-s3", "2026-05-11", "praise", "c-delivery", "Kept the vendor migration on schedule despite the API change."),
]


def _add_notes(store, person_id, notes):
    for note_id, date, kind, competency, text in notes:
        store.notes.add(person_id=person_id, text=text, date=date, kind=kind,
                        competencies=(competency,), note_id=note_id)


def _team(store):
    store.frameworks.save(FRAMEWORK)
    store.people.add(name="Ana Ruiz", role="Backend Engineer", level="L3", person_id="p-ana")
    store.people.add(name="Li Wei", role="Data Engineer", level="L2", person_id="p-li")
    store.people.add(name="Sam Okafor", role="Staff Engineer", level="L4", person_id="p-sam")
    store.people.add(name="Priya Nair", role="Engineer", level="L1", person_id="p-priya")
    _add_notes(store, "p-ana", ANA_NOTES)
    _add_notes(store, "p-sam", SAM_NOTES)
    store.notes.add(person_id="p-li", text="Rebuilt the nightly export in a day.", date="2026-04-01",
                    kind="praise", competencies=("c-delivery",), note_id="n-l1")
    store.goals.add(person_id="p-ana", title="Write tests before merging caching changes",
                    status="at_risk", due="2026-08-15", goal_id="g-tests")
    store.goals.add(person_id="p-ana", title="Present the billing migration at the guild",
                    status="on_track", due="2026-07-20", goal_id="g-talk")
    store.goals.add(person_id="p-ana", title="Learn Rust", status="done", goal_id="g-done")


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    """Ana's and Sam's plans, drafted once with the real model; and the store they came from."""
    if MODEL is None:
        pytest.skip("default model not fetched (make setup)")
    from app.llm.llama_engine import LlamaEngine
    home = tmp_path_factory.mktemp("plan-home")
    store = Store.open(home, passphrase=PASSPHRASE, kdf=FAST_KDF)
    # One thread: when other model processes share the cores, ggml's threads
    # spin waiting for each other and a plan took minutes instead of seconds.
    engine = LlamaEngine(MODEL, model_sha256=DEFAULT.sha256, threads=1)
    engine.load()
    library = PromptLibrary(user_dir=home / "prompts")
    _team(store)
    streamed = []
    ana = draft_plan(store, engine, library, "p-ana", today=TODAY, on_section=streamed.append)
    sam = draft_plan(store, engine, library, "p-sam", today=TODAY)
    yield {"ana": ana, "sam": sam, "streamed": streamed, "store": store}
    engine.close()
    store.close()


def _goals(body: Body) -> list[Statement]:
    return list(body.section("goals").statements)


# ---------------------------------------------------------------- citations and shape

def test_sections_come_in_plan_order_and_stream_one_by_one(plans):
    keys = ["strengths", "growth", "goals", "support", "check_ins"]
    assert [s.key for s in plans["ana"].sections] == keys
    assert [s.key for s in plans["streamed"]] == keys
    assert plans["ana"].kind == "plan" and plans["ana"].model_sha256 == DEFAULT.sha256
    assert (plans["ana"].period_start, plans["ana"].period_end) == ("2025-12-30", TODAY)


def test_every_item_cites_the_persons_own_notes_in_the_period_or_open_goals(plans):
    ana = plans["ana"]
    allowed = {n[0] for n in ANA_NOTES if n[1] >= "2025-12-30"} | {"g-tests", "g-talk"}
    for statement in ana.statements():
        assert statement.citations, statement.text
        assert set(statement.citations) <= allowed, statement
    cited = {c for s in ana.statements() for c in s.citations}
    assert set(ana.sources) == cited
    assert ana.sources["n-a5"] == {"type": "note", "date": "2026-04-22", "title": None}
    assert ana.sources["g-tests"] == {"type": "goal", "date": "2026-08-15",
                                      "title": "Write tests before merging caching changes"}


def test_strengths_name_the_competencies_with_most_strength_notes(plans):
    strengths = plans["ana"].section("strengths").statements
    assert 2 <= len(strengths) <= 3
    assert strengths[0].text.startswith("Delivery: ")
    assert set(strengths[0].citations) <= {"n-a1", "n-a2", "n-a7"}
    assert all(s.source in ("app", "model") for s in strengths)
    assert all(s.competencies and len(s.competencies) == 1 for s in strengths)


def test_strengths_to_build_on_never_cite_a_concern_or_a_wish(team):
    store, ana, _ = team
    store.frameworks.save(FRAMEWORK)
    _add_notes(store, ana.id, ANA_NOTES[1:4] + [
        ("n-w1", "2026-04-02", "one_on_one", "c-delivery",
         "Said she wants to move into a product manager role next year."),
        ("n-w2", "2026-05-02", "praise", "c-delivery",
         "Great demo of the billing dashboard; the estimates for phase two slipped again though.")])
    from app.llm.engine import StopFlag
    stop = StopFlag()
    stop.set()  # the app's own sentences: the model is not asked to reword them
    body = draft_plan(store, FakeEngine(), PromptLibrary(), ana.id, today=TODAY, stop=stop)
    strengths = " ".join(s.text for s in body.section("strengths").statements)
    assert "product manager" not in strengths and "phase two" not in strengths
    assert "n-w1" not in {c for s in body.section("strengths").statements for c in s.citations}
    wishes = body.section("aspirations")
    assert wishes.title == "Where they want to grow"
    assert [s.citations for s in wishes.statements] == [("n-w1",)]
    assert "wants to move into a product manager role" in wishes.statements[0].text
    wish_goal = body.section("goals").statements[-1]
    assert wish_goal.goal["title"] == "Take a first step towards what Ana wants next"
    assert wish_goal.citations == ("n-w1",)
    assert any("“Take a first step" in s.text for s in body.section("support").statements)


def test_growth_areas_quote_the_next_level_expectation(plans):
    growth = plans["ana"].section("growth").statements
    assert 2 <= len(growth) <= 4
    names = [s.text.split(":")[0] for s in growth]
    assert set(names) == {"Collaboration", "Craft", "Mentoring"}
    for statement, name in zip(growth, names):
        assert f"At L4 the framework expects: “{name} at L4: expectation 4.”" in statement.text
        assert "expectation 3" not in statement.text
    craft = growth[names.index("Craft")]
    assert set(craft.citations) <= {"n-a5", "n-a6"}


def test_each_goal_is_smart_due_after_today_with_actions(plans):
    goals = _goals(plans["ana"])
    assert len(goals) == len(plans["ana"].section("growth").statements)
    for statement in goals:
        goal = statement.goal
        for part in ("title", "specific", "measurable", "achievable", "relevant", "due"):
            assert isinstance(goal[part], str) and goal[part].strip(), (part, goal)
        assert goal["due"] > TODAY
        assert len(goal["actions"]) >= 2 and all(a.strip() for a in goal["actions"])
        assert goal["title"] in statement.text and spoken_date(goal["due"]) in statement.text
        assert not re.search(r"\b20\d\d-\d\d-\d\d\b", statement.text)  # dates as a sentence says them
        assert statement.source == FROM_APP


def test_an_open_goal_is_built_on_and_the_other_gets_support(plans):
    craft = next(g for g in _goals(plans["ana"]) if g.goal["competency_id"] == "c-craft")
    assert "g-tests" in craft.citations
    assert craft.goal["due"] == "2026-08-15"      # the open goal's date leaves room to work
    assert any("Write tests before merging caching changes" in a for a in craft.goal["actions"])
    support = plans["ana"].section("support").statements
    assert len(support) == len(_goals(plans["ana"])) + 1
    leftover = [s for s in support if s.citations == ("g-talk",)]
    assert len(leftover) == 1 and "on track, due 20 July 2026" in leftover[0].text
    assert not any("g-done" in s.citations for s in plans["ana"].statements())


def test_check_ins_are_dated_ascending_and_end_on_the_last_due_date(plans):
    check_ins = plans["ana"].section("check_ins").statements
    dates = [s.date for s in check_ins]
    dues = sorted({g.goal["due"] for g in _goals(plans["ana"])})
    assert dates == sorted(set(dates)) and len(dates) >= 2
    assert dates[0] > TODAY and dates[-1] == dues[-1]
    assert set(dues) <= set(dates)
    gaps = [(dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days for a, b in zip(dates, dates[1:])]
    assert all(0 < gap <= 42 for gap in gaps)
    assert all(s.text.startswith(spoken_date(s.date) + ":") for s in check_ins)


def test_the_plan_round_trips_and_carries_its_checks(plans):
    ana = plans["ana"]
    assert Body.from_dict(ana.to_dict()) == ana
    data = ana.to_dict()
    for section in data["sections"]:
        for item in section["statements"]:
            assert item["text"] and item["citations"]
    assert data["coverage"]["months"] and "checks" in data
    assert all(f["rule"] and f["id"] for f in data["checks"]["language"])
    assert ana.prompts == () and ana.grounding == ()  # the default model's fit is under 30 %
    assert data["checks"]["meaning"] == []


# ---------------------------------------------------------------- top level, strengths only

def test_a_person_with_only_strengths_gets_stretch_growth_areas(plans):
    sam = plans["sam"]
    growth = sam.section("growth").statements
    assert len(growth) == 2
    assert {s.text.split(":")[0] for s in growth} == {"Delivery", "Mentoring"}
    assert all(s.citations and set(s.citations) <= {"n-s1", "n-s2", "n-s3"} for s in sam.statements())
    assert len(_goals(sam)) == 2 and all(len(g.goal["actions"]) >= 2 for g in _goals(sam))


def test_at_the_top_level_the_current_expectation_is_quoted(plans):
    for statement in plans["sam"].section("growth").statements:
        name = statement.text.split(":")[0]
        assert f"L4 is the framework's top level, which expects: “{name} at L4: expectation 4.”" \
            in statement.text
    titles = [g.goal["title"] for g in _goals(plans["sam"])]
    assert all("at the L4 standard in more of the work" in t for t in titles)


# ---------------------------------------------------------------- one click: plan goal → goal

def test_a_plan_goal_becomes_a_goal_once(plans, team):
    store, ana, _ = team
    statement = _goals(plans["ana"])[0]
    first = goal_from_statement(store, ana.id, statement)
    again = goal_from_statement(store, ana.id, statement)
    assert first == again
    assert (first.title, first.due, first.status) == (statement.goal["title"], statement.goal["due"],
                                                      "on_track")
    assert [g.title for g in store.goals.all()] == [statement.goal["title"]]


def test_an_item_without_a_goal_cannot_become_one(plans, team):
    store, ana, _ = team
    strength = plans["ana"].section("strengths").statements[0]
    with pytest.raises(InvalidInput, match="Only a goal from the plan's Goals section"):
        goal_from_statement(store, ana.id, strength)
    untitled = Statement("x", ("n-1",), FROM_APP, goal={"title": "  ", "due": "2026-09-01"})
    with pytest.raises(InvalidInput, match="has no title"):
        goal_from_statement(store, ana.id, untitled)
    assert store.goals.all() == []


# ---------------------------------------------------------------- no evidence, dates

def test_an_empty_period_gives_no_evidence_and_asks_no_model(team):
    store, ana, _ = team
    store.notes.add(person_id=ana.id, text="Old news.", date="2025-01-10", kind="praise")
    engine = FakeEngine()
    with pytest.raises(NoEvidence, match="No notes on Ana Ruiz between 2025-12-30 and 2026-06-30"):
        draft_plan(store, engine, PromptLibrary(), ana.id, today=TODAY)
    assert engine.requests == []
    assert store.drafts.for_person(ana.id) == []


def test_a_bad_today_is_refused_with_its_name(team):
    store, ana, _ = team
    with pytest.raises(InvalidInput, match="today: '2026-02-30' is not a real calendar date"):
        draft_plan(store, FakeEngine(), PromptLibrary(), ana.id, today="2026-02-30")


def test_six_months_back_lands_on_a_real_day():
    assert months_before(dt.date(2026, 6, 30), 6) == dt.date(2025, 12, 30)
    assert months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 3, 15), 6) == dt.date(2025, 9, 15)


def test_check_in_dates_run_every_five_weeks_and_on_each_due_date():
    today = dt.date(2026, 6, 30)
    dues = [dt.date(2026, 9, 22), dt.date(2026, 8, 15)]
    assert check_in_dates(today, dues) == [dt.date(2026, 8, 4), dt.date(2026, 8, 15),
                                           dt.date(2026, 9, 8), dt.date(2026, 9, 22)]
    assert check_in_dates(today, []) == []


# ---------------------------------------------------------------- edge cases, scripted model

def _scripted(replies: int = 20) -> FakeEngine:
    engine = FakeEngine()
    for _ in range(replies):
        engine.enqueue('{"sentence": "Ana Ruiz skipped the checklist on the search indexer."}')
    return engine


def test_only_growth_evidence_and_a_competency_outside_the_framework(team):
    store, ana, _ = team
    store.frameworks.save(FRAMEWORK)
    store.competencies.add(name="On-call", competency_id="c-oncall")
    _add_notes(store, ana.id, [
        ("n-g1", "2026-04-02", "concern", "c-craft", "Skipped the checklist on the search indexer."),
        ("n-g2", "2026-05-06", "concern", "c-oncall", "Missed two pages during the May on-call week.")])
    body = draft_plan(store, _scripted(), PromptLibrary(), ana.id, today=TODAY)
    assert body.section("strengths").statements == ()
    growth = {s.text.split(":")[0]: s for s in body.section("growth").statements}
    assert set(growth) == {"Craft", "On-call"}
    assert ("The framework gives no L4 expectation for On-call; agree with Ana what more looks like."
            in growth["On-call"].text)
    titles = {g.goal["competency_id"]: g.goal["title"] for g in _goals(body)}
    assert titles == {"c-craft": "Grow Craft to the L4 expectation", "c-oncall": "Grow in On-call"}
    assert all(s.citations for s in body.statements())


def test_stopping_leaves_a_whole_plan_in_the_apps_own_words(team):
    from app.llm.engine import StopFlag
    store, ana, _ = team
    store.frameworks.save(FRAMEWORK)
    _add_notes(store, ana.id, ANA_NOTES[1:4])
    stop = StopFlag()
    stop.set()
    engine = FakeEngine()
    body = draft_plan(store, engine, PromptLibrary(), ana.id, today=TODAY, stop=stop)
    assert engine.requests == []
    assert [s.key for s in body.sections] == ["strengths", "growth", "goals", "support", "check_ins"]
    assert {s.source for s in body.section("strengths").statements} == {"app"}
    assert body.grounding == ()


def test_notes_placed_in_no_competency_cannot_make_a_plan(team):
    store, ana, _ = team
    store.frameworks.save(FRAMEWORK)
    store.notes.add(person_id=ana.id, text="Took the team lunch order.", date="2026-05-01", note_id="n-u1")
    engine = FakeEngine()
    engine.enqueue('{"competency_ids": []}')
    with pytest.raises(NoEvidence, match="None of the 1 note on Ana Ruiz between 2025-12-30 and "
                                         "2026-06-30 is tagged with a competency"):
        draft_plan(store, engine, PromptLibrary(), ana.id, today=TODAY)
    assert len(engine.requests) == 1          # the model was asked for a competency once


def test_a_goal_made_from_the_plan_keeps_its_smart_parts(team):
    store, ana, _ = team
    goal = {"title": "Grow Craft to the L4 expectation", "specific": "Show it.", "measurable": "Three notes.",
            "achievable": "Twelve weeks.", "relevant": "L4 asks for it.", "due": "2026-09-22",
            "actions": ["Pick the work.", "Ask for feedback."]}
    made = goal_from_statement(store, ana.id, Statement("x", ("n-1",), FROM_APP, goal=goal))
    assert made.description.startswith("Specific: Show it. Measurable: Three notes.")
    assert "(1) Pick the work. (2) Ask for feedback." in made.description
    same = goal_from_statement(store, ana.id, Statement("y", ("n-1",), FROM_APP,
                                                        goal={**goal, "title": " grow craft to  the L4 expectation"}))
    assert same == made
    bad = {**goal, "title": "Another", "due": "2026-13-01"}
    with pytest.raises(InvalidInput, match="the plan goal's due date: '2026-13-01'"):
        goal_from_statement(store, ana.id, Statement("z", ("n-1",), FROM_APP, goal=bad))
    assert store.goals.for_person(ana.id) == [made]


def test_dates_in_a_plan_read_as_a_sentence_says_them():
    from app.domain.dates import spoken_dates
    assert spoken_date("2027-03-01") == "1 March 2027"
    assert spoken_date(dt.date(2026, 12, 21), year=False) == "21 December"
    assert spoken_date("not a date") == "not a date"
    assert spoken_dates(["2026-10-20", "2026-06-30", "2026-09-29"]) == (
        "30 June, 29 September and 20 October 2026")
    assert spoken_dates(["2027-01-04", "2026-12-01"]) == "1 December 2026 and 4 January 2027"
    assert spoken_dates(["2026-06-30"]) == "30 June 2026"
