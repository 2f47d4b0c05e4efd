"""A consumer process of the outbox, for tests/integration/test_outbox_consumers.py.

``python -m tests.outbox_consumer URL NAME LOG LEASE_SECONDS MODE``: logs every message it is
handed (id, attempts, when) as a JSON line. ``MODE`` ``victim``: claim one batch, say "claimed",
then wait to be killed without acknowledging; ``consume``: claim, log and acknowledge until
nothing is pending.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from typing import TextIO

from xs_app import bootstrap
from xs_core.events import OutboxMessage

VICTIM_BATCH = 50


def _record(out: TextIO, batch: list[OutboxMessage]) -> None:
    now = time.time()
    for m in batch:
        out.write(json.dumps({"id": m.id, "attempts": m.attempts, "at": now}) + "\n")
    out.flush()


def main(url: str, name: str, log: str, lease_seconds: str, mode: str) -> None:
    xs = bootstrap(database_url=url, migrate_database=False)
    lease = dt.timedelta(seconds=float(lease_seconds))
    with open(log, "a", encoding="utf-8") as out:
        if mode == "victim":
            _record(out, xs.outbox.claim(consumer=name, limit=VICTIM_BATCH, lease=lease))
            print("claimed", flush=True)
            time.sleep(600)  # killed before it acknowledges
        idle_since: float | None = None
        while True:
            batch = xs.outbox.claim(consumer=name, limit=100, lease=lease)
            if batch:
                _record(out, batch)
                xs.outbox.acknowledge([m.id for m in batch])
                idle_since = None
                continue
            if not xs.outbox.pending(1):
                break  # everything acknowledged
            idle_since = idle_since or time.time()
            if time.time() - idle_since > 60:
                raise SystemExit("gave up waiting for leased messages")
            time.sleep(0.2)
    xs.close()


if __name__ == "__main__":
    main(*sys.argv[1:6])
