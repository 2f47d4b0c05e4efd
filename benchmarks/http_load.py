"""A lean HTTP/1.1 load generator for the API benchmark: ``clients`` keep-alive connections on
one asyncio loop (uvloop when installed), each sending its next request as soon as the answer to
the previous one is read — a closed loop, as many requests in flight as clients — or, paced
(``rate``), at fixed moments that together offer ``rate`` requests per second.

It writes prepared request bytes and reads only the status line, ``Content-Length`` and the
body, so that it costs a small fraction of a millisecond of CPU per request: an ``httpx`` client
on the same two cores cost about 10 ms per request, as much as the server it measured. A
connection the server closes is counted (``dropped``) and opened again, never fatal; a response
with status >= 400 is counted in ``errors``.

Also measured per run: the CPU time (user + system) of this process, of the server's processes
and of the database's backends (Linux ``/proc``; ``None`` elsewhere), and the load average.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import resource
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

#: builds the bytes of request ``n`` (a whole HTTP/1.1 request, keep-alive)
RequestMaker = Callable[[int], bytes]


def request_bytes(
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes = b"",
    host: str = "127.0.0.1",
) -> bytes:
    """One HTTP/1.1 request, ``Content-Length`` set when it has a body.

    >>> request_bytes("GET", "/health", {})
    b'GET /health HTTP/1.1\\r\\nhost: 127.0.0.1\\r\\n\\r\\n'
    """
    lines = [f"{method} {target} HTTP/1.1", f"host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body:
        lines.append(f"content-length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _content_length(head: bytes) -> tuple[int, bool]:
    """The body length and whether the server keeps the connection open."""
    length, keep = 0, True
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            keep = False
        elif name == b"transfer-encoding":
            raise ValueError("chunked responses are not expected from the API")
    return length, keep


async def _closed_loop(
    host: str,
    port: int,
    clients: int,
    seconds: float,
    make: RequestMaker,
    rate: float | None = None,
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    dropped = 0
    counter = itertools.count()
    began = time.perf_counter()
    deadline = time.monotonic() + seconds
    # paced: each client sends every clients / rate seconds, the clients' phases spread evenly
    interval = clients / rate if rate else 0.0
    phases = itertools.count()

    async def one_client() -> None:
        nonlocal dropped
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        next_at = began + interval * next(phases) / clients
        while time.monotonic() < deadline:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            assert reader is not None
            data = make(next(counter))
            started = time.perf_counter()
            if interval:
                if next_at > started:
                    await asyncio.sleep(next_at - started)
                # latency counts from the scheduled moment: a client held up by a slow answer
                # does not hide the wait (no coordinated omission)
                started, next_at = next_at, next_at + interval
            try:
                writer.write(data)
                head = await reader.readuntil(b"\r\n\r\n")
                length, keep = _content_length(head)
                if length:
                    await reader.readexactly(length)
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                dropped += 1
                writer.close()
                writer = None
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            status = int(head[9:12])
            statuses[status] = statuses.get(status, 0) + 1
            if not keep:
                writer.close()
                writer = None
        if writer is not None:
            writer.close()

    await asyncio.gather(*(one_client() for _ in range(clients)))
    elapsed = time.perf_counter() - began
    return {
        "latencies": latencies,
        "statuses": statuses,
        "dropped": dropped,
        "elapsed": elapsed,
    }


def _runner() -> Callable[[Any], Any]:
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    return uvloop.run


def process_cpu(pids: Iterable[int]) -> dict[int, float]:
    """CPU seconds (user + system) of each process that can be read (Linux ``/proc``)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    found: dict[int, float] = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants (Linux ``/proc``; only ``root`` elsewhere)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*/stat") if Path("/proc").is_dir() else []:
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(entry.parent.name)] = int(fields[1])
    tree, grown = {root}, True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        grown = bool(more)
        tree |= more
    return sorted(tree)


def machine_cpu() -> tuple[float, float] | None:
    """Busy and total CPU seconds of the whole machine since boot, every core and process
    together (Linux ``/proc/stat``; ``None`` elsewhere): what the per-process figures leave
    out shows in the difference."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and waiting for I/O
    return (sum(fields) - idle) / tick, sum(fields) / tick


def _spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings; a process that appeared counts from zero."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def closed_loop(
    host: str,
    port: int,
    clients: int,
    seconds: float,
    make: RequestMaker,
    server_pids: Callable[[], list[int]] = list,
    database_pids: Callable[[], list[int]] = list,
    rate: float | None = None,
) -> dict[str, Any]:
    """Run the load and summarise it: requests, errors (status >= 400), dropped connections,
    requests per second, latency percentiles (ms) and CPU milliseconds per request of the load
    generator, the server and the database, the CPU seconds of each server process (how evenly
    the workers shared the load), the whole machine's busy share and CPU per request, with the
    load average before and after.

    With ``rate`` the load is paced: the clients together send ``rate`` requests per second,
    each at fixed moments (a client whose previous answer came late sends at once), and a
    request's latency counts from its scheduled moment — the latency at that throughput,
    not the queue a closed loop builds (mean latency = clients / throughput)."""
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    server_before = process_cpu(server_pids())
    database_before = process_cpu(database_pids())
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    machine_before = machine_cpu()
    raw = _runner()(_closed_loop(host, port, clients, seconds, make, rate))
    machine_after = machine_cpu()
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    server_after = process_cpu(server_pids())
    server = _spent(server_before, server_after)
    # how evenly the workers shared the load (the supervisor's own share is near zero)
    per_server_process = sorted(
        (round(seconds - server_before.get(pid, 0.0), 2) for pid, seconds in server_after.items()),
        reverse=True,
    )
    database = _spent(database_before, process_cpu(database_pids()))
    own = (own_after.ru_utime - own_before.ru_utime) + (own_after.ru_stime - own_before.ru_stime)
    ordered = sorted(raw["latencies"])
    count = len(ordered)

    def pct(p: float) -> float | None:
        return round(ordered[min(count - 1, int(count * p))], 1) if count else None

    def per_request(cpu: float) -> float | None:
        return round(cpu * 1000 / count, 2) if count and cpu else None

    return {
        "offered_requests_per_second": rate,
        "requests": count,
        "errors": sum(n for status, n in raw["statuses"].items() if status >= 400),
        "statuses": {str(k): v for k, v in sorted(raw["statuses"].items())},
        "dropped_connections": raw["dropped"],
        "requests_per_second": round(count / raw["elapsed"], 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(sum(ordered) / count, 1) if count else None,
        "cpu_seconds": {
            "load_generator": round(own, 2),
            "server": round(server, 2),
            "database": round(database, 2),
        },
        "server_process_cpu_seconds": per_server_process,
        # every process of the machine together (the kernel's share, other services)
        "machine": None
        if machine_before is None or machine_after is None
        else {
            "busy_percent": round(
                100
                * (machine_after[0] - machine_before[0])
                / max(machine_after[1] - machine_before[1], 1e-9),
                1,
            ),
            "cpu_ms_per_request": per_request(machine_after[0] - machine_before[0]),
        },
        "cpu_ms_per_request": {
            "load_generator": per_request(own),
            "server": per_request(server),
            "database": per_request(database),
            "total": per_request(own + server + database),
        },
        "load_average": {
            "before": None if load_before is None else [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()] if load_before else None,
        },
    }
