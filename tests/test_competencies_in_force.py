"""Which competencies a draft uses, and the repair of stores an earlier Trellis changed (issue 13).

A team with its own competencies (one, ``c-ownership``, shares its id with
the shipped framework) is drafted with the real default model and must
come out with exactly the competencies it went in with. The migration
tests write the state an earlier Trellis left with SQL at the m007 schema,
then open the store with today's migrations, as tests/test_cycles.py does.
"""

import json

import pytest

from app.domain.records import Framework, FrameworkCompetency
from app.exchange import import_document
from app.llm.catalog import find_model_file, load_catalog
from app.llm.prompts import PromptLibrary
from app.reviews.evidence import build_brief
from app.reviews.frameworks import competencies_in_force, default_framework
from app.reviews.plan import draft_plan
from app.reviews.review_draft import draft_review
from app.store import Store
from app.store.cipher import sqlite_utils
from app.store.database import connect
from app.store.migrations import MIGRATIONS, applied, migrate
from conftest import FAST_KDF, PASSPHRASE

DEFAULT = load_catalog()[0]
MODEL = find_model_file(DEFAULT)
SHIPPED = default_framework()
PERIOD = ("2026-01-01", "2026-06-30")
TEAM_COMPETENCIES = [
    {"id": "c-ownership", "name": "Owns outcomes", "description": "Sees work through to the result"},
    {"id": "c-craft", "name": "Craft", "description": "Well-made, tested changes"},
    {"id": "c-teamwork", "name": "Teamwork", "description": "Makes the people around them better"},
    {"id": "c-customers", "name": "Customer focus", "description": "Starts from what users need"},
    {"id": "c-hiring", "name": "Hiring", "description": "Interviews and onboards well"},
]
ANA_NOTES = [  # (id, date, kind, competencies, text)
    ("n-1", "2026-01-20", "praise", ["c-ownership"], "Took the billing outage from alert to fix."),
    ("n-2", "2026-02-11", "concern", ["c-craft"], "Merged the cache change without tests."),
    ("n-3", "2026-03-09", "praise", ["c-ownership"], "Closed every follow-up from the March incident."),
    ("n-4", "2026-04-14", "concern", ["c-craft"], "Skipped the review checklist on the indexer."),
    ("n-5", "2026-05-06", "praise", ["c-customers"], "Sat with support to watch users file tickets."),
    ("n-6", "2026-06-03", "observation", [], "Wrote the runbook for the export job."),
]


def team_document() -> dict:
    return {"format": "trellis/v1",
            "people": [{"id": "p-ana", "name": "Ana Ruiz", "role": "Backend Engineer",
                        "level": "L3", "start_date": "2024-03-01", "archived": False},
                       {"id": "p-li", "name": "Li Wei", "role": "Data Engineer", "level": "L2",
                        "start_date": "2025-01-06", "archived": False}],
            "competencies": TEAM_COMPETENCIES,
            "notes": [{"id": i, "person": "p-ana", "date": d, "kind": k, "text": t,
                       "competencies": c} for i, d, k, c, t in ANA_NOTES]}


def competency_state(store) -> dict:
    """Everything the store keeps about competencies, to compare before and after."""
    tables = ("competencies", "competency_levels", "framework_competencies", "frameworks",
              "note_competencies")
    return {t: store.db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}


@pytest.fixture
def own_team(store):
    import_document(store, team_document())
    return store


# ---------------------------------------------------------------- the team's own competencies

@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    """A review and a plan of Ana with the real default model; the state before and after."""
    if MODEL is None:
        pytest.skip("default model not fetched (make setup)")
    from app.llm.llama_engine import LlamaEngine
    home = tmp_path_factory.mktemp("own-team") / "home"
    store = Store.open(home, passphrase=PASSPHRASE, kdf=FAST_KDF)
    import_document(store, team_document())
    engine = LlamaEngine(MODEL, model_sha256=DEFAULT.sha256, threads=1)
    engine.load()
    library = PromptLibrary(user_dir=home / "prompts")
    before = competency_state(store)
    review = draft_review(store, engine, library, "p-ana", *PERIOD)
    plan = draft_plan(store, engine, library, "p-ana", today=PERIOD[1])
    yield {"before": before, "after": competency_state(store), "review": review, "plan": plan,
           "brief": build_brief(store, "p-ana", *PERIOD)}
    engine.close()
    store.close()


def test_drafting_a_review_and_a_plan_changes_no_competency(drafted):
    assert drafted["after"] == drafted["before"]
    names = {row[0]: row[1] for row in drafted["after"]["competencies"]}
    assert names["c-ownership"] == "Owns outcomes"
    assert drafted["after"]["frameworks"] == []


def test_the_coverage_warns_only_about_the_teams_own_competencies(drafted):
    brief = drafted["brief"]  # with the suggestions the model made while drafting
    unused = {c.name for c in brief.competencies
              if not any(c.id in e.all_competencies for e in brief.notes)}
    assert {"Teamwork", "Hiring"} & unused or len(brief.notes[-1].suggested) >= 2
    for coverage in (brief.coverage, drafted["review"].coverage, drafted["plan"].coverage):
        missing = {w.removeprefix("No evidence for ") for w in coverage.warnings
                   if w.startswith("No evidence for ")}
        assert missing == unused, coverage.warnings
        assert [name for _, name in coverage.competencies[:-1]] == [c["name"] for c in TEAM_COMPETENCIES]


def test_a_person_without_notes_is_warned_about_the_teams_competencies_only(own_team):
    warnings = build_brief(own_team, "p-li", *PERIOD).coverage.warnings
    assert [w for w in warnings if w.startswith("No evidence for ")] == \
        [f"No evidence for {c['name']}" for c in TEAM_COMPETENCIES]


def test_a_plan_without_a_framework_asks_to_agree_what_more_looks_like(drafted):
    growth = drafted["plan"].section("growth").statements
    assert growth and all("The team has no level expectations for" in s.text for s in growth)
    assert not any("the framework" in s.text.lower() for s in growth)
    craft = next(s for s in growth if s.text.startswith("Craft:"))
    assert "agree with Ana what more looks like" in craft.text
    goals = drafted["plan"].section("goals").statements
    assert all("asks" not in g.goal["relevant"] for g in goals)


def test_a_brief_reads_the_teams_own_competencies_and_saves_no_framework(own_team):
    before = competency_state(own_team)
    brief = build_brief(own_team, "p-li", *PERIOD)
    assert [c.id for c in brief.competencies] == [c["id"] for c in TEAM_COMPETENCIES]
    assert competency_state(own_team) == before


# ---------------------------------------------------------------- the yardstick in force

def test_an_empty_store_gets_the_shipped_framework_applied_not_chosen(store):
    framework, competencies = competencies_in_force(store)
    assert framework.id == SHIPPED.id and len(competencies) == len(SHIPPED.competencies)
    assert store.frameworks.active().id == SHIPPED.id
    assert store.frameworks.chosen_active() is None
    # Once applied, the shipped framework stays the yardstick of a store with no own competencies.
    assert competencies_in_force(store).framework.id == SHIPPED.id
    assert len(store.frameworks.list()) == 1


def test_competencies_an_exchange_import_brings_later_take_over_from_the_applied_framework(store):
    competencies_in_force(store)
    import_document(store, {"format": "trellis/v1", "competencies": [
        {"id": "c-hiring", "name": "Hiring", "description": ""}]})
    framework, competencies = competencies_in_force(store)
    assert framework is None and [c.id for c in competencies] == ["c-hiring"]


LADDER = Framework("f-ladder", "Ladder", ("L1", "L2", "L3"), (
    FrameworkCompetency("c-ownership", "Ownership", "Sees work through",
                        (("L1", "Finishes tasks"), ("L2", "Owns features"), ("L3", "Owns a service"))),
    FrameworkCompetency("c-leading", "Leading", "Leads others", (("L3", "Leads a project"),)),
    FrameworkCompetency("c-care", "Care", "Looks after people"),
))


def test_a_chosen_framework_is_used_and_filtered_by_the_persons_level(own_team):
    own_team.frameworks.save(LADDER)
    own_team.people.update("p-li", level="L1")
    ana, li = own_team.people.get("p-ana"), own_team.people.get("p-li")
    assert competencies_in_force(own_team).framework.id == "f-ladder"
    ids = lambda person: [c.id for c in competencies_in_force(own_team, person).competencies]  # noqa: E731
    assert ids(ana) == ["c-ownership", "c-leading", "c-care"]
    assert ids(li) == ["c-ownership", "c-care"]     # Leading asks nothing of L1
    assert ids(None) == ids(ana)
    own_team.people.update("p-li", level="Principal")  # a level the ladder does not know
    assert ids(own_team.people.get("p-li")) == ids(ana)


def test_a_competency_that_does_not_apply_gets_a_column_only_when_a_note_uses_it(own_team):
    own_team.frameworks.save(LADDER)
    own_team.people.update("p-li", level="L1")
    brief = build_brief(own_team, "p-li", *PERIOD)
    assert [c.id for c in brief.competencies] == ["c-ownership", "c-care"]
    assert "No evidence for Leading" not in brief.coverage.warnings
    assert "No evidence for Care" in brief.coverage.warnings
    own_team.notes.add(person_id="p-li", date="2026-03-02", text="Led the schema review.",
                       competencies=("c-leading",))
    brief = build_brief(own_team, "p-li", *PERIOD)
    assert [c.id for c in brief.competencies] == ["c-ownership", "c-care", "c-leading"]
    assert not any("Leading" in w for w in brief.coverage.warnings)


def test_choosing_the_shipped_framework_is_the_managers_to_make(own_team, run):
    result = run("frameworks", "use", SHIPPED.id)
    assert result.returncode == 0, result.stderr
    assert own_team.frameworks.chosen_active().id == SHIPPED.id
    assert competencies_in_force(own_team).framework.id == SHIPPED.id


# ---------------------------------------------------------------- trellis competencies

def test_competencies_list_marks_those_drafts_use(own_team, run):
    result = run("competencies", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 5 and all(line.startswith("*") for line in lines)
    assert "c-ownership  Owns outcomes" in result.stdout and "the team's own" in result.stdout
    listed = json.loads(run("competencies", "list", "--json").stdout)
    assert listed[0] == {"id": "c-ownership", "name": "Owns outcomes",
                         "description": "Sees work through to the result", "notes": 2,
                         "frameworks": [], "in_force": True}
    assert "No framework is in force" in run("frameworks", "list").stdout
    shown = run("frameworks", "show")
    assert shown.returncode == 1 and "No framework is in force" in shown.stderr
    assert run("frameworks", "show", SHIPPED.id).returncode == 0


def test_a_competency_is_renamed_and_its_notes_keep_it(own_team, run):
    result = run("competencies", "rename", "c-craft", "  Code craft ", "--description", "Tested work")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "c-craft is now called 'Code craft' (was 'Craft'); its notes keep it"
    assert own_team.competencies.get("c-craft").description == "Tested work"
    assert own_team.notes.get("n-2").competencies == ("c-craft",)
    run("competencies", "rename", "c-craft", "Craft")
    assert own_team.competencies.get("c-craft").description == "Tested work"


@pytest.mark.parametrize("args, words", [
    (("c-nope", "Anything"), ["No competency with id 'c-nope'", "trellis competencies list"]),
    (("c-craft", "   "), ["needs a name", "empty"]),
    (("c-craft", "owns OUTCOMES"), ["c-ownership", "already called 'Owns outcomes'"]),
])
def test_a_rename_is_refused_with_a_clear_reason(own_team, run, args, words):
    before = competency_state(own_team)
    result = run("competencies", "rename", *args)
    assert result.returncode == 1 and result.stderr.startswith("trellis: ")
    assert all(word in result.stderr for word in words), result.stderr
    assert competency_state(own_team) == before


# ---------------------------------------------------------------- the repair (m008)

M007 = [m.__name__ for m in MIGRATIONS].index("m007_one_on_ones") + 1


def old_store(data_home, *, own: list[tuple[str, str]], active: str = SHIPPED.id,
              ladder: bool = False):
    """A store at the m007 schema as an earlier Trellis left it after drafting: the shipped
    framework saved over the team's competencies (``own``: those in no framework)."""
    first = Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF)
    key, path = first._key, first.path
    first.close()
    path.unlink()
    old = sqlite_utils.Database(connect(path, key), execute_plugins=False)
    migrate(old, MIGRATIONS[:M007])
    _old_framework(old, SHIPPED, active=active == SHIPPED.id)
    if ladder:
        _old_framework(old, LADDER, active=active == LADDER.id)
    for position, (cid, name) in enumerate(own, 20):
        old.execute("INSERT INTO competencies (id, name, description, position) VALUES (?, ?, '', ?)",
                    [cid, name, position])
    _old_notes(old, craft=("c-craft", "Craft") in own)
    old.conn.commit()
    old.conn.close()


def _old_framework(db, framework: Framework, *, active: bool) -> None:
    db.execute("INSERT INTO frameworks (id, name, levels, source, active, imported_at) "
               "VALUES (?, ?, ?, 'x', ?, 'x')",
               [framework.id, framework.name, json.dumps(framework.levels), int(active)])
    for position, c in enumerate(framework.competencies, 1):
        db.execute("INSERT INTO competencies (id, name, description, position) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (id) DO UPDATE SET name = excluded.name",
                   [c.id, c.name, c.description, position])
        db.execute("INSERT INTO framework_competencies VALUES (?, ?, ?)", [framework.id, c.id, position])
        db.execute("DELETE FROM competency_levels WHERE competency_id = ?", [c.id])
        for n, (level, text) in enumerate(c.expectations, 1):
            db.execute("INSERT INTO competency_levels VALUES (?, ?, ?, ?)", [c.id, level, n, text])


def _old_notes(db, *, craft: bool) -> None:
    db.execute("INSERT INTO people (id, name, level, created_at, updated_at) "
               "VALUES ('p-ana', 'Ana Ruiz', 'L3', 'x', 'x')")
    for note_id, competency in (("n-1", "c-ownership"), ("n-2", "c-craft"), ("n-3", "c-delivery"),
                                ("n-4", None)):
        db.execute("INSERT INTO notes (id, person_id, date, kind, text, created_at, updated_at) "
                   "VALUES (?, 'p-ana', '2026-02-02', 'observation', 'Did the work.', 'x', 'x')",
                   [note_id])
        if competency and (craft or competency != "c-craft"):
            db.execute("INSERT INTO note_competencies VALUES (?, ?)", [note_id, competency])
    db.execute("INSERT INTO competency_suggestions VALUES ('n-4', 'c-mentoring', 'suggested', ?, 'x')",
               [DEFAULT.sha256])
    db.execute("INSERT INTO drafts (id, kind, person_id, created_at) VALUES ('d-1', 'plan', 'p-ana', 'x')")
    db.execute("INSERT INTO draft_versions VALUES ('d-1', 1, ?, ?, '[]', 'x')",
               [json.dumps({"sections": [{"goal": {"competency_id": "c-quality"}}]}), DEFAULT.sha256])


def test_the_repair_takes_out_the_shipped_framework_and_what_it_added_unused(data_home):
    old_store(data_home, own=[("c-craft", "Craft")])
    with Store.open(data_home, passphrase=PASSPHRASE) as store:
        assert applied(store.db)[-1] == MIGRATIONS[-1].__name__
        assert store.frameworks.list() == [] and store.frameworks.active() is None
        kept = {c.id: c.name for c in store.competencies.list()}
        assert kept == {"c-ownership": "Operational ownership", "c-delivery": "Delivery",
                        "c-quality": "Code quality", "c-craft": "Craft"}
        assert store.db.execute("SELECT count(*) FROM competency_levels").fetchone()[0] == 0
        assert store.db.execute("SELECT count(*) FROM competency_suggestions").fetchone()[0] == 0
        assert [store.notes.get(n).competencies for n in ("n-1", "n-2", "n-3")] == \
            [("c-ownership",), ("c-craft",), ("c-delivery",)]
        framework, competencies = competencies_in_force(store)
        assert framework is None and {c.id for c in competencies} == set(kept)
        repairs = store.repairs()
    assert len(repairs) == 4
    assert "taken out" in repairs[0] and "trellis frameworks use f-trellis-engineering" in repairs[0]
    assert repairs[1] == ("Removed 8 competencies that the shipped framework had added and nothing "
                          "used: Collaboration, Communication, Mentoring, Thinks in workflows, "
                          "Automates repetitive steps, Critiques and validates AI output, "
                          "Combines creativity with analysis and Uses AI to extend and accelerate "
                          "their own work.")
    assert repairs[2].startswith("c-delivery is called 'Delivery'")
    assert repairs[3].startswith("c-ownership is called 'Operational ownership', the shipped "
                                 "framework's name; an earlier Trellis renamed it")
    assert "rename it back if your team called it something else" in repairs[3]


def test_a_store_where_the_manager_chose_the_shipped_framework_is_left_alone(data_home):
    old_store(data_home, own=[])
    with Store.open(data_home, passphrase=PASSPHRASE) as store:
        assert store.repairs() == []
        assert store.frameworks.chosen_active().id == SHIPPED.id
        assert len(store.competencies.list()) == len(SHIPPED.competencies)
        assert store.db.execute("SELECT count(*) FROM competency_levels").fetchone()[0] == 55
        assert competencies_in_force(store).framework.id == SHIPPED.id


def test_a_store_with_the_managers_own_framework_active_is_left_alone(data_home):
    old_store(data_home, own=[("c-craft", "Craft")], active=LADDER.id, ladder=True)
    with Store.open(data_home, passphrase=PASSPHRASE) as store:
        assert store.repairs() == []
        assert {f.id for f, _ in store.frameworks.list()} == {SHIPPED.id, LADDER.id}
        assert competencies_in_force(store).framework.id == LADDER.id


def test_doctor_lists_each_repair_as_an_info_line(data_home, run):
    old_store(data_home, own=[("c-craft", "Craft")])
    result = run("doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("info")]
    assert len(lines) == 4 and all(" repair " in line for line in lines)
    assert any("c-ownership is called 'Operational ownership'" in line for line in lines)
    report = json.loads(run("doctor", "--json").stdout)
    repairs = [c for c in report["checks"] if c["name"] == "repair"]
    assert len(repairs) == 4 and {c["status"] for c in repairs} == {"info"}
