"""Where a batch's scenario weeks are solved: this machine's processes or a Dask cluster.

A :class:`Backend` is an executor and a way to share data (the batch's matrices) with its
workers; :func:`make_backend` picks one from the settings.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from types import TracebackType
from typing import Any, TypeVar, cast

from solver.week import default_workers

T = TypeVar("T")


class InlineExecutor(Executor):
    """Runs each call at once in this process (one worker: no process start-up, no pickling)."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Run ``fn(*args, **kwargs)`` now; its result (or exception) is in the future."""
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to the caller through the future
            future.set_exception(error)
        return future


class Backend(ABC):
    """Where scenario weeks are solved: an executor and a way to share data with workers."""

    name: str = "backend"

    @property
    @abstractmethod
    def workers(self) -> int:
        """How many weeks may be solved at once."""

    @abstractmethod
    def executor(self) -> Executor:
        """The executor tasks are submitted to (opened on first use)."""

    def share(self, value: T) -> T:
        """``value`` made available to every worker (local backends: the value itself)."""
        return value

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release processes or connections."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class LocalBackend(Backend):
    """Worker processes on this machine (``workers == 1``: in this process)."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self._workers = max(1, workers or default_workers())
        self._executor: Executor | None = None

    @property
    def workers(self) -> int:
        """Worker processes (1: in-process)."""
        return self._workers

    def executor(self) -> Executor:
        """In-process for one worker, else a process pool."""
        if self._executor is None:
            self._executor = (
                InlineExecutor()
                if self._workers == 1
                else ProcessPoolExecutor(max_workers=self._workers)
            )
        return self._executor

    def close(self) -> None:
        """Shut the pool down."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


class DaskBackend(Backend):
    """A Dask distributed cluster: at ``address`` (e.g. ``tcp://scheduler:8786``) or a client.

    The matrices are scattered to every worker once; tasks go through the client's
    ``concurrent.futures`` executor. Workers need dagrute installed (same version).
    """

    name = "dask"

    def __init__(self, address: str | None = None, client: Any = None) -> None:
        if address is None and client is None:
            raise ValueError("DaskBackend needs an address or a client.")
        self._address = address
        self._client = client
        self._owns_client = client is None

    @property
    def client(self) -> Any:
        """The ``distributed.Client`` (connected on first use)."""
        if self._client is None:
            from distributed import Client  # heavy import, only when Dask is used

            self._client = Client(self._address)  # type: ignore[no-untyped-call]
        return self._client

    @property
    def workers(self) -> int:
        """Worker threads the cluster offers (at least 1)."""
        info = self.client.scheduler_info()
        return max(1, sum(int(w.get("nthreads", 1)) for w in info["workers"].values()))

    def executor(self) -> Executor:
        """The client's ``concurrent.futures`` executor (impure: every task runs)."""
        return cast(Executor, self.client.get_executor(pure=False))

    def share(self, value: T) -> T:
        """Scatter ``value`` to every worker; tasks receive the value (Dask resolves it)."""
        return cast(T, self.client.scatter(value, broadcast=True, hash=False))

    def close(self) -> None:
        """Close the client if this backend opened it."""
        if self._owns_client and self._client is not None:
            self._client.close()
            self._client = None


def make_backend(workers: int | None = None, dask_address: str | None = None) -> Backend:
    """Dask at ``dask_address`` when given, else local processes (``workers``, default cores)."""
    if dask_address:
        return DaskBackend(dask_address)
    return LocalBackend(workers)
