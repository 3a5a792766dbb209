"""The thread pool a server's calls run on: a few threads while the process is busy computing,
more only while its threads mostly wait.

In one Python process, threads take turns holding the interpreter lock. Sixteen threads busy
computing sixteen calls mostly hand that lock to each other (each hand-off is a wake-up and a
context switch), so a CPU-bound server answers more calls per second with a handful of threads
and the other calls waiting in the queue. But calls also wait: on another silo, on PostgreSQL, on
a database lock, or for the next message of a request stream that stays open. While they do,
more threads would serve the queue. So the pool runs ``core`` threads and adds one (up to
``most``) whenever calls are queued, every thread is busy, and over the last ``stall`` seconds
the threads waited rather than computed: the pool's threads used less than ``waiting_pool_cpu``
of a core, or the whole process less than ``waiting_cpu`` (the interpreter lock has time to
spare). One such window is enough when no call finished in it (every thread is held up); when
calls keep finishing, it takes two in a row, so that a burst of calls just arriving or the
process descheduled for a moment does not look like waiting. A thread added leaves after
``idle`` seconds without a call. A process the machine lends little CPU looks like one whose
threads wait, so there the pool grows as an ordinary thread pool of ``most`` threads would be.

A pool's threads are daemon threads: once its server has stopped (calls past the grace period
are cancelled), a call still running does not hold up the process's exit.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent import futures
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")

DEFAULT_CORE_THREADS = 4
DEFAULT_STALL_SECONDS = 0.02
DEFAULT_IDLE_SECONDS = 10.0
# Below these shares of one core, the busy threads are taken to be waiting. Computing, one server
# process uses 0.8 to 0.95 of a core (the interpreter lock, plus gRPC's and SQLite's own code),
# of which the pool's threads 0.5 to 0.7 (gRPC's own thread holds the lock for the rest).
DEFAULT_WAITING_CPU = 0.7
DEFAULT_WAITING_POOL_CPU = 0.4
_WAITING_WINDOWS = 2

log = logging.getLogger("silo.server")


class PoolLoad(NamedTuple):
    """A call pool at one moment: its threads, those running a call, and the calls queued."""

    threads: int
    busy: int
    queued: int


# A queued call: its future, the function and its arguments; None tells a thread to leave.
_Work = tuple["futures.Future[Any]", Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class ElasticThreadPool(futures.ThreadPoolExecutor):
    """An executor for ``grpc.server`` (which takes a ``ThreadPoolExecutor`` and only submits to
    it): ``core`` threads, started as calls arrive, and up to ``most`` in all while its threads
    wait (see the module's docstring). None of ``ThreadPoolExecutor``'s own machinery is used."""

    def __init__(
        self,
        most: int,
        *,
        core: int = DEFAULT_CORE_THREADS,
        stall: float = DEFAULT_STALL_SECONDS,
        idle: float = DEFAULT_IDLE_SECONDS,
        waiting_cpu: float = DEFAULT_WAITING_CPU,
        waiting_pool_cpu: float = DEFAULT_WAITING_POOL_CPU,
        thread_name_prefix: str = "silo-rpc",
    ) -> None:
        if most < 1 or core < 1:
            raise ValueError(f"a thread pool needs at least one thread, not {min(most, core)}")
        if stall <= 0 or idle < 0 or waiting_cpu <= 0 or waiting_pool_cpu <= 0:
            raise ValueError("stall and the waiting shares must be positive, idle not negative")
        super().__init__(max_workers=most, thread_name_prefix=thread_name_prefix)
        self._most = most
        self._core = min(core, most)
        self._stall = stall
        self._idle = idle
        self._waiting_cpu = waiting_cpu
        self._waiting_pool_cpu = waiting_pool_cpu
        self._prefix = thread_name_prefix
        self._work: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        self._state = threading.Condition(threading.Lock())
        self._alive = 0  # threads running their loop
        self._busy = 0  # threads running a call
        self._finished = 0  # calls finished so far
        self._clocks: dict[int, int] = {}  # each thread's CPU-time clock, by thread id
        self._started = 0  # threads ever started, for their names
        self._refusals_logged = False  # since the last thread started
        self._closed = False
        self._watcher: threading.Thread | None = None
        self._watching = False  # the watcher is timing a window

    @property
    def threads(self) -> int:
        """How many threads the pool holds now."""
        with self._state:
            return self._alive

    def load(self) -> PoolLoad:
        """The pool's threads and calls now."""
        with self._state:
            return PoolLoad(threads=self._alive, busy=self._busy, queued=self._work.qsize())

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> futures.Future[T]:
        future: futures.Future[T] = futures.Future()
        with self._state:
            if self._closed:
                raise RuntimeError("cannot run a call on a thread pool that was shut down")
            if self._alive < self._core and not self._start() and self._alive == 0:
                raise RuntimeError("the thread pool could not start a thread")
            self._work.put((future, fn, args, kwargs))
            if self._busy >= self._alive and not self._watching:
                # Every thread is busy: the watcher checks whether they compute or wait.
                self._wake_watcher()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuses new calls; the threads finish the calls queued (cancelled instead with
        ``cancel_futures``) and leave. With ``wait``, returns once they have."""
        with self._state:
            self._closed = True
            if cancel_futures:
                self._cancel_queued()
            for _ in range(self._alive):
                self._work.put(None)
            self._state.notify_all()
            while wait and self._alive:
                self._state.wait()
            watcher = self._watcher
        if wait and watcher is not None:
            watcher.join()

    def _cancel_queued(self) -> None:
        while True:
            try:
                work = self._work.get_nowait()
            except queue.Empty:
                return
            if work is not None:
                work[0].cancel()

    # -- called holding ``_state`` ---------------------------------------------------------

    def _thread(self, target: Callable[[], None], name: str) -> threading.Thread | None:
        """A started daemon thread running ``target``, or None when the system refuses one
        (logged once until a thread starts again)."""
        thread = threading.Thread(target=target, name=name, daemon=True)
        try:
            thread.start()
        except RuntimeError as error:
            if not self._refusals_logged:
                log.warning("the call pool could not start its thread %s: %s", name, error)
                self._refusals_logged = True
            return None
        self._refusals_logged = False
        return thread

    def _start(self) -> bool:
        """Starts one more thread; False when the system refuses one."""
        if self._thread(self._serve, f"{self._prefix}_{self._started}") is None:
            return False
        self._started += 1
        self._alive += 1  # the thread takes the lock before it counts itself busy or leaves
        return True

    def _wake_watcher(self) -> None:
        if self._watcher is not None:
            self._state.notify_all()
        else:
            self._watcher = self._thread(self._watch_for_stalls, f"{self._prefix}-watch")

    def _stuck(self) -> bool:
        """Calls are queued and every thread is busy."""
        return not self._work.empty() and self._busy >= self._alive

    # -- the threads' own loops -----------------------------------------------------------

    def _serve(self) -> None:
        ident = threading.get_ident()
        clock = _cpu_clock(ident)
        if clock is not None:
            with self._state:
                self._clocks[ident] = clock
        try:
            self._serve_calls()
        finally:
            with self._state:
                self._clocks.pop(ident, None)

    def _serve_calls(self) -> None:
        while True:
            # Threads beyond the core ones leave once idle for long enough.
            timeout = self._idle if self._alive > self._core else None
            try:
                work = self._work.get(timeout=timeout)
            except queue.Empty:
                with self._state:
                    if self._alive > self._core and self._work.empty():
                        self._alive -= 1
                        self._state.notify_all()
                        return
                continue
            if work is None:
                with self._state:
                    self._alive -= 1
                    self._state.notify_all()
                return
            with self._state:
                self._busy += 1
                if not self._watching and self._stuck():
                    self._wake_watcher()
            try:
                _run(*work)
            finally:
                with self._state:
                    self._busy -= 1
                    self._finished += 1
            del work

    def _cpu_times(self) -> tuple[float, dict[int, float]]:
        """The CPU seconds the process and each of the pool's threads have used."""
        threads: dict[int, float] = {}
        for ident, clock in self._clocks.items():
            try:
                threads[ident] = time.clock_gettime(clock)
            except OSError:  # the thread has just ended
                continue
        return time.process_time(), threads

    def _waited(self, since: float, before: tuple[float, dict[int, float]]) -> bool:
        """Whether the busy threads waited rather than computed since ``since`` (monotonic),
        when the CPU times were ``before``: the pool's threads used less than
        ``waiting_pool_cpu`` of a core (whatever other threads of the process computed), or the
        process less than ``waiting_cpu`` (gRPC's own thread computes for the calls too)."""
        elapsed = time.monotonic() - since
        process, threads = self._cpu_times()
        earlier = before[1]
        pool = sum(used - earlier[ident] for ident, used in threads.items() if ident in earlier)
        return (
            pool / elapsed < self._waiting_pool_cpu
            or (process - before[0]) / elapsed < self._waiting_cpu
        )

    def _watch_for_stalls(self) -> None:
        waited = 0  # windows in a row in which the busy threads waited
        with self._state:
            while not self._closed:
                if not self._stuck():
                    self._watching = False
                    waited = 0
                    self._state.wait()
                    continue
                self._watching = True
                started, finished, before = time.monotonic(), self._finished, self._cpu_times()
                deadline = started + self._stall
                while not self._closed and (remaining := deadline - time.monotonic()) > 0:
                    self._state.wait(remaining)
                if self._closed or not self._stuck() or self._alive >= self._most:
                    continue
                if not self._waited(started, before):
                    waited = 0
                    continue
                waited += 1
                # Held up (no call finished), or waiting two windows in a row: a burst of calls
                # just arriving, or the process descheduled for a moment, does not look so.
                if self._finished == finished or waited >= _WAITING_WINDOWS:
                    self._start()
                    waited = 0
            self._watching = False


def _cpu_clock(ident: int) -> int | None:
    """The CPU-time clock of thread ``ident``, or None where the platform has none: a thread
    without one counts as using no CPU, so the pool grows as an ordinary pool would."""
    try:
        return time.pthread_getcpuclockid(ident)
    except (AttributeError, OSError):
        return None


def _run(
    future: futures.Future[Any], fn: Callable[..., Any], args: tuple[Any, ...], kwargs: Any
) -> None:
    """Runs one call into its future (unless it was cancelled while queued)."""
    if not future.set_running_or_notify_cancel():
        return
    try:
        result = fn(*args, **kwargs)
    except BaseException as error:
        future.set_exception(error)
    else:
        future.set_result(result)
