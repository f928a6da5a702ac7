"""The Ray engine: batches go to a pool of Ray actors, one per CPU of the cluster.

Each actor is a long-lived worker process, so what a function caches per process (the spaCy pipeline)
is loaded once per worker, not once per batch. Batches are handed to whichever actor is free, at most
two per actor in flight, and their results come back in input order.

``address`` names an existing cluster (``ray://host:10001`` or ``host:6379``), whose workers must have
storyline and the spaCy model installed; without it a local Ray is started with one worker per core and
stopped when the engine closes. If this process is already connected to Ray (a test, a notebook), that
connection is used and left open.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConfigError, MissingDependencyError
from . import BatchFn, Engine, R, T, batched, cpu_count

# Batches in flight per actor: one running, one waiting, so no actor idles between batches.
IN_FLIGHT_PER_WORKER = 2
# Ray retries an unreachable cluster for minutes; a reachable one answers a TCP connect at once.
CONNECT_TIMEOUT_SECONDS = 5


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise MissingDependencyError("Ray", "ray") from exc
    return ray


def check_reachable(address: str) -> None:
    """Fail fast, naming the address, when nothing listens at ``host:port`` or ``ray://host:port``
    (other forms, such as ``auto``, are left to Ray)."""
    parts = urlsplit(address if "://" in address else f"//{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise ConfigError(f"{address!r} is not a Ray address (host:port or ray://host:port)") from None
    if not host or not port:
        return
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_SECONDS).close()
    except OSError as exc:
        raise ConfigError(f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}") from exc


class _Worker:
    """What runs inside each actor: any batch function, with the per-process caches it fills."""

    def run(self, fn: BatchFn[Any, Any], batch: list[Any]) -> Any:
        return fn(batch)


class RayEngine(Engine):
    name = "ray"

    def __init__(self, address: str | None = None, *, workers: int | None = None) -> None:
        ray = self._ray = _ray()
        self._started = False
        if not ray.is_initialized():
            # Quiet: no dashboard, no worker output copied to this terminal, only errors logged.
            quiet: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.ERROR}
            try:
                if address:
                    check_reachable(address)
                    ray.init(address=address, **quiet)
                else:
                    # "local" even when RAY_ADDRESS is set: without --ray-address the run stays here.
                    cpus = max(cpu_count(), workers or 1)
                    ray.init(address="local", num_cpus=cpus, include_dashboard=False, **quiet)
            except ConnectionError as exc:
                raise ConfigError(f"cannot connect to the Ray cluster at {address}: {exc}") from exc
            self._started = True
        cpus = int(ray.cluster_resources().get("CPU", 1))
        # No more actors than CPUs: an actor waiting for a CPU that never frees would hang the run.
        self._workers = max(1, min(workers or cpus, cpus))
        self._actors: list[Any] = []

    @property
    def workers(self) -> int:
        return self._workers

    def _pool(self) -> Any:
        from ray.util import ActorPool

        if not self._actors:
            actor = self._ray.remote(num_cpus=1)(_Worker)
            self._actors = [actor.remote() for _ in range(self._workers)]
        return ActorPool(self._actors)

    def map_batches(self, fn: BatchFn[T, R], items: Iterable[T], batch_size: int) -> Iterator[R]:
        pool = self._pool()
        fn_ref = self._ray.put(fn)  # shipped once, not with every batch
        in_flight = 0
        try:
            for batch in batched(items, batch_size):
                pool.submit(lambda actor, b: actor.run.remote(fn_ref, b), batch)
                in_flight += 1
                if in_flight >= IN_FLIGHT_PER_WORKER * self._workers:
                    in_flight -= 1
                    yield self._next(pool)
            while in_flight:
                in_flight -= 1
                yield self._next(pool)
        finally:
            if in_flight:
                # Stopped early (an error, a closed generator): drop the actors, their queue with them.
                self._kill_actors()

    def _next(self, pool: Any) -> Any:
        try:
            result = pool.get_next()
        except self._ray.exceptions.RayTaskError as exc:
            # The worker's own exception (same type and message), not Ray's wrapper.
            raise exc.as_instanceof_cause() from None
        return result

    def _kill_actors(self) -> None:
        for actor in self._actors:
            self._ray.kill(actor)
        self._actors = []

    def close(self) -> None:
        if self._ray.is_initialized():
            self._kill_actors()
            if self._started:
                self._ray.shutdown()
        self._started = False
