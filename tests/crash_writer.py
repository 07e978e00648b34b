"""Add notes until killed: the child process of test_crash_durability.py.

    python tests/crash_writer.py HOME

Opens (or, if HOME holds no data yet, creates) the store in HOME, unlocked by
TRELLIS_PASSPHRASE, makes sure the person ``p-crash`` exists, then adds notes
for ever. A note's id is printed and flushed only after ``notes.add`` has
returned, i.e. after its transaction committed: every printed id is a
promise the parent checks after killing this process with SIGKILL.

Note sizes vary from a few bytes to about 50 KB so that kills land in
different phases of a commit (one WAL frame, many frames, FTS index
merges). Every note carries a word of its own so the parent can find it
through the search index.
"""

import itertools
import random
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.errors import NotFound  # noqa: E402
from app.store import KdfParams, Store  # noqa: E402

PERSON_ID = "p-crash"
# The same cheap Argon2id cost as conftest.FAST_KDF (the test checks they agree);
# used only when this process is the one that creates the store.
FAST_KDF = KdfParams(memory_kib=8192, iterations=1, lanes=1)
VOCABULARY = ("agenda", "blocked", "customer", "delivery", "estimate", "feedback", "growth",
              "handover", "incident", "mentoring", "onboarding", "planning", "review",
              "rollout", "scope", "velocity")


RUN = secrets.token_hex(4)


def marker(number: int) -> str:
    """A word no other note contains, nor starts with (searches match the last word as a prefix)."""
    return f"crash{RUN}n{number}z"


def note_text(rng: random.Random, number: int) -> str:
    size = rng.choices(("tiny", "medium", "large"), weights=(4, 3, 1))[0]
    if size == "tiny":
        return marker(number)
    words = 150 if size == "medium" else rng.randint(1500, 2100)  # about 1 KB, or 13–18 KB (under the note cap)
    return " ".join([marker(number), *rng.choices(VOCABULARY, k=words)])


def ensure_person(store: Store) -> None:
    """Add p-crash unless an earlier (perhaps killed) writer already did."""
    try:
        store.people.get(PERSON_ID)
    except NotFound:
        store.people.add(name="Crash Test Report", person_id=PERSON_ID)


def main(home: Path) -> None:
    store = Store.open(home, kdf=FAST_KDF)
    ensure_person(store)
    rng = random.Random(RUN)
    for number in itertools.count():
        note = store.notes.add(person_id=PERSON_ID, text=note_text(rng, number))
        print(note.id, flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
