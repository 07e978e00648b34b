"""One thread owns the loaded model; everyone else sends it jobs.

llama.cpp contexts are not thread-safe, and loading two models at once
would double the memory. ``ModelWorker`` runs every engine call on its own
thread, one job at a time, in the order submitted. A job streams pieces to
a callback (the window turns them into queued Qt signals) and can be
stopped from any thread. Exceptions are caught on the worker thread and
handed to the job, never lost.
"""

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

from .engine import Engine, Generation, GenerationRequest, StopFlag, run


class Job:
    """A submitted generation: stop it, or wait for its ``Generation``."""

    def __init__(self, request: GenerationRequest, on_piece: Callable[[str], None] | None):
        self.request = request
        self.on_piece = on_piece
        self.stop_flag = StopFlag()
        self.future: Future = Future()

    def stop(self) -> None:
        self.stop_flag.set()

    def result(self, timeout: float | None = None) -> Generation:
        return self.future.result(timeout)


class ModelWorker:
    """The single thread that loads and runs the model."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._jobs: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name="trellis-model", daemon=True)
        self._thread.start()

    def call(self, function: Callable[[Engine], object]) -> Future:
        """Run ``function(engine)`` on the model thread (load, count tokens …)."""
        future: Future = Future()
        self._jobs.put((function, future))
        return future

    def submit(self, request: GenerationRequest, on_piece: Callable[[str], None] | None = None) -> Job:
        job = Job(request, on_piece)
        self._jobs.put((lambda engine: run(engine, request, job.stop_flag, job.on_piece), job.future))
        return job

    def close(self, timeout: float = 10) -> None:
        """Finish queued work, close the engine and end the thread."""
        self._jobs.put(None)
        self._thread.join(timeout)

    def _serve(self) -> None:
        while (item := self._jobs.get()) is not None:
            function, future = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(function(self.engine))
                except BaseException as exc:  # handed to the caller, not lost
                    future.set_exception(exc)
        self.engine.close()
