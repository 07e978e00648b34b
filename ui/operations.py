"""One way to run work that must not block the window.

Why this module exists: the window had three ways to work off the GUI
thread, each panel with its own job bookkeeping. Now every such piece of
work is an ``Operation``:

- a function that touches no widget runs off the GUI thread: on the model
  thread for model work (``on_model``, through ``ModelBridge``, which owns
  the engine), or on Qt's thread pool for file work, exports and the
  unlock (``in_pool``);
- its progress, its result or its failure (a sentence), and its end are
  delivered on the GUI thread, to callbacks given when it starts, and only
  to them;
- ``stop()`` asks it to stop; the function sees a ``StopFlag``.

The bookkeeping (job numbers, "is this result mine", stop flags) is here
and nowhere else. Like Anki's ``CollectionOp``/``QueryOp``, an operation
holds no widget: its callbacks do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from app.errors import TrellisError
from app.llm.engine import StopFlag

from .model_bridge import describe_error

log = logging.getLogger(__name__)

Progress = Callable[[object], None]
PoolWork = Callable[[Progress, StopFlag], object]
"""``work(progress, stop)``: runs on the thread pool; ``progress(value)`` may be called
any number of times; it returns the result or raises."""


class Operation(QObject):
    """One piece of work off the GUI thread; signals arrive on the GUI thread."""

    sig_progress = Signal(object)
    """Progress. Argument: what the work reported (a batch of text for model work)."""

    sig_done = Signal(object)
    """It finished, also when stopped part-way. Argument: what the work returned."""

    sig_failed = Signal(str)
    """It failed. Argument: the reason, fit to show the user."""

    sig_ended = Signal()
    """It is over, however it ended; sent last."""

    _sig_finish = Signal()

    def __init__(self):
        super().__init__()  # no parent: it lives until it ends (``_running``), not with a widget
        self._sig_finish.connect(self._end)
        self.running = False
        self.answered = False  # its answer (done or failed) has reached the GUI thread
        self._slots: list = []
        self._stop_flag = StopFlag()
        self._stop_hook: Callable[[], None] = self._stop_flag.set

    @property
    def stop_asked(self) -> bool:
        return self._stop_flag.is_set()

    def stop(self) -> None:
        """Ask the work to stop; it ends at its next check. Harmless once it has ended."""
        if self.running:
            self._stop_flag.set()
            self._stop_hook()

    def connect(self, *, done=None, failed=None, progress=None, ended=None) -> "Operation":
        for signal, slot in ((self.sig_done, done), (self.sig_failed, failed),
                             (self.sig_progress, progress), (self.sig_ended, ended)):
            if slot is not None:
                signal.connect(slot)
                self._slots.append((signal, slot))
        return self

    def abandon(self) -> None:
        """Stop it, and deliver nothing more to the callbacks it was started with (the
        panel that asked has moved on: locked, or showing someone else)."""
        self.stop()
        for signal, slot in self._slots:
            signal.disconnect(slot)
        self._slots.clear()

    def _begin(self) -> "Operation":
        self.running = True
        _running.add(self)
        return self

    def _on_answer(self, *_args) -> None:
        self.answered = True

    @Slot()
    def _end(self) -> None:
        if self.running:
            self.running = False
            self.sig_ended.emit()
            _running.discard(self)


def is_running(operation: Operation | None) -> bool:
    """Whether a panel's operation (None before its first) is still at work: work whose answer
    has been handled on the GUI thread is not, though its thread may not have said it ended
    yet (on a busy machine Enter pressed in between waited for an answer that had already
    come). The flag flips after the callbacks, each of which Qt queues as an event of its own,
    so whoever sees the work done also sees what its callbacks did."""
    return operation is not None and operation.running and not operation.answered


def stop(operation: Operation | None) -> None:
    """Ask a panel's operation, if any, to stop."""
    if operation is not None:
        operation.stop()


def in_pool(work: PoolWork, *, quick: bool = False, **callbacks) -> Operation:
    """Start ``work(progress, stop)`` on Qt's thread pool. ``callbacks``: ``done``, ``failed``,
    ``progress``, ``ended`` (a widget's slots: a closed widget is simply not called).

    ``quick`` work the manager waits on as they type (search) runs on a pool of its own, so
    that copying or hashing a model file, or an export, never holds it up (the global pool
    has one thread per core: two long jobs filled it on a 2-core laptop)."""
    operation = Operation().connect(**callbacks)._begin()
    for answer in (operation.sig_done, operation.sig_failed):  # last: after the callbacks ran
        answer.connect(operation._on_answer)
    (_quick_pool() if quick else QThreadPool.globalInstance()).start(_PoolJob(operation, work))
    return operation


_QUICK_POOL: QThreadPool | None = None


def _quick_pool() -> QThreadPool:
    global _QUICK_POOL
    if _QUICK_POOL is None:
        _QUICK_POOL = QThreadPool()
        _QUICK_POOL.setMaxThreadCount(2)
    return _QUICK_POOL


class _PoolJob(QRunnable):
    def __init__(self, operation: Operation, work: PoolWork):
        super().__init__()
        self._operation, self._work = operation, work

    def run(self) -> None:
        operation = self._operation
        try:
            result = self._work(operation.sig_progress.emit, operation._stop_flag)
        except Exception as exc:  # reported as a sentence, never raised into Qt
            _deliver(operation.sig_failed, _reason(exc))
        else:
            _deliver(operation.sig_done, result)
        finally:
            _deliver(operation._sig_finish)


def _deliver(signal, *args) -> None:
    """Emit, unless the application has already quit and taken the operation with it."""
    try:
        signal.emit(*args)
    except RuntimeError:  # "Signal source has been deleted": nobody is left to tell
        log.debug("an operation ended after the window closed")


def on_model(bridge, task, **callbacks) -> Operation:
    """Start ``task(engine, stop, on_piece)`` on the model thread (``ModelBridge.run``);
    ``progress`` receives the text it streams."""
    operation = Operation().connect(**callbacks)._begin()
    job = bridge.run(task)
    operation._stop_hook = lambda: bridge.stop_job(job)
    mine = lambda: operation.running and bridge.running_job == job  # noqa: E731

    def finished(value):
        if mine():
            operation.sig_done.emit(value)

    def failed(reason: str):
        if mine():
            operation.sig_failed.emit(reason)

    def pieces(text: str):
        if mine():
            operation.sig_progress.emit(text)

    def ended(number: int):
        if number == job:
            for signal, slot in connections:
                signal.disconnect(slot)
            operation._end()

    connections = [(bridge.sig_finished, finished), (bridge.sig_failed, failed),
                   (bridge.sig_pieces, pieces), (bridge.sig_job_ended, ended)]
    for signal, slot in connections:
        signal.connect(slot)
    return operation


def _reason(exc: Exception) -> str:
    """The sentence a user reads; an error Trellis did not foresee is logged too."""
    if not isinstance(exc, (TrellisError, OSError)):
        log.warning("background work failed", exc_info=exc)
    return describe_error(exc)


_running: set[Operation] = set()
"""Every operation not yet ended: kept alive here, as nothing else holds them."""
