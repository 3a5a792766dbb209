"""The thread pool a server's calls run on: few threads while they keep finishing calls, more only
while every one of them is held up.

In one Python process, threads take turns holding the interpreter lock. Sixteen threads busy
with sixteen calls mostly hand that lock to each other (each hand-off is a wake-up and a context
switch), so a CPU-bound server answers more calls per second with a handful of threads and the
other calls waiting in the queue. But a thread can also be held up for long, waiting on another
silo, a database lock, or a request stream that stays open; with all of them held up, queued
calls would wait for nothing. So the pool runs ``core`` threads and adds one (up to ``most``)
whenever calls are queued, every thread is busy, and no call has finished for ``stall`` seconds:
it is stuck, not busy. An added thread leaves after ``idle`` seconds without a call.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent import futures
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_CORE_THREADS = 4
DEFAULT_STALL_SECONDS = 0.02
DEFAULT_IDLE_SECONDS = 10.0

# A queued call: its future, the function and its arguments; None tells a thread to leave.
_Work = tuple["futures.Future[Any]", Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class ElasticThreadPool(futures.ThreadPoolExecutor):
    """An executor for ``grpc.server`` (which takes a ``ThreadPoolExecutor`` and only submits to
    it): ``core`` threads, started as calls arrive, and up to ``most`` in all while it is stuck
    (see the module's docstring). None of ``ThreadPoolExecutor``'s own machinery is used."""

    def __init__(
        self,
        most: int,
        *,
        core: int = DEFAULT_CORE_THREADS,
        stall: float = DEFAULT_STALL_SECONDS,
        idle: float = DEFAULT_IDLE_SECONDS,
        thread_name_prefix: str = "silo-rpc",
    ) -> None:
        if most < 1:
            raise ValueError(f"a thread pool needs at least one thread, not {most}")
        super().__init__(max_workers=most, thread_name_prefix=thread_name_prefix)
        self._most = most
        self._core = min(core, most)
        self._stall = stall
        self._idle = idle
        self._prefix = thread_name_prefix
        self._work: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        self._state = threading.Condition(threading.Lock())
        self._alive = 0  # threads started and not gone
        self._busy = 0  # threads running a call
        self._finished = 0  # calls finished so far
        self._started = 0  # threads ever started, for their names
        self._closed = False
        self._watcher: threading.Thread | None = None
        self._watching = False  # the watcher is timing a stall

    @property
    def threads(self) -> int:
        """How many threads the pool holds now."""
        with self._state:
            return self._alive

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> futures.Future[T]:
        future: futures.Future[T] = futures.Future()
        with self._state:
            if self._closed:
                raise RuntimeError("cannot run a call on a thread pool that was shut down")
            self._work.put((future, fn, args, kwargs))
            if self._alive < self._core:
                self._start()
            elif self._busy >= self._alive and not self._watching:
                # Every thread is busy: the watcher checks that calls keep finishing.
                self._wake_watcher()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._state:
            self._closed = True
            if cancel_futures:
                self._cancel_queued()
            for _ in range(self._alive):
                self._work.put(None)
            self._state.notify_all()
            while wait and self._alive:
                self._state.wait()

    def _cancel_queued(self) -> None:
        while True:
            try:
                work = self._work.get_nowait()
            except queue.Empty:
                return
            if work is not None:
                work[0].cancel()

    # -- called holding ``_state`` ---------------------------------------------------------

    def _start(self) -> None:
        self._alive += 1
        thread = threading.Thread(
            target=self._serve, name=f"{self._prefix}_{self._started}", daemon=True
        )
        self._started += 1
        thread.start()

    def _wake_watcher(self) -> None:
        if self._watcher is None:
            self._watcher = threading.Thread(
                target=self._watch_for_stalls, name=f"{self._prefix}-watch", daemon=True
            )
            self._watcher.start()
        else:
            self._state.notify_all()

    def _stuck(self) -> bool:
        """Calls are queued and every thread is busy."""
        return not self._work.empty() and self._busy >= self._alive

    # -- the threads' own loops -----------------------------------------------------------

    def _serve(self) -> None:
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
            future, fn, args, kwargs = work
            with self._state:
                self._busy += 1
                if not self._watching and self._stuck():
                    self._wake_watcher()
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        result = fn(*args, **kwargs)
                    except BaseException as error:
                        future.set_exception(error)
                    else:
                        future.set_result(result)
            finally:
                with self._state:
                    self._busy -= 1
                    self._finished += 1
            del work, future, fn, args, kwargs

    def _watch_for_stalls(self) -> None:
        with self._state:
            while not self._closed:
                if not self._stuck():
                    self._watching = False
                    self._state.wait()
                    continue
                self._watching = True
                finished = self._finished
                deadline = time.monotonic() + self._stall
                while not self._closed and self._finished == finished:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        if self._stuck() and self._alive < self._most:
                            self._start()
                        break
                    self._state.wait(remaining)
