"""The worker processes of ``xs serve --workers N`` (R7.1): one listening socket each.

uvicorn's own supervisor binds one socket and lets every worker accept from it. Connections that
arrive together — a load balancer opening its pool, 50 clients starting at once — then go to
whichever worker wakes first, which accepts all it can: in the API benchmark one worker served
1.7–5.7 times the requests of the other, and the busy one's queue made the tail latency. Here
every worker binds its own socket to the same address with ``SO_REUSEPORT``, and the kernel
spreads new connections over the workers by a hash of each connection's addresses.

The supervisor (the ``xs serve`` process) first checks that nothing holds the address — a plain
bind, which fails when any socket is bound there, even another ``xs serve``'s with
``SO_REUSEPORT`` — and then binds it itself with ``SO_REUSEPORT``, without listening, so the port
stays reserved to these workers while they start and restart (the kernel admits only sockets of
the same user to the group). A taken port fails at once, on one line. It replaces a worker
that dies, stops when one cannot start, and on ``SIGINT``/``SIGTERM`` stops them all. Where the
platform has no ``SO_REUSEPORT`` (not Linux), ``xs serve`` keeps uvicorn's own supervisor.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
import time
from multiprocessing.process import BaseProcess
from typing import Any

log = logging.getLogger("xs.web.workers")

#: The application every worker serves (a factory reading the ``XS_*`` environment).
APP = "xs_app.web.server:app_from_environ"
#: A worker that exits this soon after it was started could not start: the supervisor stops.
STARTUP_SECONDS = 10.0
#: How long stopping workers may take before they are killed.
STOP_SECONDS = 30.0


def reuse_port_available() -> bool:
    """Whether workers can each bind the address (``SO_REUSEPORT`` spreading connections)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    """IPv6 for an address with a colon, else IPv4."""
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def bound_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` with ``SO_REUSEPORT`` (not listening yet)."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def free_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` for the workers' group; ``OSError`` (address in use) when
    any socket holds the address already — also one with ``SO_REUSEPORT``, which a second bind
    with ``SO_REUSEPORT`` would silently join."""
    if port:
        with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is free
            probe.bind((host, port))
    return bound_socket(host, port)


def _worker(host: str, port: int, options: dict[str, Any]) -> None:  # pragma: no cover
    """One worker process: its own socket, uvicorn serving the application on it."""
    import uvicorn

    sock = bound_socket(host, port)
    config = uvicorn.Config(APP, factory=True, **options)
    uvicorn.Server(config).run(sockets=[sock])


class WorkerFailed(RuntimeError):
    """A worker exited before it could serve."""


def serve_workers(host: str, port: int, workers: int, options: dict[str, Any]) -> None:
    """Run ``workers`` worker processes on ``host:port`` until ``SIGINT``/``SIGTERM``.
    ``OSError`` when the address cannot be bound; :class:`WorkerFailed` when a worker exits
    within :data:`STARTUP_SECONDS` of its start."""
    guard = free_socket(host, port)  # fails fast; reserves the port; never listens
    port = guard.getsockname()[1]
    context = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def start() -> tuple[BaseProcess, float]:
        process = context.Process(target=_worker, args=(host, port, options), daemon=False)
        process.start()
        return process, time.monotonic()

    def stop(signum: int, frame: object) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    running = [start() for _ in range(workers)]
    try:
        while not stopping.wait(0.5):
            for slot, (process, started) in enumerate(running):
                if process.is_alive() or stopping.is_set():  # Ctrl-C reaches workers too
                    continue
                if time.monotonic() - started < STARTUP_SECONDS:
                    raise WorkerFailed(f"worker exited with {process.exitcode} while starting")
                log.warning("worker %s exited with %s; replaced", process.pid, process.exitcode)
                running[slot] = start()
    finally:
        for process, _ in running:
            if process.is_alive():
                process.terminate()  # uvicorn finishes the requests in hand
        deadline = time.monotonic() + STOP_SECONDS
        for process, _ in running:
            process.join(max(deadline - time.monotonic(), 0.1))
            if process.is_alive():
                process.kill()
                process.join()
        guard.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


__all__ = ["WorkerFailed", "bound_socket", "free_socket", "reuse_port_available", "serve_workers"]
