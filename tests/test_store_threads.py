"""One owner per connection: the store and threads (issue 15, part 1).

A store answers only the thread that opened it; work on another thread
opens its own connection with ``store.for_this_thread()``. The case that
lost 633 of 634 saves when two threads shared one connection: one thread
saves notes while another runs blocks that save and then fail.
"""

import threading

import pytest

from app.errors import WrongThread
from app.store import Store

from conftest import FAST_KDF, PASSPHRASE


def _on_thread(work):
    """Run ``work`` on a new thread; (its result, the exception it raised)."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc
    thread = threading.Thread(target=run, name="model-thread")
    thread.start()
    thread.join(60)
    return outcome.get("result"), outcome.get("error")


def test_a_call_from_another_thread_is_refused_before_it_touches_the_database(team):
    store, ana, _ = team
    before = store.notes.count_for_person(ana.id)
    _, error = _on_thread(lambda: store.notes.add(person_id=ana.id, text="From the wrong thread"))
    assert isinstance(error, WrongThread)
    assert "model-thread" in str(error) and "for_this_thread" in str(error)
    assert "Nothing was read or written" in str(error)
    _, error = _on_thread(lambda: store.people.list())
    assert isinstance(error, WrongThread)
    assert store.notes.count_for_person(ana.id) == before


def test_failing_blocks_on_another_thread_lose_no_acknowledged_save(team):
    store, ana, li = team
    acknowledged: list[str] = []
    stop = threading.Event()
    failures: list[BaseException] = []

    def failing_blocks():
        with store.for_this_thread() as own:
            while not stop.is_set():
                try:
                    with own.atomic():
                        own.notes.add(person_id=li.id, text="Saved, then the save failed")
                        raise OSError("the disk is full")
                except OSError:
                    continue
                except BaseException as exc:  # noqa: BLE001 - the test reports it
                    failures.append(exc)
                    return

    thread = threading.Thread(target=failing_blocks, name="model-thread")
    thread.start()
    try:
        for index in range(300):
            acknowledged.append(store.notes.add(person_id=ana.id, text=f"Note {index}").id)
    finally:
        stop.set()
        thread.join(60)
    assert not failures
    kept = {note.id for note in store.notes.for_person(ana.id, limit=10_000)}
    assert set(acknowledged) <= kept
    assert store.notes.for_person(li.id, limit=10) == []


def test_a_thread_sees_what_the_other_saved_and_closes_its_own_connection(team):
    store, ana, _ = team
    saved = store.notes.add(person_id=ana.id, text="Saved on the window's thread")

    def read_and_write():
        with store.for_this_thread() as own:
            seen = [n.id for n in own.notes.for_person(ana.id)]
            written = own.notes.add(person_id=ana.id, text="Saved on the model thread").id
        return seen, written, own

    (seen, written, own), error = _on_thread(read_and_write)
    assert error is None and saved.id in seen
    assert written in {n.id for n in store.notes.for_person(ana.id)}
    with pytest.raises(Exception):
        own.people.list()  # closed when its work ended


def test_a_second_connection_does_not_migrate_or_take_the_key_again(data_home):
    store = Store.open(data_home, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        own = store.for_this_thread()
        try:
            assert own.people.list() == store.people.list()
        finally:
            own.close()
    finally:
        store.close()
