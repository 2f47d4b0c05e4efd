"""SQLite: a billing run's activity lines (R4.4, R5.1, R2.3) in three statements and no ranking.

PostgreSQL ranks each released activity's running employments with a window function
(``xs_adapters.sql.billing``). On SQLite that ranking — a sort of every activity with its
employments — was the largest part of a run, and the line ``INSERT`` then joined each candidate
to the agreements, the price categories and the bases again. Here instead:

1. *the run's employees*: every employee with exactly one employment overlapping the window,
   with that employment's period and the run's basis of its employer (none if the employer is
   not billed in this run). On any day of the window such an employee's customer is that
   employer while the employment runs, and nobody otherwise: there is nothing to rank (R2.3).
   Employees with more employments are left to a correlated lookup that ranks their running
   employments the same way (leading first, then the earliest start, then the id);
2. *the run's tariff*: each basis's customer-paid prices with the period of the agreement that
   sets them (R5.1: agreements of one customer that overlap never price the same type);
3. *the candidates*, a slice of the window's days at a time (``SLICE_ACTIVITIES``: the
   temporary table holds one slice, so memory does not grow with the activities billed): each
   released activity of the slice not on a line yet, with its basis and its price (none if no
   price category covers it), in the order of the activity's id — so that the line ``INSERT``
   fills the line table's key in order, as a bare copy would (the employees' table is keyed by
   the employee alone, ``WITHOUT ROWID``, and the tariff's index covers it: each candidate's two
   lookups are one index search each, no row fetched after);

then each slice's lines are copied from its candidates, and the counts and totals per basis are
added up from them too (checked against the number of lines written; the line table is read
instead if they differ). The temporary tables are dropped at the end.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterator
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xs_adapters.sql.amounts import SPLIT, total_cents
from xs_core.agenda.model import ActivityStatus
from xs_core.billing.contracts import Payer
from xs_core.dates import DateRange

_TABLES = (
    "CREATE TEMPORARY TABLE _xs_billing_employees ("
    " employee_id CHAR(32) PRIMARY KEY, employer_id CHAR(32) NOT NULL,"
    " start_date DATE NOT NULL, end_date DATE, invoice_basis_id CHAR(32)) WITHOUT ROWID",
    "CREATE TEMPORARY TABLE _xs_billing_tariff ("
    " invoice_basis_id CHAR(32) NOT NULL, activity_type VARCHAR(60) NOT NULL,"
    " starts_on DATE NOT NULL, ends_on DATE, price BIGINT NOT NULL)",
    "CREATE INDEX temp._xs_billing_tariff_basis ON _xs_billing_tariff"
    " (invoice_basis_id, activity_type, starts_on, ends_on, price)",
    "CREATE TEMPORARY TABLE _xs_billing_priced ("
    " activity_id CHAR(32) NOT NULL, invoice_basis_id CHAR(32) NOT NULL,"
    " activity_type VARCHAR(60) NOT NULL, performed_on DATE NOT NULL,"
    " employee_id CHAR(32) NOT NULL, price BIGINT)",
)

_DROP = (
    "DROP TABLE temp._xs_billing_priced",
    "DROP TABLE temp._xs_billing_tariff",
    "DROP TABLE temp._xs_billing_employees",
)

# ``:start`` and ``:end`` bound the window (ISO dates, as SQLite stores them)
_EMPLOYEES = """
INSERT INTO _xs_billing_employees
SELECT one.employee_id, one.employer_id, one.start_date, one.end_date, b.id
FROM (
    SELECT employee_id, max(employer_id) AS employer_id, max(start_date) AS start_date,
           max(end_date) AS end_date
    FROM employments
    WHERE start_date < :end AND (end_date IS NULL OR end_date > :start)
    GROUP BY employee_id
    HAVING count(*) = 1
) AS one
LEFT JOIN invoice_bases AS b ON b.run_id = :run AND b.employer_id = one.employer_id
"""

_TARIFF = """
INSERT INTO _xs_billing_tariff
SELECT b.id, p.activity_type, g.starts_on, g.ends_on, p.price
FROM invoice_bases AS b
JOIN service_agreements AS g
  ON g.employer_id = b.employer_id AND g.starts_on < :end
 AND (g.ends_on IS NULL OR g.ends_on > :start)
JOIN price_categories AS p ON p.contract_model_id = g.contract_model_id AND p.payer = :payer
WHERE b.run_id = :run
"""

# The basis of an activity: its one employment's (if that runs on the day), or — for an
# employee with more employments in the window — the basis of the employer of the running
# employment ranked first (R2.3: the leading one, then the earliest start, then the id). The
# anti-join on the line table's key leaves out what is billed before anything else is looked up.
_CANDIDATES = """
INSERT INTO _xs_billing_priced
SELECT x.id, x.basis, x.activity_type, x.performed_on, x.employee_id,
       (SELECT t.price FROM _xs_billing_tariff AS t
        WHERE t.invoice_basis_id = x.basis AND t.activity_type = x.activity_type
          AND t.starts_on <= x.performed_on
          AND (t.ends_on IS NULL OR t.ends_on > x.performed_on))
FROM (
    SELECT a.id AS id, a.activity_type AS activity_type, a.performed_on AS performed_on,
           a.employee_id AS employee_id,
           CASE WHEN m.employee_id IS NOT NULL THEN
               CASE WHEN m.start_date <= a.performed_on
                     AND (m.end_date IS NULL OR m.end_date > a.performed_on)
                    THEN m.invoice_basis_id END
           ELSE (
               SELECT b.id FROM invoice_bases AS b
               WHERE b.run_id = :run AND b.employer_id = (
                   SELECT e.employer_id FROM employments AS e
                   WHERE e.employee_id = a.employee_id AND e.start_date <= a.performed_on
                     AND (e.end_date IS NULL OR e.end_date > a.performed_on)
                   ORDER BY e.is_leading DESC, e.start_date, e.id
                   LIMIT 1))
           END AS basis
    FROM activities AS a
    LEFT JOIN _xs_billing_employees AS m ON m.employee_id = a.employee_id
    WHERE a.status = :released AND a.performed_on >= :first AND a.performed_on < :until
      AND NOT EXISTS (
          SELECT 1 FROM invoice_activity_lines AS billed WHERE billed.activity_id = a.id)
) AS x
WHERE x.basis IS NOT NULL
ORDER BY x.id
"""

_LINES = """
INSERT INTO invoice_activity_lines
    (activity_id, invoice_basis_id, activity_type, performed_on, employee_id, amount)
SELECT activity_id, invoice_basis_id, activity_type, performed_on, employee_id, price
FROM _xs_billing_priced
WHERE price IS NOT NULL
ON CONFLICT DO NOTHING
"""

_EMPTY = "DELETE FROM _xs_billing_priced"

_SUMS = f"""
SELECT invoice_basis_id, count(*) - count(price), count(price),
       sum(price / {SPLIT}), sum(price % {SPLIT})
FROM _xs_billing_priced
GROUP BY invoice_basis_id
"""


#: The candidates are written, copied and added up in slices of the window's days holding about
#: this many released activities each: the temporary table holds one slice, not the window
#: (SQLite keeps temporary tables in memory here, ``temp_store=MEMORY``), so a run's memory
#: does not grow with the activities it bills. Each slice costs its statements again, and its
#: lines spread over the whole line key: one slice for up to this many.
SLICE_ACTIVITIES = 100_000

_RELEASED = """
SELECT count(*) FROM activities
WHERE status = :released AND performed_on >= :start AND performed_on < :end
"""


def _slices(start: _dt.date, end: _dt.date, activities: int) -> Iterator[tuple[_dt.date, _dt.date]]:
    """``[start, end)`` in consecutive slices of equal length (the last shorter), as many as
    ``activities`` fill :data:`SLICE_ACTIVITIES` each."""
    count = max(1, -(-activities // SLICE_ACTIVITIES))
    step = _dt.timedelta(days=max(1, -(-(end - start).days // count)))
    while start < end:
        until = min(start + step, end)
        yield start, until
        start = until


class ActivityLines(NamedTuple):
    """What :func:`add_activity_lines` wrote: the lines added, the candidates left unbilled
    (no price category), and — when every priced candidate became a line — the lines and
    cents per basis (``None``: read them from the line table)."""

    added: int
    unbilled: int
    totals: dict[uuid.UUID, tuple[int, int]] | None


def add_activity_lines(c: Connection, window: DateRange, run_id: uuid.UUID) -> ActivityLines:
    """R4.4: the priced lines of the released activities of ``window`` not billed yet, for
    the customers that have a basis in run ``run_id`` (SQLite; see the module)."""
    if window.end is None:  # the services refuse open windows before they get here
        raise ValueError("a billing run needs a window with an end")
    params: dict[str, Any] = {
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "run": run_id.hex,
        "payer": Payer.EMPLOYER.value,
        "released": ActivityStatus.RELEASED.value,
    }
    for statement in _TABLES:
        c.exec_driver_sql(statement)
    for statement in (_EMPLOYEES, _TARIFF):
        c.execute(sa.text(statement), params)
    added = unbilled = priced = 0
    totals: dict[uuid.UUID, tuple[int, int]] = {}
    candidates = sa.text(_CANDIDATES)
    released = int(c.execute(sa.text(_RELEASED), params).scalar_one())
    for first, until in _slices(window.start, window.end, released):
        c.execute(candidates, {**params, "first": first.isoformat(), "until": until.isoformat()})
        added += int(c.exec_driver_sql(_LINES).rowcount)
        for basis, unpriced, lines, high, low in c.exec_driver_sql(_SUMS):
            unbilled += unpriced
            priced += lines
            if lines:
                key = uuid.UUID(basis)
                count, cents = totals.get(key, (0, 0))
                totals[key] = (count + lines, cents + total_cents((high, low), "sqlite"))
        c.exec_driver_sql(_EMPTY)
    for statement in _DROP:
        c.exec_driver_sql(statement)
    # Every candidate is one activity, so each priced one is a line unless its key was taken
    # meanwhile — which the run's write lock rules out; should it happen, the sums would not
    # be the lines', and ``finish_run`` reads the line table instead.
    return ActivityLines(added, unbilled, totals if priced == added else None)
