"""Notes on a person: the evidence everything else in Trellis is built from.

Deleting a note moves it to the trash (``deleted_at`` set); it can be
restored from there until it is purged.
"""

from ..domain.dates import now_utc, parse_date, today_iso
from ..domain.ids import new_id
from ..domain.records import MAX_NOTE_CHARS, NOTE_KINDS, Note
from ..errors import InvalidInput, NotFound
from .cipher import IntegrityError

_SEP = "\x1f"
# One statement per read, competencies folded in, so a page of the timeline
# is a single indexed query.
NOTE_SELECT = (
    "SELECT n.id, n.person_id, n.date, n.kind, n.text, n.deleted_at, "
    f"(SELECT group_concat(competency_id, char(31)) FROM note_competencies c "
    "WHERE c.note_id = n.id), "
    "(SELECT group_concat(sentence, char(31)) FROM included_sentences i "
    "WHERE i.note_id = n.id) FROM notes n"
)
PERSON_PAGE_SQL = (
    f"{NOTE_SELECT} WHERE n.person_id = ? AND n.deleted_at IS NULL "
    "ORDER BY n.date DESC, n.seq DESC LIMIT ? OFFSET ?"
)
INSERT_NOTE_SQL = (
    "INSERT INTO notes (id, person_id, date, kind, text, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def note_from_row(row) -> Note:
    competencies = tuple(sorted(row[6].split(_SEP))) if row[6] else ()
    included = tuple(sorted(row[7].split(_SEP))) if row[7] else ()
    return Note(id=row[0], person_id=row[1], date=row[2], kind=row[3], text=row[4],
                deleted_at=row[5], competencies=competencies, included=included)


def check_kind(kind: str) -> str:
    if kind not in NOTE_KINDS:
        raise InvalidInput(f"kind {kind!r} is not one of: {', '.join(NOTE_KINDS)}")
    return kind


def check_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("A note needs some text")
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidInput(f"A note can hold at most {MAX_NOTE_CHARS:,} characters; this one has "
                           f"{len(text):,}. Split it into several notes, or keep the long text as "
                           "a file and note where it is. Nothing was saved.")
    return text


class Notes:
    """Add, edit, trash and read notes."""

    def __init__(self, db):
        self._db = db

    def add(self, *, person_id: str, text: str, date: str | None = None,
            kind: str = "observation", competencies: tuple[str, ...] = (),
            note_id: str | None = None) -> Note:
        note = Note(id=note_id or new_id("n"), person_id=person_id,
                    date=parse_date(date or today_iso()), kind=check_kind(kind),
                    text=check_text(text), competencies=tuple(sorted(set(competencies))))
        stamp = now_utc()
        with self._db.atomic():
            self._insert(note, stamp)
        return note

    def _insert(self, note: Note, stamp: str) -> None:
        try:
            self._db.execute(INSERT_NOTE_SQL, [note.id, note.person_id, note.date, note.kind,
                                               note.text, stamp, stamp])
        except IntegrityError:
            self._explain_failed_insert(note)
            raise
        self._tag(note.id, note.competencies)

    def _explain_failed_insert(self, note: Note) -> None:
        if not self._db.execute("SELECT 1 FROM people WHERE id = ?", [note.person_id]).fetchone():
            raise NotFound(f"No person with id {note.person_id!r}")
        if self._db.execute("SELECT 1 FROM notes WHERE id = ?", [note.id]).fetchone():
            raise InvalidInput(f"A note with id {note.id!r} already exists")

    def _tag(self, note_id: str, competencies: tuple[str, ...]) -> None:
        for competency_id in competencies:
            try:
                self._db.execute(
                    "INSERT INTO note_competencies (note_id, competency_id) VALUES (?, ?)",
                    [note_id, competency_id])
            except IntegrityError:
                raise InvalidInput(f"No competency with id {competency_id!r}") from None

    def get(self, note_id: str) -> Note:
        row = self._db.execute(f"{NOTE_SELECT} WHERE n.id = ?", [note_id]).fetchone()
        if row is None:
            raise NotFound(f"No note with id {note_id!r}")
        return note_from_row(row)

    def update(self, note_id: str, *, text: str | None = None, date: str | None = None,
               kind: str | None = None, competencies: tuple[str, ...] | None = None) -> Note:
        current = self.get(note_id)
        with self._db.atomic():
            self._db.execute(
                "UPDATE notes SET text = ?, date = ?, kind = ?, updated_at = ? WHERE id = ?",
                [check_text(text) if text is not None else current.text,
                 parse_date(date) if date is not None else current.date,
                 check_kind(kind) if kind is not None else current.kind,
                 now_utc(), note_id])
            if text is not None:  # a sentence edited away takes its inclusion with it
                self._db.execute("DELETE FROM included_sentences WHERE note_id = ? AND "
                                 "instr(?, sentence) = 0", [note_id, text])
            if competencies is not None:
                self._db.execute("DELETE FROM note_competencies WHERE note_id = ?", [note_id])
                self._tag(note_id, tuple(sorted(set(competencies))))
        return self.get(note_id)

    def include_sentence(self, note_id: str, sentence: str) -> Note:
        """Let one sensitive sentence of the note into drafts, plans and topics (the manager's
        explicit choice; ``app.reviews.sensitive`` checks the sentence is one of the note's)."""
        self.get(note_id)
        with self._db.atomic():
            self._db.execute("INSERT OR IGNORE INTO included_sentences (note_id, sentence, "
                             "included_at) VALUES (?, ?, ?)", [note_id, sentence, now_utc()])
        return self.get(note_id)

    def leave_out_sentence(self, note_id: str, sentence: str) -> Note:
        """Undo ``include_sentence``: the sentence is left out again."""
        self.get(note_id)
        with self._db.atomic():
            self._db.execute("DELETE FROM included_sentences WHERE note_id = ? AND sentence = ?",
                             [note_id, sentence])
        return self.get(note_id)

    def trash(self, note_id: str) -> Note:
        return self._set_deleted(note_id, now_utc())

    def restore(self, note_id: str) -> Note:
        return self._set_deleted(note_id, None)

    def _set_deleted(self, note_id: str, when: str | None) -> Note:
        self.get(note_id)
        with self._db.atomic():
            self._db.execute("UPDATE notes SET deleted_at = ?, updated_at = ? WHERE id = ?",
                             [when, now_utc(), note_id])
        return self.get(note_id)

    def purge(self, note_id: str) -> None:
        """Remove a trashed note for good (secure_delete overwrites its pages)."""
        note = self.get(note_id)
        if note.deleted_at is None:
            raise InvalidInput(f"Note {note_id!r} is not in the trash; trash it first")
        with self._db.atomic():
            self._db.execute("DELETE FROM notes WHERE id = ?", [note_id])

    def for_person(self, person_id: str, *, limit: int = 200, offset: int = 0) -> list[Note]:
        """A page of the person's timeline, newest first."""
        rows = self._db.execute(PERSON_PAGE_SQL, [person_id, limit, offset]).fetchall()
        return [note_from_row(row) for row in rows]

    def in_period(self, person_id: str, start: str, end: str) -> list[Note]:
        """The person's live notes dated from ``start`` to ``end`` (inclusive), oldest first."""
        rows = self._db.execute(
            f"{NOTE_SELECT} WHERE n.person_id = ? AND n.deleted_at IS NULL "
            "AND n.date BETWEEN ? AND ? ORDER BY n.date, n.seq",
            [person_id, parse_date(start, where="from"), parse_date(end, where="to")])
        return [note_from_row(row) for row in rows.fetchall()]

    def count_for_person(self, person_id: str) -> int:
        return self._db.execute(
            "SELECT count(*) FROM notes WHERE person_id = ? AND deleted_at IS NULL",
            [person_id]).fetchone()[0]

    def in_trash(self) -> list[Note]:
        rows = self._db.execute(
            f"{NOTE_SELECT} WHERE n.deleted_at IS NOT NULL ORDER BY n.deleted_at DESC")
        return [note_from_row(row) for row in rows]

    def all_live(self) -> list[Note]:
        rows = self._db.execute(
            f"{NOTE_SELECT} WHERE n.deleted_at IS NULL ORDER BY n.seq")
        return [note_from_row(row) for row in rows]
