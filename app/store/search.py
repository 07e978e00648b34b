"""Full-text search over live notes, as the manager types.

What the manager types is never handed to FTS5 as query syntax: it is cut
into words, each quoted, and the last one matched as a prefix so results
appear while a word is still being typed.
"""

import re

from ..domain.records import SearchHit

_WORD = re.compile(r"\w+", re.UNICODE)

SEARCH_SQL = (
    "SELECT n.id, n.person_id, p.name, n.date, n.kind, "
    "snippet(notes_fts, 0, ?, ?, '…', 12) "
    "FROM notes_fts JOIN notes n ON n.seq = notes_fts.rowid "
    "JOIN people p ON p.id = n.person_id "
    "WHERE notes_fts MATCH ? AND n.deleted_at IS NULL "
    "ORDER BY rank LIMIT ?"
)


def fts_query(text: str) -> str | None:
    """The FTS5 MATCH expression for what was typed, or None if it has no words."""
    words = _WORD.findall(text)
    if not words:
        return None
    quoted = [f'"{word}"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def search_notes(db, text: str, *, limit: int = 50, mark: tuple[str, str] = ("[", "]")) -> list[SearchHit]:
    match = fts_query(text)
    if match is None:
        return []
    rows = db.execute(SEARCH_SQL, [mark[0], mark[1], match, limit]).fetchall()
    return [SearchHit(*row) for row in rows]
