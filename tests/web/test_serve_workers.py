"""``xs serve --workers N`` on Linux (R7.1, :mod:`xs_app.web.workers`): real processes, each
worker listening on a socket of its own; a worker that dies is replaced; ``SIGTERM`` stops them
all; a taken port fails on one line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import xs
from tests.smtp_server import free_port
from tests.web.world import KEY
from xs_app.web import workers

pytestmark = pytest.mark.skipif(
    not workers.reuse_port_available(), reason="SO_REUSEPORT workers exist on Linux only"
)

#: Bounds for a process to start or stop on a loaded machine (not measurements).
START_TIMEOUT = 60.0
STOP_TIMEOUT = 40.0


def _xs() -> str:
    return str(Path(sys.executable).parent / "xs")


def _environ(database_url: str) -> dict[str, str]:
    return {**os.environ, "XS_DATABASE_URL": database_url, "XS_SECRET_KEY": KEY.decode()}


def _listening(port: int) -> int:
    """How many sockets listen on 127.0.0.1:``port`` (state 0A in /proc/net/tcp)."""
    local = f"0100007F:{port:04X}"
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for line in lines if line.split()[1] == local and line.split()[3] == "0A")


def _workers(pid: int) -> set[int]:
    """The worker processes of the ``xs serve`` process ``pid`` (spawned by multiprocessing;
    its resource tracker is a child too, but no worker)."""
    found = set()
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in command:
            found.add(int(child))
    return found


def _until(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_r7_1_two_workers_listen_each_on_their_own_socket_and_a_dead_one_is_replaced(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Two workers: two listening sockets on the port (the supervisor's own binds without
    listening); a worker killed after it started is replaced and the port keeps answering;
    SIGTERM to ``xs serve`` stops every worker and frees the port, exit code 0."""
    xs.bootstrap(sqlite_url, migrate_database=True, secret_key=KEY).close()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        [_xs(), "serve", "--port", str(port), "--workers", "2"],
        env=_environ(sqlite_url),
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    try:
        _until(lambda: _listening(port) == 2 and _healthy(url), START_TIMEOUT, "two workers")
        first = _workers(process.pid)
        assert len(first) == 2
        # a worker that dies sooner after its start counts as one that could not start
        time.sleep(workers.STARTUP_SECONDS + 1)
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        _until(
            lambda: victim not in _workers(process.pid) and len(_workers(process.pid)) == 2,
            START_TIMEOUT,
            "a replacement worker",
        )
        _until(lambda: _listening(port) == 2 and _healthy(url), START_TIMEOUT, "two workers again")
        assert process.poll() is None
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(STOP_TIMEOUT)
    assert code == 0, log.read_text()
    assert _listening(port) == 0
    assert "Traceback" not in log.read_text()


@pytest.mark.parametrize("reuse_port", [False, True], ids=["plain", "another-xs-serve"])
def test_r7_1_serve_on_a_taken_port_fails_on_one_line(sqlite_url: str, reuse_port: bool) -> None:
    """A port another program listens on — also one bound with ``SO_REUSEPORT`` as another
    ``xs serve`` would, which a second group member would silently join — refuses to start:
    exit code 1, one line naming the address, no traceback, no worker started."""
    xs.bootstrap(sqlite_url, migrate_database=True, secret_key=KEY).close()
    with socket.socket() as holder:
        if reuse_port:
            holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run(
            [_xs(), "serve", "--port", str(port), "--workers", "2"],
            env=_environ(sqlite_url),
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
        )
        assert _listening(port) == 1  # the holder's alone
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"127.0.0.1:{port}" in lines[0]
    assert "Traceback" not in done.stderr
