"""1:1 agendas: carry-over across meetings, closing at the origin, templates, notes, export."""

import json

import pytest

from app.domain.records import AgendaItem
from app.errors import InvalidInput, NotFound
from app.services.agenda import agenda_markdown, next_agenda, start_meeting
from app.services.agenda_templates import AgendaTemplates, load_agenda_template
from app.services.topics import TopicSuggestions
from app.store.cipher import sqlite_utils
from app.store.database import connect, open_database
from app.store.migrations import MIGRATIONS


def _texts(entries):
    return [e.text for e in entries]


def _by_text(entries, text):
    return next(e for e in entries if e.text == text)


@pytest.fixture
def ana(team):
    store, ana, li = team
    return store, ana.id


def _first_meeting(store, person_id):
    meeting = store.meetings.add(person_id=person_id, date="2026-01-05", meeting_id="m-1")
    for text, owner in (("Promotion timeline", "report"), ("On-call load", "manager"),
                        ("Conference budget", "report"), ("Team offsite", "manager")):
        store.meetings.add_item(meeting.id, text=text, owner=owner)
    return store.meetings.get(meeting.id)


# --- carry-over ---------------------------------------------------------------

def test_carry_over_across_three_meetings(ana):
    store, person = ana
    first = _first_meeting(store, person)
    store.meetings.set_item_status(first.id, 1, "done")       # Promotion timeline
    store.meetings.set_item_status(first.id, 4, "dropped")    # Team offsite

    agenda = next_agenda(store, person, today="2026-01-12")
    assert _texts(agenda) == ["On-call load", "Conference budget"]
    assert {e.source for e in agenda} == {"carried_over"}
    assert all(e.citations == ("m-1",) for e in agenda)

    second = start_meeting(store, person, date="2026-01-12")
    assert [(i.text, i.source, i.citations) for i in second.agenda] == [
        ("On-call load", "carried_over", ("m-1",)), ("Conference budget", "carried_over", ("m-1",))]
    store.meetings.set_item_status(second.id, 2, "done")      # Conference budget, done at the copy
    store.meetings.add_item(second.id, text="Mentoring Li", owner="manager")

    third = next_agenda(store, person, today="2026-01-19")
    assert _texts(third) == ["On-call load", "Mentoring Li"]
    assert _by_text(third, "On-call load").citations == ("m-1",)          # still its first meeting
    assert _by_text(third, "Mentoring Li").citations == (second.id,)
    # The copy closed the original: the first meeting shows it done.
    assert store.meetings.get("m-1").agenda[2].status == "done"

    meeting3 = start_meeting(store, person, date="2026-01-19")
    store.meetings.set_item_status(meeting3.id, 1, "dropped")
    assert _texts(next_agenda(store, person, today="2026-01-26")) == ["Mentoring Li"]
    assert [i.status for i in store.meetings.get("m-1").agenda] == ["done", "dropped", "done", "dropped"]


def test_open_action_items_carry_until_done_and_closing_the_copy_closes_the_action(ana):
    store, person = ana
    first = _first_meeting(store, person)
    action = store.actions.add(person_id=person, text="Send the design doc", owner="report",
                               meeting_id=first.id, due="2026-01-09")
    agenda = next_agenda(store, person, today="2026-01-12")
    entry = _by_text(agenda, "Send the design doc")
    assert (entry.source, entry.owner, entry.citations) == ("action", "report", (action.id, "m-1"))

    second = start_meeting(store, person, date="2026-01-12")
    number = _texts(second.agenda).index("Send the design doc") + 1
    store.meetings.set_item_status(second.id, number, "done")
    assert store.actions.get(action.id).done
    assert "Send the design doc" not in _texts(next_agenda(store, person, today="2026-01-19"))

    store.meetings.set_item_status(second.id, number, "open")     # checked by mistake
    assert not store.actions.get(action.id).done
    store.actions.set_done(action.id)                             # done from the action list
    assert store.meetings.get(second.id).agenda[number - 1].status == "done"


def test_an_action_dropped_from_the_agenda_stops_carrying_but_stays_open(ana):
    store, person = ana
    action = store.actions.add(person_id=person, text="Book the training", owner="manager")
    meeting = start_meeting(store, person, date="2026-02-02")
    store.meetings.set_item_status(meeting.id, 1, "dropped")
    assert not store.actions.get(action.id).done
    assert next_agenda(store, person, today="2026-02-09") == []


def test_goals_at_risk_or_due_within_two_weeks_come_up(ana):
    store, person = ana
    risky = store.goals.add(person_id=person, title="Own the importer", status="at_risk")
    soon = store.goals.add(person_id=person, title="Write the runbook", due="2026-03-10")
    store.goals.add(person_id=person, title="Give a talk", due="2026-06-01")
    store.goals.add(person_id=person, title="Old goal", status="done", due="2026-03-01")
    agenda = next_agenda(store, person, today="2026-03-01")
    assert [(e.text, e.source, e.citations) for e in agenda] == [
        ("Goal: Own the importer (at risk)", "goal", (risky.id,)),
        ("Goal: Write the runbook (due 10 Mar)", "goal", (soon.id,))]

    meeting = start_meeting(store, person, date="2026-03-01")
    store.meetings.set_item_status(meeting.id, 2, "done")
    update = store.goals.add_update(soon.id, "Runbook shipped", date="2026-03-02", status="done")
    assert store.goals.get(soon.id).status == "done"
    assert store.goals.history(soon.id) == [update]
    assert _texts(next_agenda(store, person, today="2026-03-08")) == ["Goal: Own the importer (at risk)"]


def test_a_person_sees_only_their_own_carry_over(team):
    store, ana, li = team
    store.meetings.add_item(store.meetings.add(person_id=li.id, date="2026-01-05").id,
                            text="Li's point", owner="report")
    store.actions.add(person_id=li.id, text="Li's action", owner="report")
    assert next_agenda(store, ana.id, today="2026-01-12") == []


# --- during the meeting -------------------------------------------------------

def test_meeting_notes_become_one_timeline_note_that_updates(ana):
    store, person = ana
    meeting = _first_meeting(store, person)
    store.meetings.record_notes(meeting.id, "Ana worried about the on-call rota")
    note_id = store.meetings.timeline_note_id(meeting.id)
    note = store.notes.get(note_id)
    assert (note.kind, note.date, note.person_id) == ("one_on_one", "2026-01-05", person)

    store.meetings.record_notes(meeting.id, "Ana worried about the pager rota")
    assert store.meetings.timeline_note_id(meeting.id) == note_id
    assert [n.id for n in store.notes.for_person(person)] == [note_id]
    assert store.notes.get(note_id).text == "Ana worried about the pager rota"
    assert [hit.note_id for hit in store.search("pager")] == [note_id]
    assert store.search("on-call rota") == []

    store.meetings.record_notes(meeting.id, "")
    assert store.notes.get(note_id).deleted_at is not None
    assert store.meetings.get(meeting.id).notes == ""


def test_items_reorder_and_bad_input_changes_nothing(ana):
    store, person = ana
    meeting = _first_meeting(store, person)
    moved = store.meetings.move_item(meeting.id, 4, 1)
    assert _texts(moved.agenda) == ["Team offsite", "Promotion timeline", "On-call load",
                                    "Conference budget"]
    before = store.meetings.get(meeting.id)
    for bad in (lambda: store.meetings.move_item(meeting.id, 1, 5),
                lambda: store.meetings.move_item(meeting.id, 0, 2),
                lambda: store.meetings.set_item_status(meeting.id, 9, "done"),
                lambda: store.meetings.set_item_status(meeting.id, 1, "finished"),
                lambda: store.meetings.add_item(meeting.id, text="  ", owner="manager"),
                lambda: store.meetings.add_item(meeting.id, text="Lunch", owner="boss")):
        with pytest.raises(InvalidInput) as err:
            bad()
        assert str(err.value)
    assert store.meetings.get(meeting.id) == before
    with pytest.raises(InvalidInput, match="has 4 agenda items; new position 5 is not between 1 and 4"):
        store.meetings.move_item(meeting.id, 1, 5)
    with pytest.raises(NotFound, match="No meeting with id 'm-nope'"):
        store.meetings.set_item_status("m-nope", 1, "done")
    with pytest.raises(InvalidInput, match="'2026-02-30' is not a real calendar date"):
        start_meeting(store, person, date="2026-02-30")
    assert len(store.meetings.for_person(person)) == 1


def test_starting_a_meeting_for_an_unknown_person_saves_nothing(store):
    with pytest.raises(NotFound, match="No person with id 'p-ghost'"):
        start_meeting(store, "p-ghost", date="2026-01-05")
    assert store.meetings.all() == []


# --- templates ----------------------------------------------------------------

def test_shipped_templates_render_for_the_person(ana):
    store, person = ana
    templates = AgendaTemplates()
    assert {"weekly_check_in", "career_conversation", "first_one_on_one",
            "skip_level"} <= set(templates.names())
    for listed in templates.list():
        assert listed.error is None and listed.title
    entries = templates.get("first_one_on_one").entries(store.people.get(person))
    assert entries[0].text == "Welcome, Ana: how is the first week going?"
    assert {e.source for e in entries} == {"template"} and all(e.citations == () for e in entries)

    meeting = start_meeting(store, person, date="2026-01-05", template="weekly_check_in")
    assert meeting.template == "weekly_check_in"
    assert meeting.agenda[0].text == "How are things going, Ana?"


def test_template_prompts_never_carry_over_and_the_real_open_point_comes_first(ana):
    """Issue 18: "How are things going?" left unticked is not unfinished business."""
    store, person = ana
    first = start_meeting(store, person, date="2026-01-05", template="weekly_check_in")
    store.meetings.add_item(first.id, text="Conference budget", owner="report")
    agenda = next_agenda(store, person, today="2026-01-12", template="weekly_check_in")
    assert [(e.text, e.source) for e in agenda] == [
        ("Conference budget", "carried_over"),
        ("How are things going, Ana?", "template"), ("Wins since last time", "template"),
        ("Anything blocking you?", "template"), ("Feedback from me", "template"),
        ("Priorities for the coming week", "template")]
    assert _texts(next_agenda(store, person, today="2026-01-12")) == ["Conference budget"]
    second = start_meeting(store, person, date="2026-01-12")
    assert [(i.text, i.source) for i in second.agenda] == [("Conference budget", "carried_over")]


def test_a_template_prompt_an_older_trellis_carried_over_comes_back_from_the_template(ana):
    """Stores written before this fix hold template prompts carried from 1:1 to 1:1: the next
    agenda asks them afresh from the template (or not at all without it), never as carried."""
    store, person = ana
    first = store.meetings.add(person_id=person, date="2026-01-05", meeting_id="m-old", agenda=(
        AgendaItem("How are things going, Ana?", "report", source="template"),
        AgendaItem("Anything blocking you?", "report", source="template")))
    store.meetings.add(person_id=person, date="2026-01-12", meeting_id="m-copy", agenda=(
        AgendaItem("How are things going, Ana?", "report", source="carried_over",
                   citations=("m-old",), origin_id=first.agenda[0].id),
        AgendaItem("Review the rota", "manager")))
    assert [(e.text, e.source) for e in next_agenda(store, person, today="2026-01-19")] == [
        ("Review the rota", "carried_over")]
    with_template = next_agenda(store, person, today="2026-01-19", template="weekly_check_in")
    assert [(e.text, e.source) for e in with_template[:2]] == [
        ("Review the rota", "carried_over"), ("How are things going, Ana?", "template")]
    assert {e.source for e in with_template[1:]} == {"template"}


def test_a_user_copy_overrides_and_a_broken_one_names_file_and_problem(ana, tmp_path):
    store, person = ana
    user = tmp_path / "agendas"
    user.mkdir()
    (user / "weekly_check_in.toml").write_text(
        'name = "weekly_check_in"\ntitle = "Our weekly"\nversion = "2"\npurpose = "ours"\n'
        '[[items]]\ntext = "Coffee, {first_name}?"\nowner = "manager"\n', encoding="utf-8")
    templates = AgendaTemplates(user_dir=user)
    ours = templates.get("weekly_check_in")
    assert (ours.origin, ours.title) == ("user", "Our weekly")
    assert _texts(ours.entries(store.people.get(person))) == ["Coffee, Ana?"]

    broken = user / "skip_level.toml"
    cases = {
        'name = "skip_level"\ntitle = "x"\nversion = "1"\npurpose = ""\n[[items]]\ntext = "Hi {nickname}"\nowner = "report"\n':
            "item 1: uses {nickname}; the text may use only {first_name}, {name}",
        'name = "skip_level"\ntitle = "x"\nversion = "1"\npurpose = ""\n[[items]]\ntext = "Hi"\nowner = "boss"\n':
            "item 1: owner 'boss' is not one of: manager, report",
        'name = "skip_level"\ntitle = "x"\nversion = "1"\npurpose = ""\nitems = []\n':
            "has no [[items]]",
        'name = "skip_level"\ntitle = "x\n':
            "is not valid TOML",
        'name = "other"\ntitle = "x"\nversion = "1"\npurpose = ""\n[[items]]\ntext = "Hi"\nowner = "report"\n':
            "name 'other' does not match the file name 'skip_level'",
    }
    for text, problem in cases.items():
        broken.write_text(text, encoding="utf-8")
        with pytest.raises(InvalidInput) as err:
            templates.get("skip_level")
        assert str(broken) in str(err.value) and problem in str(err.value)
        with pytest.raises(InvalidInput, match="skip_level.toml"):
            start_meeting(store, person, date="2026-01-05", template="skip_level", templates=templates)
        assert [t.error is not None for t in templates.list() if t.name == "skip_level"] == [True]
    assert store.meetings.all() == []
    with pytest.raises(NotFound, match="No agenda template named 'weekly'"):
        templates.get("weekly")


def test_every_shipped_template_loads():
    for name in AgendaTemplates(user_dir=None).names():
        path = AgendaTemplates().get(name).source
        assert load_agenda_template(path).name == name


# --- sharing ------------------------------------------------------------------

def test_agenda_export_has_the_chosen_points_and_never_the_private_notes(ana):
    store, person = ana
    meeting = _first_meeting(store, person)
    store.meetings.record_notes(meeting.id, "PRIVATE: Ana mentioned a health issue")
    store.notes.add(person_id=person, text="PRIVATE personal note", kind="personal", date="2026-01-06")
    store.actions.add(person_id=person, text="Share the rota", owner="manager", meeting_id=meeting.id)
    agenda = next_agenda(store, person, today="2026-01-12")
    markdown = agenda_markdown(agenda, [0, 4, 2], title="1:1 with Ana, 12 January",
                               first_name="Ana")
    assert markdown == (
        "# 1:1 with Ana, 12 January\n\n"
        "## From Ana\n\n- [ ] Promotion timeline\n- [ ] Conference budget\n\n"
        "## From me\n\n- [ ] Share the rota\n")
    assert "PRIVATE" not in markdown and "m-1" not in markdown
    with pytest.raises(InvalidInput, match="there is no point 5"):
        agenda_markdown(agenda, [5], first_name="Ana")
    done = store.meetings.set_item_status(meeting.id, 1, "done")
    assert "- [x] Promotion timeline" in agenda_markdown(done.agenda, [0], first_name="Ana")


def test_exported_questions_for_the_report_are_not_listed_as_points_from_anyone(ana):
    """Issue 18: "How are things going, Ana?" went out under "From you"."""
    store, person = ana
    meeting = _first_meeting(store, person)
    agenda = next_agenda(store, person, today="2026-01-12", template="weekly_check_in")
    markdown = agenda_markdown(agenda, range(len(agenda)), title="1:1 agenda: Ana Ruiz",
                               first_name="Ana")
    assert markdown == (
        "# 1:1 agenda: Ana Ruiz\n\n"
        "## Questions for Ana\n\n- [ ] How are things going, Ana?\n- [ ] Wins since last time\n"
        "- [ ] Anything blocking you?\n\n"
        "## From Ana\n\n- [ ] Promotion timeline\n- [ ] Conference budget\n\n"
        "## From me\n\n- [ ] On-call load\n- [ ] Team offsite\n- [ ] Feedback from me\n"
        "- [ ] Priorities for the coming week\n")
    assert "From you" not in markdown and meeting.id not in markdown


def test_an_accepted_topic_goes_on_the_next_agenda_once(ana):
    store, person = ana
    note = store.notes.add(person_id=person, text="Asked about the staff role", date="2026-01-08")
    topics = TopicSuggestions(store)
    from app.domain.records import TopicSuggestion
    topics.save(TopicSuggestion(person, f"note:{note.id}", "The staff role", (note.id,), "model"),
                model_sha256="0" * 64, prompt_version="1")
    topics.accept(person, f"note:{note.id}")
    entry = _by_text(next_agenda(store, person, today="2026-01-12"), "The staff role")
    assert (entry.source, entry.citations) == ("suggested", (note.id,))
    meeting = start_meeting(store, person, date="2026-01-12")
    assert meeting.agenda[0].source == "suggested"
    carried = next_agenda(store, person, today="2026-01-19")
    assert [(e.text, e.source, e.citations) for e in carried] == [
        ("The staff role", "carried_over", (meeting.id, note.id))]


# --- the schema ---------------------------------------------------------------

def test_m007_upgrades_a_store_at_the_m006_schema(tmp_path):
    key = b"\x09" * 32
    path = tmp_path / "m006.db"
    old = sqlite_utils.Database(connect(path, key), execute_plugins=False)
    from app.store.migrations import migrate
    migrate(old, MIGRATIONS[:6])
    old.execute("INSERT INTO people (id, name, created_at, updated_at) VALUES ('p-1', 'Ana', 'x', 'x')")
    old.execute("INSERT INTO meetings (id, person_id, date, notes, created_at, updated_at) "
                "VALUES ('m-1', 'p-1', '2026-01-05', 'n', 'x', 'x')")
    old.execute("INSERT INTO agenda_items (meeting_id, position, text, owner, done) VALUES "
                "('m-1', 0, 'Done point', 'manager', 1), ('m-1', 1, 'Open point', 'report', 0)")
    old.execute("INSERT INTO goals (id, person_id, title, status, created_at, updated_at) "
                "VALUES ('g-1', 'p-1', 'Goal', 'on_track', 'x', 'x')")
    old.conn.commit()
    old.conn.close()
    db = open_database(path, key)
    from app.store.meetings import Goals, Meetings
    meetings = Meetings(db)
    assert [(i.text, i.status, i.source) for i in meetings.get("m-1").agenda] == [
        ("Done point", "done", "manual"), ("Open point", "open", "manual")]
    assert [item.text for item, _ in meetings.open_threads("p-1")] == ["Open point"]
    assert Goals(db).get("g-1").description == ""
    db.conn.close()


# --- suggested topics -----------------------------------------------------------

from app.assist.grounding import check_sentence  # noqa: E402
from app.llm.catalog import find_model_file, load_catalog  # noqa: E402
from app.llm.engine import StopFlag  # noqa: E402
from app.llm.fake_engine import FakeEngine  # noqa: E402
from app.llm.prompts import PromptLibrary  # noqa: E402
from app.services.topics import suggest_topics, topic_sources  # noqa: E402
from app.store import Store  # noqa: E402
from conftest import FAST_KDF, PASSPHRASE  # noqa: E402

DEFAULT_MODEL = load_catalog()[0]
MODEL_FILE = find_model_file(DEFAULT_MODEL)


def _topic_team(store):
    """Ana, met on 2026-01-05, with notes before and after; Li with records of his own."""
    store.people.add(name="Ana Ruiz", person_id="p-ana")
    store.people.add(name="Li Wei", person_id="p-li")
    store.meetings.add(person_id="p-ana", date="2026-01-05", meeting_id="m-ana-1")
    add = store.notes.add
    add(person_id="p-ana", note_id="n-before", date="2026-01-03", text="Ana fixed the login bug.")
    add(person_id="p-ana", note_id="n-after", date="2026-01-07",
        text="Ana led the incident review for the payments outage and wrote the follow-up plan.")
    add(person_id="p-ana", note_id="n-personal", date="2026-01-08", kind="personal",
        text="Ana's father is in hospital this month.")
    add(person_id="p-li", note_id="n-li", date="2026-01-08", text="Li Wei shipped the data export.")
    store.goals.add(person_id="p-ana", goal_id="g-risk", title="Mentor the new backend hire",
                    status="at_risk")
    store.goals.add(person_id="p-li", goal_id="g-li", title="Speak at the data meetup", status="at_risk")
    store.actions.add(person_id="p-ana", action_id="a-late", text="Write the on-call handbook",
                      owner="report", due="2026-01-09")
    store.actions.add(person_id="p-li", action_id="a-li", text="Review the export", owner="report",
                      due="2026-01-02")


def _owner(store, record_id):
    for table in ("notes", "goals", "actions"):
        row = store.db.execute(f"SELECT person_id FROM {table} WHERE id = ?", [record_id]).fetchone()
        if row:
            return row[0]
    return None


@pytest.fixture(scope="module")
def model_topics(tmp_path_factory):
    """One real-model call for the module: topics for Ana's next 1:1."""
    if MODEL_FILE is None:
        pytest.skip("default model not fetched (make setup)")
    from app.llm.llama_engine import LlamaEngine
    home = tmp_path_factory.mktemp("topics") / "home"
    store = Store.open(home, passphrase=PASSPHRASE, kdf=FAST_KDF)
    _topic_team(store)
    # One thread: on a busy machine two threads spin-wait on each other (see test_cli_drafts).
    engine = LlamaEngine(MODEL_FILE, model_sha256=DEFAULT_MODEL.sha256, threads=1)
    engine.load()
    library = PromptLibrary(user_dir=home / "prompts")
    topics = suggest_topics(store, engine, library, "p-ana", today="2026-01-12")
    engine.close()
    yield store, topics, library
    store.close()


def test_model_topics_cite_real_records_of_that_person_only(model_topics):
    store, topics, library = model_topics
    sources = {s.key: s for s in topic_sources(store, "p-ana", today="2026-01-12")}
    assert set(sources) == {"action:a-late", "goal:g-risk", "note:n-after"}
    assert {t.key for t in topics} == set(sources)
    for topic in topics:
        assert topic.person_id == "p-ana" and topic.state == "suggested"
        assert topic.citations == (sources[topic.key].id,)
        assert all(_owner(store, cited) == "p-ana" for cited in topic.citations)
        assert topic.text and topic.wording in ("model", "fallback")
        verdict = check_sentence(topic.text, [sources[topic.key]], person_name="Ana Ruiz",
                                 other_people=["Li Wei"])
        assert verdict.accepted, (topic, verdict.problems)
    stored = store.db.execute("SELECT DISTINCT model_sha256, prompt_version FROM topic_suggestions").fetchall()
    assert stored == [(DEFAULT_MODEL.sha256, library.get("agenda_topic").version)]


def test_a_dismissed_topic_does_not_come_back_and_nothing_is_asked_twice(model_topics):
    store, topics, library = model_topics
    first = topics[0]
    TopicSuggestions(store).dismiss("p-ana", first.key)
    again = suggest_topics(store, FakeEngine(), library, "p-ana", today="2026-01-12")  # no reply queued
    assert first.key not in {t.key for t in again}
    assert len(again) == len(topics) - 1
    with pytest.raises(InvalidInput, match="awaiting an answer"):
        TopicSuggestions(store).accept("p-ana", first.key)


def test_a_topic_naming_someone_else_or_their_record_falls_back_to_the_own_record(team):
    store, ana, li = team
    store.notes.add(person_id=ana.id, note_id="n-1", date="2026-01-08",
                    text="Ana asked for more ownership of the billing service.")
    store.notes.add(person_id=li.id, note_id="n-li-1", date="2026-01-08", text="Li Wei was late twice.")
    engine = FakeEngine()
    engine.enqueue('{"topic": "Ask Li Wei about n-li-1 and the 40% slip"}')
    library = PromptLibrary(user_dir=store.home / "prompts")
    [topic] = suggest_topics(store, engine, library, ana.id, today="2026-01-12")
    assert topic.citations == ("n-1",) and topic.wording == "fallback"
    assert "Li" not in topic.text and "n-li-1" not in topic.text
    assert "billing service" in topic.text
    assert "<<<NOTE n-1 2026-01-08>>>" in engine.requests[0].messages[-1].content
    assert "late twice" not in engine.requests[0].messages[-1].content

    stop = StopFlag()
    stop.set()
    store.notes.add(person_id=ana.id, note_id="n-2", date="2026-01-09", text="Ana onboarded Sam.")
    assert [t.key for t in suggest_topics(store, engine, library, ana.id, stop=stop,
                                          today="2026-01-12")] == ["note:n-1"]
    accepted = TopicSuggestions(store).accept(ana.id, "note:n-1")
    assert accepted.state == "accepted"
    with pytest.raises(InvalidInput, match="No topic 'note:n-9' is awaiting an answer"):
        TopicSuggestions(store).dismiss(ana.id, "note:n-9")


@pytest.mark.parametrize("worded, kept", [
    ("The billing migration went out on time", False),     # the record says it went out late
    ("Ana's billing migration went out late without a rollback plan", True),
    ("Ana's excellent billing migration went out late without a rollback plan", False),
])
def test_a_topic_that_changes_what_its_record_says_falls_back_to_the_record(team, worded, kept):
    store, ana, _ = team
    store.notes.add(person_id=ana.id, note_id="n-1", date="2026-01-08",
                    text="The billing migration went out late without a rollback plan.")
    engine = FakeEngine()
    engine.enqueue(json.dumps({"topic": worded}))
    library = PromptLibrary(user_dir=store.home / "prompts")
    [topic] = suggest_topics(store, engine, library, ana.id, today="2026-01-12")
    assert topic.wording == ("model" if kept else "fallback"), topic.text
    assert "late" in topic.text


def test_an_accepted_topic_about_an_action_rewords_its_point_instead_of_adding_one(ana):
    from app.domain.records import TopicSuggestion
    store, person = ana
    action = store.actions.add(person_id=person, text="Send the design doc", owner="report",
                               due="2026-01-09")
    topics = TopicSuggestions(store)
    topics.save(TopicSuggestion(person, f"action:{action.id}", "Design doc: what is blocking it",
                                (action.id,), "model"), model_sha256="0" * 64, prompt_version="1")
    topics.accept(person, f"action:{action.id}")
    agenda = next_agenda(store, person, today="2026-01-12")
    assert _texts(agenda) == ["Design doc: what is blocking it"]         # once, in the topic's words
    [entry] = agenda
    assert (entry.source, entry.action_id, entry.citations) == ("suggested", action.id, (action.id,))
    meeting = start_meeting(store, person, date="2026-01-12")
    store.meetings.set_item_status(meeting.id, 1, "done")
    assert store.actions.get(action.id).done                            # still tied to the action
    assert next_agenda(store, person, today="2026-01-19") == []
