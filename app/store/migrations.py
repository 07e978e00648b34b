"""The schema, as an ordered list of small migrations.

Each migration runs once, in its own transaction, and is recorded in
``schema_migrations``. A shipped migration is never edited: change the
schema by appending a new one.
"""

from collections.abc import Callable

from ..domain.dates import now_utc
from ..errors import StoreCorrupt

_KINDS = "'observation','praise','concern','feedback_given','one_on_one','personal','other'"


def _run(db, statements: list[str]) -> None:
    for sql in statements:
        db.execute(sql)


def m001_team(db) -> None:
    """People, competencies and notes (with soft delete)."""
    _run(db, [
        """CREATE TABLE people (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            role TEXT, level TEXT, start_date TEXT,
            archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        """CREATE TABLE competencies (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            description TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0)""",
        f"""CREATE TABLE notes (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            date TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ({_KINDS})),
            text TEXT NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            deleted_at TEXT)""",
        """CREATE INDEX notes_by_person ON notes (person_id, date DESC, seq DESC)
            WHERE deleted_at IS NULL""",
        "CREATE INDEX notes_in_trash ON notes (deleted_at) WHERE deleted_at IS NOT NULL",
        """CREATE TABLE note_competencies (
            note_id TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE ON UPDATE CASCADE,
            competency_id TEXT NOT NULL REFERENCES competencies(id) ON DELETE CASCADE,
            PRIMARY KEY (note_id, competency_id)) WITHOUT ROWID""",
        "CREATE INDEX note_competencies_by_competency ON note_competencies (competency_id)",
    ])


def m002_notes_fts(db) -> None:
    """Full-text search over notes, kept in step by triggers."""
    _run(db, [
        """CREATE VIRTUAL TABLE notes_fts USING fts5(
            text, content='notes', content_rowid='seq',
            tokenize='unicode61 remove_diacritics 2')""",
        # Deleted rows are really removed from the index, not just masked.
        "INSERT INTO notes_fts (notes_fts, rank) VALUES ('secure-delete', 1)",
        """CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
            INSERT INTO notes_fts (rowid, text) VALUES (new.seq, new.text); END""",
        """CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
            INSERT INTO notes_fts (notes_fts, rowid, text) VALUES ('delete', old.seq, old.text); END""",
        """CREATE TRIGGER notes_fts_update AFTER UPDATE OF text ON notes BEGIN
            INSERT INTO notes_fts (notes_fts, rowid, text) VALUES ('delete', old.seq, old.text);
            INSERT INTO notes_fts (rowid, text) VALUES (new.seq, new.text); END""",
        # Notes written before this migration are indexed too.
        "INSERT INTO notes_fts (notes_fts) VALUES ('rebuild')",
    ])


def m003_meetings(db) -> None:
    """1:1 meetings with their agendas, action items and goals."""
    _run(db, [
        """CREATE TABLE meetings (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            date TEXT NOT NULL,
            notes TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        "CREATE INDEX meetings_by_person ON meetings (person_id, date DESC)",
        """CREATE TABLE agenda_items (
            id INTEGER PRIMARY KEY,
            meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            text TEXT NOT NULL,
            owner TEXT NOT NULL CHECK (owner IN ('manager', 'report')),
            done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
            UNIQUE (meeting_id, position))""",
        """CREATE TABLE actions (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            meeting_id TEXT REFERENCES meetings(id) ON DELETE SET NULL,
            text TEXT NOT NULL,
            owner TEXT NOT NULL CHECK (owner IN ('manager', 'report')),
            due TEXT,
            done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        "CREATE INDEX actions_by_person ON actions (person_id, done, due)",
        """CREATE TABLE goals (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            title TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('on_track', 'at_risk', 'done', 'dropped')),
            due TEXT,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        "CREATE INDEX goals_by_person ON goals (person_id, status)",
    ])


def m004_reviews(db) -> None:
    """Review cycles and drafts, every version kept with its provenance."""
    _run(db, [
        """CREATE TABLE review_cycles (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            period_start TEXT NOT NULL, period_end TEXT NOT NULL,
            due TEXT,
            created_at TEXT NOT NULL,
            CHECK (period_start <= period_end))""",
        """CREATE TABLE drafts (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('review', 'plan')),
            person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            cycle_id TEXT REFERENCES review_cycles(id) ON DELETE SET NULL,
            period_start TEXT, period_end TEXT,
            created_at TEXT NOT NULL)""",
        "CREATE INDEX drafts_by_person ON drafts (person_id, kind)",
        """CREATE TABLE draft_versions (
            draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
            version INTEGER NOT NULL CHECK (version >= 1),
            body TEXT NOT NULL CHECK (json_valid(body)),
            model_sha256 TEXT NOT NULL,
            prompts TEXT NOT NULL CHECK (json_valid(prompts)),
            created_at TEXT NOT NULL,
            PRIMARY KEY (draft_id, version))""",
    ])


def m005_app_state(db) -> None:
    """Unsaved text kept safe between sessions, and which records are the sample team."""
    _run(db, [
        """CREATE TABLE autosaves (
            slot TEXT PRIMARY KEY,
            text TEXT NOT NULL,
            context TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(context)),
            saved_at TEXT NOT NULL)""",
        """CREATE TABLE sample_records (
            kind TEXT NOT NULL CHECK (kind IN ('person', 'competency')),
            id TEXT NOT NULL,
            PRIMARY KEY (kind, id)) WITHOUT ROWID""",
    ])


def m006_frameworks_and_cycles(db) -> None:
    """Competency frameworks with level expectations, each person's status in a
    review cycle, model-suggested competencies awaiting the manager's word,
    dismissed language findings and the version a manager marked final."""
    _run(db, [
        """CREATE TABLE frameworks (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            levels TEXT NOT NULL CHECK (json_valid(levels)),
            source TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
            imported_at TEXT NOT NULL)""",
        "CREATE UNIQUE INDEX one_active_framework ON frameworks (active) WHERE active = 1",
        """CREATE TABLE framework_competencies (
            framework_id TEXT NOT NULL REFERENCES frameworks(id) ON DELETE CASCADE,
            competency_id TEXT NOT NULL REFERENCES competencies(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            PRIMARY KEY (framework_id, competency_id)) WITHOUT ROWID""",
        """CREATE TABLE competency_levels (
            competency_id TEXT NOT NULL REFERENCES competencies(id) ON DELETE CASCADE,
            level TEXT NOT NULL CHECK (length(trim(level)) > 0),
            position INTEGER NOT NULL,
            expectation TEXT NOT NULL,
            PRIMARY KEY (competency_id, level)) WITHOUT ROWID""",
        """CREATE TABLE cycle_people (
            cycle_id TEXT NOT NULL REFERENCES review_cycles(id) ON DELETE CASCADE,
            person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            status TEXT NOT NULL CHECK (status IN ('not_started', 'drafting', 'final')),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (cycle_id, person_id)) WITHOUT ROWID""",
        """CREATE TABLE competency_suggestions (
            note_id TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE ON UPDATE CASCADE,
            competency_id TEXT NOT NULL REFERENCES competencies(id) ON DELETE CASCADE,
            state TEXT NOT NULL CHECK (state IN ('suggested', 'confirmed', 'dismissed')),
            model_sha256 TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (note_id, competency_id)) WITHOUT ROWID""",
        """CREATE TABLE draft_dismissals (
            draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
            finding_id TEXT NOT NULL,
            dismissed_at TEXT NOT NULL,
            PRIMARY KEY (draft_id, finding_id)) WITHOUT ROWID""",
        "ALTER TABLE drafts ADD COLUMN final_version INTEGER",
    ])


def m007_one_on_ones(db) -> None:
    """1:1s that carry over: each person's cadence and next date, agenda items
    with a status, a source and where they came from, the template a meeting
    used and the timeline note its notes became, goal descriptions with dated
    progress updates, and suggested topics the manager accepted or dismissed."""
    _run(db, [
        """CREATE TABLE cadences (
            person_id TEXT PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
            cadence TEXT NOT NULL CHECK (cadence IN ('weekly', 'fortnightly', 'monthly', 'none')),
            next_date TEXT,
            set_on TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
        "ALTER TABLE meetings ADD COLUMN template TEXT",
        "ALTER TABLE notes ADD COLUMN meeting_id TEXT REFERENCES meetings(id) ON DELETE SET NULL",
        "CREATE UNIQUE INDEX notes_by_meeting ON notes (meeting_id) WHERE meeting_id IS NOT NULL",
        """ALTER TABLE agenda_items ADD COLUMN status TEXT NOT NULL DEFAULT 'open'
            CHECK (status IN ('open', 'done', 'dropped'))""",
        "UPDATE agenda_items SET status = 'done' WHERE done = 1",
        """ALTER TABLE agenda_items ADD COLUMN source TEXT NOT NULL DEFAULT 'manual'
            CHECK (source IN ('carried_over', 'action', 'goal', 'suggested', 'template', 'manual'))""",
        # The first agenda item of a carried-over thread; NULL on that first item itself.
        "ALTER TABLE agenda_items ADD COLUMN origin_id INTEGER REFERENCES agenda_items(id) ON DELETE SET NULL",
        "ALTER TABLE agenda_items ADD COLUMN action_id TEXT REFERENCES actions(id) ON DELETE SET NULL",
        "ALTER TABLE agenda_items ADD COLUMN goal_id TEXT REFERENCES goals(id) ON DELETE SET NULL",
        """ALTER TABLE agenda_items ADD COLUMN citations TEXT NOT NULL DEFAULT '[]'
            CHECK (json_valid(citations))""",
        "CREATE INDEX agenda_items_by_origin ON agenda_items (origin_id) WHERE origin_id IS NOT NULL",
        "ALTER TABLE goals ADD COLUMN description TEXT NOT NULL DEFAULT ''",
        """CREATE TABLE goal_updates (
            id INTEGER PRIMARY KEY,
            goal_id TEXT NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
            date TEXT NOT NULL,
            text TEXT NOT NULL,
            status TEXT CHECK (status IN ('on_track', 'at_risk', 'done', 'dropped')),
            created_at TEXT NOT NULL)""",
        "CREATE INDEX goal_updates_by_goal ON goal_updates (goal_id, date)",
        """CREATE TABLE topic_suggestions (
            person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            text TEXT NOT NULL,
            citations TEXT NOT NULL CHECK (json_valid(citations)),
            wording TEXT NOT NULL CHECK (wording IN ('model', 'fallback')),
            state TEXT NOT NULL CHECK (state IN ('suggested', 'accepted', 'dismissed')),
            meeting_id TEXT REFERENCES meetings(id) ON DELETE SET NULL,
            model_sha256 TEXT NOT NULL,
            prompt_version TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (person_id, key)) WITHOUT ROWID""",
    ])


SHIPPED_FRAMEWORK = "f-trellis-engineering"
# The shipped framework's names as the versions before m008 wrote them into stores. Frozen
# here: this migration repairs what those versions did, whatever the shipped file says later.
_SHIPPED_NAMES = {
    "c-delivery": "Delivery", "c-quality": "Code quality", "c-ownership": "Operational ownership",
    "c-collab": "Collaboration", "c-communication": "Communication", "c-mentoring": "Mentoring",
    "c-ai-workflows": "Thinks in workflows", "c-ai-automation": "Automates repetitive steps",
    "c-ai-critique": "Critiques and validates AI output",
    "c-ai-creativity": "Combines creativity with analysis",
    "c-ai-use": "Uses AI to extend and accelerate their own work",
}


def m008_chosen_frameworks(db) -> None:
    """Whether the manager chose each framework (Trellis applies the shipped one to an empty
    store, which is not a choice), sentences on repairs for ``trellis doctor``, and the repair
    of stores where drafting had made the shipped framework active over the team's own
    competencies (issue 13)."""
    _run(db, [
        "ALTER TABLE frameworks ADD COLUMN chosen INTEGER NOT NULL DEFAULT 1 CHECK (chosen IN (0, 1))",
        """CREATE TABLE store_repairs (
            id INTEGER PRIMARY KEY,
            migration TEXT NOT NULL,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL)""",
    ])
    if _shipped_framework_over_own_competencies(db):
        _repair_shipped_framework(db)


def _shipped_framework_over_own_competencies(db) -> bool:
    """The shipped framework is active and some competency is in no framework at all."""
    active = db.execute("SELECT id FROM frameworks WHERE active = 1").fetchone()
    own = db.execute("SELECT 1 FROM competencies WHERE id NOT IN "
                     "(SELECT competency_id FROM framework_competencies) LIMIT 1").fetchone()
    return active is not None and active[0] == SHIPPED_FRAMEWORK and own is not None


def _repair_shipped_framework(db) -> None:
    """Take the shipped framework out and the competencies it added that nothing uses.

    Competencies notes (or drafts, other frameworks, the sample team, unsaved
    text) refer to stay, as the team's own; old names are not recoverable, so
    a sentence asks the manager to check the ones that carry a shipped name.
    """
    linked = [cid for (cid,) in db.execute(
        "SELECT competency_id FROM framework_competencies WHERE framework_id = ? "
        "ORDER BY position", [SHIPPED_FRAMEWORK])]
    names = dict(db.execute("SELECT id, name FROM competencies").fetchall())
    unused = [cid for cid in linked if not _competency_referenced(db, cid)]
    kept = [cid for cid in linked if cid not in unused]
    for cid in unused:
        _delete_competency(db, cid)
    for cid in kept:
        _drop_shipped_levels(db, cid)
    db.execute("DELETE FROM frameworks WHERE id = ?", [SHIPPED_FRAMEWORK])
    sentences = [_shipped_framework_sentence()]
    if unused:
        sentences.append(_removed_sentence([names[cid] for cid in unused]))
    sentences += [_renamed_sentence(cid, names[cid]) for cid in kept
                  if names[cid] == _SHIPPED_NAMES.get(cid) and _tagged(db, cid)]
    for text in sentences:
        db.execute("INSERT INTO store_repairs (migration, text, created_at) VALUES (?, ?, ?)",
                   ["m008_chosen_frameworks", text, now_utc()])


_REFERENCES = (
    "SELECT 1 FROM note_competencies WHERE competency_id = :id",
    "SELECT 1 FROM framework_competencies WHERE competency_id = :id AND framework_id != :shipped",
    "SELECT 1 FROM sample_records WHERE kind = 'competency' AND id = :id",
    # Plan goals and competency sections name their competency in the draft's body.
    "SELECT 1 FROM draft_versions WHERE instr(body, :quoted) > 0",
    "SELECT 1 FROM autosaves WHERE instr(context, :quoted) > 0",
)


def _competency_referenced(db, competency_id: str) -> bool:
    values = {"id": competency_id, "shipped": SHIPPED_FRAMEWORK, "quoted": f'"{competency_id}"'}
    return any(db.execute(f"{sql} LIMIT 1", values).fetchone() for sql in _REFERENCES)


def _tagged(db, competency_id: str) -> bool:
    return db.execute("SELECT 1 FROM note_competencies WHERE competency_id = ? LIMIT 1",
                      [competency_id]).fetchone() is not None


def _delete_competency(db, competency_id: str) -> None:
    for table in ("competency_suggestions", "competency_levels", "framework_competencies"):
        db.execute(f"DELETE FROM {table} WHERE competency_id = ?", [competency_id])
    db.execute("DELETE FROM competencies WHERE id = ?", [competency_id])


def _drop_shipped_levels(db, competency_id: str) -> None:
    """A kept competency in no other framework has only the shipped framework's level texts."""
    db.execute("DELETE FROM framework_competencies WHERE competency_id = ? AND framework_id = ?",
               [competency_id, SHIPPED_FRAMEWORK])
    if not db.execute("SELECT 1 FROM framework_competencies WHERE competency_id = ?",
                      [competency_id]).fetchone():
        db.execute("DELETE FROM competency_levels WHERE competency_id = ?", [competency_id])


def _shipped_framework_sentence() -> str:
    return ("The shipped Trellis engineering framework (f-trellis-engineering) was in force only "
            "because an earlier Trellis applied it while drafting, over your team's own "
            "competencies; it was taken out, and drafts now use your team's competencies. If you "
            "chose it yourself, run `trellis frameworks use f-trellis-engineering`.")


def _removed_sentence(names: list[str]) -> str:
    listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
    return (f"Removed {len(names)} {'competency' if len(names) == 1 else 'competencies'} that "
            f"the shipped framework had added and nothing used: {listed}.")


def _renamed_sentence(competency_id: str, name: str) -> str:
    return (f"{competency_id} is called '{name}', the shipped framework's name; an earlier "
            "Trellis renamed it (and replaced its description) while drafting — rename it back "
            "if your team called it something else: `trellis competencies rename "
            f"{competency_id} NAME`.")


def m009_included_sentences(db) -> None:
    """Sentences the manager chose to let into drafts although they read as sensitive
    (health, family, religion …). Keyed by the sentence's text: editing the note drops the
    choice, so a changed sentence is left out again until the manager includes it anew."""
    _run(db, [
        """CREATE TABLE included_sentences (
            note_id TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE ON UPDATE CASCADE,
            sentence TEXT NOT NULL CHECK (length(trim(sentence)) > 0),
            included_at TEXT NOT NULL,
            PRIMARY KEY (note_id, sentence)) WITHOUT ROWID""",
    ])


def m010_ended_one_on_ones(db) -> None:
    """When a 1:1 was ended ("End 1:1"). The 1:1s kept before Trellis knew about ending
    took place already, so they count as ended when they were last changed."""
    _run(db, [
        "ALTER TABLE meetings ADD COLUMN ended_at TEXT",
        "UPDATE meetings SET ended_at = updated_at",
    ])


MIGRATIONS: list[Callable] = [m001_team, m002_notes_fts, m003_meetings, m004_reviews,
                              m005_app_state, m006_frameworks_and_cycles, m007_one_on_ones,
                              m008_chosen_frameworks, m009_included_sentences,
                              m010_ended_one_on_ones]


def applied(db) -> list[str]:
    db.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
        name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)""")
    return [row[0] for row in db.execute("SELECT name FROM schema_migrations ORDER BY rowid")]


def upgrade_needed(db, migrations: list[Callable] = MIGRATIONS) -> bool:
    """Whether data already written lacks some of this Trellis's migrations."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").fetchone():
        return False  # a new database: nobody else can have data in it
    done = set(applied(db))
    return bool(done) and any(m.__name__ not in done for m in migrations)


def migrate(db, migrations: list[Callable] = MIGRATIONS) -> list[str]:
    """Apply every migration not yet recorded; returns the names applied now."""
    with db.atomic():
        done = applied(db)
    _refuse_unknown(done, migrations)
    newly = []
    for migration in migrations:
        if migration.__name__ in done:
            continue
        with db.atomic():
            migration(db)
            db.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                       [migration.__name__, now_utc()])
        newly.append(migration.__name__)
    return newly


def _refuse_unknown(done: list[str], migrations: list[Callable]) -> None:
    known = {m.__name__ for m in migrations}
    unknown = [name for name in done if name not in known]
    if unknown:
        raise StoreCorrupt(
            f"This data was written by a newer Trellis (schema steps {', '.join(unknown)}); "
            "update Trellis to open it."
        )
