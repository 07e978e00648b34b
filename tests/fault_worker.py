"""Run one long operation until killed: the child process of test_faults_kill.py.

    python tests/fault_worker.py OPERATION HOME [ARGUMENT]

OPERATION is ``import`` (ARGUMENT: a trellis/v1 file), ``backup`` (ARGUMENT:
the folder), ``restore`` (ARGUMENT: the backup file), ``migrate`` (opening
the store in HOME brings its schema up to date) or ``add-model`` (ARGUMENT:
a GGUF file, copied into HOME's models folder). The store is unlocked by
TRELLIS_PASSPHRASE. The worker prints ``started`` just before the operation
begins and ``done`` once it has returned, each flushed at once: the parent
kills it with SIGKILL somewhere in between, and a ``done`` it read is a
promise that the whole operation is visible.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.exchange import import_file  # noqa: E402
from app.llm.registry import add_model  # noqa: E402
from app.store import Store  # noqa: E402


def say(word: str) -> None:
    print(word, flush=True)


def run(operation: str, home: Path, argument: str | None) -> None:
    if operation in ("migrate", "add-model"):
        say("started")
        if operation == "migrate":
            Store.open(home, create=False).close()
        else:
            add_model(Path(argument), home=home)
        say("done")
        return
    store = Store.open(home, create=False)
    say("started")
    if operation == "import":
        import_file(store, Path(argument))
    elif operation == "backup":
        store.backup(Path(argument))
    elif operation == "restore":
        store.restore(Path(argument))
    else:
        raise SystemExit(f"fault_worker: unknown operation {operation!r}")
    say("done")
    store.close()


if __name__ == "__main__":
    run(sys.argv[1], Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)
