"""The window's only way to the language model: one thread, queued requests, batched text.

Why this module exists: llama.cpp must be driven from a single thread, and
the window must never wait on it. ``ModelBridge`` lives on the GUI thread
and owns a ``QThread`` with a ``ModelThreadWorker`` moved onto it; the
worker creates, loads and runs the engine. Requests travel to the worker
through queued signals, so they run one at a time in the order asked.
Stopping does not go through the queue (the worker is busy then): each job
carries a ``StopFlag`` that ``stop()`` sets directly and the engine checks
before every token. Text comes back in batches of at most every 40 ms, so
a fast model does not flood the event loop with one signal per token.

A job is a function ``task(engine, stop, on_piece) -> value`` run on the
model thread; ``generate(request)`` is the common case. Everything the
worker raises becomes ``sig_failed`` and the state "failed" with the reason.
"""

import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot

from app.errors import TrellisError
from app.llm.engine import Engine, Generation, GenerationRequest, StopFlag, run
from app.settings import load_settings

log = logging.getLogger("trellis.ui.model")

NOT_LOADED, LOADING, READY, GENERATING, STOPPED, FAILED = (
    "not loaded", "loading", "ready", "generating", "stopped", "failed")
BATCH_SECONDS = 0.04        # at most ~25 text updates a second reach the window
RATE_WINDOW_SECONDS = 1.0   # tokens/s is measured over the last second of pieces
SHUTDOWN_WAIT_MS = 10_000
# llama-cpp-python's Llama() takes no progress callback, so loading reports coarse steps.
PROGRESS_PREPARING, PROGRESS_LOADING, PROGRESS_DONE = 10, 50, 100

Task = Callable[[Engine, StopFlag, Callable[[str], None]], object]


def default_engine_factory() -> Engine:
    """The engine the saved settings choose (read when the model is first used)."""
    from app.llm.selection import engine_for  # the model registry loads on first use
    return engine_for(load_settings())


def generation_task(request: GenerationRequest) -> Task:
    """A job that runs one chat completion and returns its ``Generation``."""
    return lambda engine, stop, on_piece: run(engine, request, stop, on_piece)


def describe_error(exc: BaseException) -> str:
    """The reason a user reads: our own errors say it already; others get their type."""
    if isinstance(exc, TrellisError) and str(exc):
        return str(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class PieceBatcher:
    """Collects pieces on the model thread; hands them on at most every ``BATCH_SECONDS``."""

    def __init__(self, emit_text: Callable[[str], None], emit_rate: Callable[[float], None],
                 clock: Callable[[], float] = time.monotonic):
        self._emit_text, self._emit_rate, self._clock = emit_text, emit_rate, clock
        self._pending: list[str] = []
        self._times: deque[float] = deque()
        self._last_emit = clock()

    def add(self, piece: str) -> None:
        now = self._clock()
        self._pending.append(piece)
        self._times.append(now)
        while now - self._times[0] > RATE_WINDOW_SECONDS:
            self._times.popleft()
        if now - self._last_emit >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        self._emit_text("".join(self._pending))
        self._pending.clear()
        self._last_emit = self._clock()
        if (rate := self.rate()) > 0:
            self._emit_rate(rate)

    def rate(self) -> float:
        """Pieces per second over the last second (a piece is one token for llama.cpp)."""
        if len(self._times) < 2 or self._times[-1] <= self._times[0]:
            return 0.0
        return (len(self._times) - 1) / (self._times[-1] - self._times[0])


class ModelThreadWorker(QObject):
    """Lives on the model thread; owns the engine. Reached only through queued signals."""

    sig_state_changed = Signal(str, str)
    """The model's state changed. Arguments: state (see module constants), detail."""

    sig_load_progress = Signal(int)
    """Loading progressed. Argument: percent, 0–100."""

    sig_pieces = Signal(str)
    """A batch of generated text. Argument: the text."""

    sig_tokens_per_second = Signal(float)
    """Decoding speed. Argument: tokens per second."""

    sig_finished = Signal(object)
    """A job finished. Argument: what its task returned (a ``Generation`` for generate)."""

    sig_failed = Signal(str)
    """A job or the load failed. Argument: the reason."""

    sig_job_started = Signal(int)
    """A job began on the model thread. Argument: its number."""

    sig_job_ended = Signal(int)
    """A job is over, however it ended. Argument: its number."""

    def __init__(self, engine_factory: Callable[[], Engine]):
        super().__init__()
        self._factory = engine_factory
        self._engine: Engine | None = None

    @Slot()
    def on_load(self) -> None:
        try:
            self._ensure_loaded()
            self._state(READY)
        except Exception as exc:  # reported, never raised into Qt
            self._report_failure(exc)

    @Slot(int, object, object)
    def on_run(self, job: int, task: Task, stop: StopFlag) -> None:
        self.sig_job_started.emit(job)
        batcher = PieceBatcher(self.sig_pieces.emit, self.sig_tokens_per_second.emit)
        try:
            if stop.is_set():
                self._state(STOPPED)
                return
            self._ensure_loaded()
            self._state(GENERATING)
            result = task(self._engine, stop, batcher.add)
            batcher.flush()
            self._report_finished(result, stop)
        except Exception as exc:  # reported, never raised into Qt
            batcher.flush()
            self._report_failure(exc)
        finally:
            self.sig_job_ended.emit(job)

    @Slot()
    def on_unload(self) -> None:
        """Close the engine; the next job creates a new one from the factory."""
        engine, self._engine = self._engine, None
        if engine is not None:
            try:
                engine.close()
            except Exception as exc:  # closing must not take the thread down
                log.warning("closing the model failed: %s", describe_error(exc))
        self._state(NOT_LOADED)

    @Slot()
    def on_close(self) -> None:
        self.on_unload()
        QThread.currentThread().quit()

    def _ensure_loaded(self) -> None:
        if self._engine is not None:
            return
        self._state(LOADING, "")
        self.sig_load_progress.emit(PROGRESS_PREPARING)
        engine = self._factory()
        self._state(LOADING, engine.name)
        self.sig_load_progress.emit(PROGRESS_LOADING)
        try:
            engine.load()
        except BaseException:
            engine.close()
            raise
        self._engine = engine
        self.sig_load_progress.emit(PROGRESS_DONE)

    def _report_finished(self, result: object, stop: StopFlag) -> None:
        if isinstance(result, Generation) and result.tokens_per_second > 0:
            self.sig_tokens_per_second.emit(result.tokens_per_second)
        stopped = result.stopped if isinstance(result, Generation) else stop.is_set()
        self._state(STOPPED if stopped else READY)
        self.sig_finished.emit(result)

    def _report_failure(self, exc: Exception) -> None:
        reason = describe_error(exc)
        log.warning("model work failed: %s", reason, exc_info=not isinstance(exc, TrellisError))
        self.sig_failed.emit(reason)
        self._state(FAILED, reason)

    def _state(self, state: str, detail: str | None = None) -> None:
        name = self._engine.name if self._engine is not None else ""
        self.sig_state_changed.emit(state, name if detail is None else detail)


class ModelBridge(QObject):
    """The window's handle on the model thread. Every method returns at once (but shutdown)."""

    sig_state_changed = Signal(str, str)
    """The model's state changed. Arguments: state — "not loaded", "loading", "ready",
    "generating", "stopped" or "failed"; detail — the model name, or the reason when failed."""

    sig_load_progress = Signal(int)
    """Loading progressed. Argument: percent, 0–100 (coarse steps: 10, 50, 100)."""

    sig_pieces = Signal(str)
    """Generated text arrived, in order. Argument: a batch of text (one or more pieces)."""

    sig_finished = Signal(object)
    """A job finished (also when stopped), just after the state became "ready" or "stopped".
    Argument: the ``Generation`` for ``generate``, or what the task of ``run`` returned;
    ``running_job`` says whose it is."""

    sig_failed = Signal(str)
    """Loading or a job failed. Argument: the reason, fit to show the user."""

    sig_tokens_per_second = Signal(float)
    """Decoding speed, updated while generating. Argument: tokens per second."""

    sig_job_ended = Signal(int)
    """A job is over — finished, stopped, failed or skipped. Argument: its number."""

    _sig_load = Signal()
    _sig_run = Signal(int, object, object)
    _sig_unload = Signal()
    _sig_close = Signal()

    def __init__(self, engine_factory: Callable[[], Engine] | None = None, parent=None):
        super().__init__(parent)
        self._factory = engine_factory or default_engine_factory
        self._thread: QThread | None = None
        self._worker: ModelThreadWorker | None = None
        self._flags: dict[int, StopFlag] = {}
        self._flags_lock = threading.Lock()
        self._numbers = itertools.count(1)
        self.state, self.detail, self.model_name = NOT_LOADED, "", ""
        self.running_job = 0
        self._stuck_thread: QThread | None = None
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # --- asking --------------------------------------------------------------

    @property
    def busy(self) -> bool:
        with self._flags_lock:
            return bool(self._flags)

    def load(self) -> None:
        """Load the model now rather than on first use."""
        self._started()._sig_load.emit()

    def generate(self, request: GenerationRequest) -> int:
        """Queue one chat completion; returns the job's number."""
        return self.run(generation_task(request))

    def run(self, task: Task) -> int:
        """Queue ``task(engine, stop, on_piece)`` to run on the model thread; returns its number.

        The task must not touch widgets; ``on_piece`` streams text to ``sig_pieces``.
        """
        job, flag = next(self._numbers), StopFlag()
        with self._flags_lock:
            self._flags[job] = flag
        self._started()._sig_run.emit(job, task, flag)
        return job

    def stop(self) -> None:
        """Stop every running and queued job. Safe from any thread; takes no argument, so
        a QAction's ``triggered(bool)`` can be connected to it."""
        with self._flags_lock:
            flags = list(self._flags.values())
        for flag in flags:
            flag.set()

    def stop_job(self, job: int) -> None:
        """Stop one job (running or queued). Safe from any thread."""
        with self._flags_lock:
            flag = self._flags.get(job)
        if flag is not None:
            flag.set()

    def reload(self) -> None:
        """Stop, and close the engine; the next use makes a new one (settings changed)."""
        self.stop()
        if self._thread is not None:
            self._sig_unload.emit()

    def shutdown(self) -> None:
        """Stop, close the engine and end the thread (app exit). Waits for the thread."""
        self.stop()
        if self._thread is None:
            return
        self._sig_close.emit()
        if not self._thread.wait(SHUTDOWN_WAIT_MS):
            log.warning("the model thread did not end within %d ms", SHUTDOWN_WAIT_MS)
            self._stuck_thread = self._thread  # destroying a running QThread would abort
        # Dropped only now: dropping the worker earlier would delete it with the close unsent.
        self._thread = self._worker = None
        with self._flags_lock:
            self._flags.clear()
        self.on_state_changed(NOT_LOADED, "")

    # --- the model thread --------------------------------------------------------

    def _started(self) -> "ModelBridge":
        if self._thread is None:
            self._thread, self._worker = QThread(), ModelThreadWorker(self._factory)
            self._thread.setObjectName("trellis-model")
            self._worker.moveToThread(self._thread)
            self._connect(self._worker)
            self._thread.finished.connect(self._worker.deleteLater)
            self._thread.start()
        return self

    def _connect(self, worker: ModelThreadWorker) -> None:
        queued = Qt.ConnectionType.QueuedConnection
        self._sig_load.connect(worker.on_load, queued)
        self._sig_run.connect(worker.on_run, queued)
        self._sig_unload.connect(worker.on_unload, queued)
        self._sig_close.connect(worker.on_close, queued)
        worker.sig_job_started.connect(self.on_job_started, queued)
        worker.sig_state_changed.connect(self.on_state_changed, queued)
        worker.sig_load_progress.connect(self.sig_load_progress, queued)
        worker.sig_pieces.connect(self.sig_pieces, queued)
        worker.sig_tokens_per_second.connect(self.sig_tokens_per_second, queued)
        worker.sig_finished.connect(self.sig_finished, queued)
        worker.sig_failed.connect(self.sig_failed, queued)
        worker.sig_job_ended.connect(self.on_job_ended, queued)

    @Slot(int)
    def on_job_started(self, job: int) -> None:
        self.running_job = job

    @Slot(int)
    def on_job_ended(self, job: int) -> None:
        with self._flags_lock:
            self._flags.pop(job, None)
        self.sig_job_ended.emit(job)

    @Slot(str, str)
    def on_state_changed(self, state: str, detail: str) -> None:
        self.state, self.detail = state, detail
        if state not in (FAILED, NOT_LOADED) and detail:
            self.model_name = detail
        self.sig_state_changed.emit(state, detail)
