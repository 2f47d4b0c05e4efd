"""Several consumers of one subscription in parallel processes on PostgreSQL (R0.7).

10,000 events are committed; a first consumer claims a batch and is killed (SIGKILL) before it
acknowledges; three consumers then run at once until nothing is pending. Every message is
delivered, none is lost, none is handed to two live consumers, and the killed consumer's
messages come back — once, with ``attempts == 2`` — only after its lease expired.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.outbox_consumer import VICTIM_BATCH
from xs_app import bootstrap
from xs_core.organisation.events import DossierOpened
from xs_core.organisation.units import UnitKind

EVENTS = 10_000
VICTIM_LEASE = 3.0  # seconds


def _entries(log: Path) -> list[dict[str, float]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


@pytest.mark.postgres
def test_r0_7_parallel_consumers_deliver_every_message_once_and_a_killed_ones_after_its_lease(
    postgres_url: str, tmp_path: Path
) -> None:
    xs = bootstrap(database_url=postgres_url, migrate_database=False)
    with xs.unit_of_work() as uow:
        for n in range(EVENTS):
            uow.publish(
                DossierOpened(
                    dossier_id=uuid.uuid4(), unit_kind=UnitKind.EMPLOYEE, unit_id=uuid.UUID(int=n)
                )
            )
        uow.commit()
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), *sys.path])}

    def start(name: str, lease: float, mode: str = "consume") -> subprocess.Popen[str]:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.outbox_consumer",
                *(postgres_url, name, str(tmp_path / f"{name}.log"), str(lease), mode),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    victim = start("victim", VICTIM_LEASE, "victim")
    assert victim.stdout is not None
    line = victim.stdout.readline().strip()
    if line != "claimed":  # pragma: no cover - show why the victim failed
        victim.kill()
        pytest.fail(victim.communicate()[1])
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    killed = _entries(tmp_path / "victim.log")
    assert len(killed) == VICTIM_BATCH
    consumers = [start(f"consumer-{n}", 30.0) for n in range(3)]
    for process in consumers:
        _, errors = process.communicate(timeout=240)
        assert process.returncode == 0, errors
    delivered = [(n, e) for n in range(3) for e in _entries(tmp_path / f"consumer-{n}.log")]
    ids = [int(e["id"]) for _, e in delivered]
    assert sorted(ids) == list(range(1, EVENTS + 1))  # every message, none twice to the living
    assert all(n for n in (_entries(tmp_path / f"consumer-{k}.log") for k in range(3)))
    lost_by_victim = {int(e["id"]): e["at"] for e in killed}
    for _, entry in delivered:
        if int(entry["id"]) in lost_by_victim:
            assert entry["attempts"] == 2
            assert entry["at"] >= lost_by_victim[int(entry["id"])] + VICTIM_LEASE - 0.05
        else:
            assert entry["attempts"] == 1
    assert xs.outbox.pending(10) == []
    xs.close()
