"""What the evaluation of a participant reads, as one text computed by the database (R6.6):
the employee's birth date, employments at the policy's employer with their versions, sickness
trajectories with their last recovery report, and manual registrations in the policy — prefixed
by the key of the conditions and parameter tables the service passes.

A run compares it with the text stored when the participant was last evaluated
(``policy_participant_inputs``) and evaluates only those whose text changed: a repeated run reads
a few index ranges per employee in SQL and builds no domain objects. The text is made per dialect
(SQLite's ``group_concat`` over an ordered subquery, PostgreSQL's ``string_agg … ORDER BY``);
both compare only with texts made by the same database.
"""

from __future__ import annotations


def _text(column: str) -> str:
    return f"COALESCE(CAST({column} AS TEXT), '-')"


def _joined(dialect: str, expression: str, source: str, order: str, separator: str) -> str:
    """The values of ``expression`` over the rows of ``source`` (FROM … WHERE …), in ``order``,
    joined by ``separator``; NULL when there are none."""
    if dialect == "postgresql":
        return f"(SELECT string_agg({expression}, '{separator}' ORDER BY {order}) FROM {source})"
    return (
        f"(SELECT group_concat(x, '{separator}') FROM "
        f"(SELECT {expression} AS x FROM {source} ORDER BY {order}))"
    )


def inputs_expression(dialect: str) -> str:
    """The inputs of the participant ``e.employee_id`` of policy ``:policy_id`` at employer
    ``:employer_id``, prefixed by ``:key``."""
    versions = _joined(
        dialect,
        f"{_text('v.valid_from')} || ',' || {_text('v.valid_until')} || ',' || "
        f"v.employment_type || ',' || {_text('v.salary')}",
        "employment_versions v WHERE v.employment_id = m.id",
        "v.valid_from",
        "/",
    )
    # by the employee's index: SQLite would otherwise walk the employer's (employer_id,
    # start_date) index for the ORDER BY, every employment of the employer per employee
    employer = "+m.employer_id" if dialect == "sqlite" else "m.employer_id"
    employments = _joined(
        dialect,
        f"{_text('m.id')} || ',' || {_text('m.start_date')} || ',' || {_text('m.end_date')} "
        f"|| ',' || {_text('m.is_leading')} || ':' || COALESCE({versions}, '')",
        f"employments m WHERE m.employee_id = e.employee_id AND {employer} = :employer_id",
        "m.start_date, m.id",
        ";",
    )
    last_report = (
        f"(SELECT {_text('r.date')} || ',' || {_text('r.recovered_percentage')} "
        "FROM recovery_reports r WHERE r.trajectory_id = t.id ORDER BY r.date DESC LIMIT 1)"
    )
    sickness = _joined(
        dialect,
        f"{_text('t.start_date')} || ',' || {_text('t.end_date')} || ',' || "
        f"COALESCE({last_report}, '-')",
        "trajectories t WHERE t.employee_id = e.employee_id AND t.kind = 'sickness'",
        "t.start_date, t.id",
        ";",
    )
    manual = _joined(
        dialect,
        f"{_text('g.start_date')} || ',' || {_text('g.end_date')} || ',' || "
        f"{_text('g.included')} || ',' || CAST(LENGTH(COALESCE(g.note, '')) AS TEXT) || ':' || "
        "COALESCE(g.note, '')",
        "policy_registrations g WHERE g.policy_id = :policy_id "
        "AND g.employee_id = e.employee_id AND g.source = 'manual'",
        "g.start_date",
        ";",
    )
    birth = f"(SELECT {_text('b.birth_date')} FROM employees b WHERE b.id = e.employee_id)"
    return (
        f":key || '#' || {birth} || '|' || COALESCE({employments}, '') || '|' || "
        f"COALESCE({sickness}, '') || '|' || COALESCE({manual}, '')"
    )


def chunk_employees(after: bool, last: bool) -> str:
    """The employees of ``:employer_id`` (``:after < id <= :last`` when given), as ``e``."""
    bounds = (" AND employee_id > :after" if after else "") + (
        " AND employee_id <= :last" if last else ""
    )
    return (
        f"(SELECT DISTINCT employee_id FROM employments WHERE employer_id = :employer_id{bounds}) e"
    )


def stale_query(dialect: str, after: bool, last: bool) -> str:
    """The employees of the chunk, with their inputs, whose inputs differ from those stored at
    their last evaluation, that were never evaluated, or whose last window began after
    ``:evaluated_from``."""
    # the chunk's bounds on the stored side too: an index range of the chunk whatever the
    # planner's statistics say (a first run fills the table as it goes)
    bounds = (" AND d.employee_id > :after" if after else "") + (
        " AND d.employee_id <= :last" if last else ""
    )
    return (
        "SELECT id, inputs FROM ("
        f"SELECT e.employee_id AS id, {inputs_expression(dialect)} AS inputs, "
        "d.inputs AS stored, d.evaluated_from AS since "
        f"FROM {chunk_employees(after, last)} "
        "LEFT JOIN policy_participant_inputs d "
        f"ON d.policy_id = :policy_id AND d.employee_id = e.employee_id{bounds}"
        ") q WHERE stored IS NULL OR since > :evaluated_from OR stored <> inputs "
        "ORDER BY id"
    )
