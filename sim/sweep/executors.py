"""Executors: serial, a process pool, or Dask — all `concurrent.futures.Executor`s.

The runner only calls `submit` and waits on the returned
`concurrent.futures.Future`s, so the same code runs in-process, on the cores of
one machine, or on a Dask cluster (a `LocalCluster` started here, or an existing
scheduler given by address, e.g. workers started by hand or by dask-jobqueue).

`open_executor(kind, workers, scheduler)` returns an `ExecutorHandle`: the
executor, how many tasks it can run at once (`capacity()`, which the runner
uses to bound submissions in flight) and a one-line description; close it
with `close()` or use it as a context manager.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from sim.errors import InputError

KINDS = ("serial", "processes", "dask")


class SerialExecutor(Executor):
    """Runs each submitted call at once, in this process; returns a finished Future."""

    def __init__(self) -> None:
        self._shutdown = False
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future = Future()
        if not future.set_running_or_notify_cancel():  # pragma: no cover
            return future
        try:
            result = fn(*args, **kwargs)
        except BaseException as err:  # noqa: BLE001 - delivered through the future
            if isinstance(err, KeyboardInterrupt):
                raise
            future.set_exception(err)
        else:
            future.set_result(result)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._shutdown = True


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _worker_init() -> None:
    """Process-pool workers: one BLAS thread each (parallelism is the pool's)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


@dataclass
class ExecutorHandle:
    kind: str
    executor: Executor
    description: str
    workers: int
    _close: list[Callable[[], None]] = field(default_factory=list)
    _client: Any = None

    def capacity(self) -> int:
        """Tasks that can run at once (for Dask, the threads of the connected workers)."""
        if self._client is not None:
            try:
                n = sum(self._client.nthreads().values())
            except Exception:  # noqa: BLE001 - the scheduler may be briefly unreachable
                n = 0
            return max(1, n)
        return max(1, self.workers)

    def close(self) -> None:
        while self._close:
            fn = self._close.pop()
            try:
                fn()
            except Exception:  # noqa: BLE001 - best effort at shutdown
                pass

    def __enter__(self) -> "ExecutorHandle":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_executor(kind: str = "processes", workers: int | None = None,
                  scheduler: str | None = None, *, wait_for_workers: float = 60.0
                  ) -> ExecutorHandle:
    """Make an executor. `scheduler` (an address such as tcp://host:8786) implies Dask."""
    if scheduler is not None:
        kind = "dask"
    if kind not in KINDS:
        raise InputError(f"unknown executor '{kind}'; choose one of {', '.join(KINDS)}.")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}.")
    if kind == "serial":
        return ExecutorHandle("serial", SerialExecutor(), "serial (in this process)", 1)
    n = workers or default_workers()
    if kind == "processes":
        # forkserver: no fork of a threaded parent (tqdm, Dask); workers start from a
        # server that has already imported the model.
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["sim.sweep.task", "sim.api"])
        pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_worker_init)
        handle = ExecutorHandle("processes", pool, f"process pool, {n} worker(s)", n)
        handle._close.append(lambda: pool.shutdown(wait=True, cancel_futures=True))
        return handle
    return _open_dask(n, scheduler, workers_given=workers is not None,
                      wait_for_workers=wait_for_workers)


#: Dask settings for the LocalCluster started here. A sweep task is one long pure-Python
#: call: the worker's sampling profiler (every 10 ms) and its 20 ms event-loop tick
#: take the GIL from it. Measured on the baseline, 2 workers: 76-80 ms CPU per run
#: with the defaults, 69.5 ms with these, 67 ms on a process pool.
QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1000ms",
    "distributed.admin.system-monitor.interval": "2000ms",
    "distributed.worker.memory.monitor-interval": "1000ms",
}


def _open_dask(n: int, scheduler: str | None, *, workers_given: bool,
               wait_for_workers: float) -> ExecutorHandle:
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as err:  # pragma: no cover - declared dependency
        raise InputError(f"the dask executor needs dask.distributed ({err}).") from None
    closers: list[Callable[[], None]] = []
    if scheduler is None:
        # (distributed is imported above, so its defaults are loaded before this
        # override: dask.config.set restores them on exit)
        with dask.config.set(QUIET_WORKERS):
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
        closers += [cluster.close, client.close]
        desc = f"Dask LocalCluster, {n} worker process(es)"
    else:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as err:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler} ({err}); start "
                             "it with `dask scheduler` and give the address it prints.") from None
        closers.append(client.close)
        try:
            client.wait_for_workers(n if workers_given else 1, timeout=wait_for_workers)
        except (TimeoutError, OSError):
            client.close()
            raise InputError(f"no Dask worker joined the scheduler at {scheduler} within "
                             f"{wait_for_workers:g} s; start some with `dask worker "
                             f"{scheduler}`.") from None
        desc = f"Dask scheduler {scheduler}"
    executor = client.get_executor(pure=False)
    handle = ExecutorHandle("dask", executor, desc, n, _client=client)
    handle._close = closers
    handle._close.append(lambda: executor.shutdown(wait=False))
    return handle
