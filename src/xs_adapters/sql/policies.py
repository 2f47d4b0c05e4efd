"""SQL repositories of policy registration (R6.1–R6.6): insurers, products, policies and
participant registrations.

Codes and policy numbers are unique by index (``policies.insurer_code_in_use``,
``policies.product_code_in_use``, ``policies.number_in_use``). Registrations of one employee in
one policy never overlap: on PostgreSQL an exclusion constraint (migration 0012) whose violation
becomes ``policies.registrations_overlap``; on every engine the repository checks it before it
writes (on SQLite under the single writer lock, so the check and the write are one step).
:func:`registration_values` and :func:`registration_from_row` are the one mapping of the table,
for every writer of it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xs_adapters.policy_codec import (
    codes,
    conditions_from_json,
    conditions_json,
    notes_from_codes,
    overrides_from_json,
    overrides_json,
    reasons_from_codes,
)
from xs_adapters.sql import tables as t
from xs_adapters.sql.conflicts import EXCLUSION_VIOLATION, sqlstate
from xs_adapters.sql.locking import lock_row
from xs_core.access.model import ResolvedScope
from xs_core.dates import DateRange
from xs_core.errors import Conflict, NotFound
from xs_core.events import Aggregate
from xs_core.organisation.search import normalise_code
from xs_core.policies.model import (
    InsuranceProduct,
    Insurer,
    Policy,
    ProductKind,
    Registration,
)
from xs_core.policies.participation import Source
from xs_core.policies.ports import ParticipantRow

Track = Callable[[Aggregate], None]

#: Ids per ``IN (…)`` list.
CHUNK = 5_000


def _missing(kind: str, ident: uuid.UUID) -> NotFound:
    return NotFound("not_found", {"kind": kind, "id": str(ident)})


def _exists(connection: Connection, table: sa.Table, ident: uuid.UUID) -> bool:
    return connection.execute(sa.select(table.c.id).where(table.c.id == ident)).first() is not None


def _unique(connection: Connection, statement: Any, refusal: Conflict) -> None:
    """Execute in a savepoint; a unique-index violation is ``refusal``."""
    try:
        with connection.begin_nested():
            connection.execute(statement)
    except sa.exc.IntegrityError:
        raise refusal from None


# -- insurers --------------------------------------------------------------------------------------


def _insurer(row: Any) -> Insurer:
    return Insurer(id=row.id, name=row.name, code=row.code)


class SqlInsurerRepository:
    def __init__(self, connection: Connection, track: Track) -> None:
        self._c = connection
        self._track = track

    def add(self, insurer: Insurer) -> None:
        statement = t.insurers.insert().values(
            id=insurer.id,
            name=insurer.name,
            code=insurer.code,
            code_norm=normalise_code(insurer.code),
        )
        _unique(
            self._c,
            statement,
            Conflict("policies.insurer_code_in_use", {"rule": "R6", "code": insurer.code}),
        )
        self._track(insurer)

    def get(self, insurer_id: uuid.UUID) -> Insurer:
        row = self._c.execute(sa.select(t.insurers).where(t.insurers.c.id == insurer_id)).first()
        if row is None:
            raise _missing("insurer", insurer_id)
        return _insurer(row)

    def list(self) -> list[Insurer]:
        rows = self._c.execute(sa.select(t.insurers).order_by(t.insurers.c.name, t.insurers.c.id))
        return [_insurer(r) for r in rows]


# -- products --------------------------------------------------------------------------------------


def _product(row: Any) -> InsuranceProduct:
    return InsuranceProduct(
        id=row.id,
        insurer_id=row.insurer_id,
        name=row.name,
        code=row.code,
        kind=ProductKind(row.kind),
        conditions=conditions_from_json(row.conditions, f"product {row.id}"),
    )


class SqlInsuranceProductRepository:
    def __init__(self, connection: Connection, track: Track) -> None:
        self._c = connection
        self._track = track

    def add(self, product: InsuranceProduct) -> None:
        if not _exists(self._c, t.insurers, product.insurer_id):
            raise _missing("insurer", product.insurer_id)
        statement = t.insurance_products.insert().values(
            id=product.id,
            insurer_id=product.insurer_id,
            name=product.name,
            code=product.code,
            code_norm=normalise_code(product.code),
            kind=product.kind.value,
            conditions=conditions_json(product.conditions),
        )
        _unique(
            self._c,
            statement,
            Conflict("policies.product_code_in_use", {"rule": "R6", "code": product.code}),
        )
        self._track(product)

    def save(self, product: InsuranceProduct) -> None:
        self._c.execute(
            t.insurance_products.update()
            .where(t.insurance_products.c.id == product.id)
            .values(conditions=conditions_json(product.conditions))
        )
        self._track(product)

    def _select(self, where: Any) -> list[InsuranceProduct]:
        p = t.insurance_products
        rows = self._c.execute(sa.select(p).where(where).order_by(p.c.name, p.c.id))
        return [_product(r) for r in rows]

    def get(self, product_id: uuid.UUID) -> InsuranceProduct:
        found = self._select(t.insurance_products.c.id == product_id)
        if not found:
            raise _missing("insurance_product", product_id)
        return found[0]

    def lock(self, product_id: uuid.UUID) -> InsuranceProduct:
        """The product locked until the transaction ends (read-check-write)."""
        lock_row(self._c, t.insurance_products, product_id)
        return self.get(product_id)

    def list(self, insurer_id: uuid.UUID | None = None) -> list[InsuranceProduct]:
        p = t.insurance_products
        return self._select(sa.true() if insurer_id is None else p.c.insurer_id == insurer_id)


# -- policies --------------------------------------------------------------------------------------


def _policy(row: Any) -> Policy:
    return Policy(
        id=row.id,
        employer_id=row.employer_id,
        product_id=row.product_id,
        number=row.number,
        period=DateRange(row.start_date, row.end_date),
        run_in_damage_date=row.run_in_damage_date,
        overrides=overrides_from_json(row.overrides, f"policy {row.id}"),
    )


class SqlPolicyRepository:
    def __init__(self, connection: Connection, track: Track) -> None:
        self._c = connection
        self._track = track

    def add(self, policy: Policy) -> None:
        if not _exists(self._c, t.employers, policy.employer_id):
            raise _missing("employer", policy.employer_id)
        if not _exists(self._c, t.insurance_products, policy.product_id):
            raise _missing("insurance_product", policy.product_id)
        statement = t.insurance_policies.insert().values(
            id=policy.id,
            employer_id=policy.employer_id,
            product_id=policy.product_id,
            number=policy.number,
            start_date=policy.period.start,
            end_date=policy.period.end,
            run_in_damage_date=policy.run_in_damage_date,
            overrides=overrides_json(policy.overrides),
        )
        _unique(
            self._c,
            statement,
            Conflict("policies.number_in_use", {"rule": "R6", "number": policy.number}),
        )
        self._track(policy)

    def save(self, policy: Policy) -> None:
        self._c.execute(
            t.insurance_policies.update()
            .where(t.insurance_policies.c.id == policy.id)
            .values(overrides=overrides_json(policy.overrides))
        )
        self._track(policy)

    def _select(self, where: Any) -> list[Policy]:
        p = t.insurance_policies
        rows = self._c.execute(sa.select(p).where(where).order_by(p.c.number, p.c.id))
        return [_policy(r) for r in rows]

    def get(self, policy_id: uuid.UUID) -> Policy:
        found = self._select(t.insurance_policies.c.id == policy_id)
        if not found:
            raise _missing("policy", policy_id)
        return found[0]

    def lock(self, policy_id: uuid.UUID) -> Policy:
        """The policy locked until the transaction ends (read-check-write)."""
        lock_row(self._c, t.insurance_policies, policy_id)
        return self.get(policy_id)

    def list(
        self, employer_ids: frozenset[uuid.UUID] | None = None, product_id: uuid.UUID | None = None
    ) -> list[Policy]:
        p = t.insurance_policies
        where: list[Any] = []
        if employer_ids is not None:
            if not employer_ids:
                return []
            where.append(p.c.employer_id.in_(sorted(employer_ids)))
        if product_id is not None:
            where.append(p.c.product_id == product_id)
        return self._select(sa.and_(sa.true(), *where))


# -- registrations ---------------------------------------------------------------------------------


def registration_values(r: Registration) -> dict[str, Any]:
    """The row of a registration (``policy_registrations``)."""
    return {
        "id": r.id,
        "policy_id": r.policy_id,
        "employee_id": r.employee_id,
        "start_date": r.period.start,
        "end_date": r.period.end,
        "included": r.included,
        "reasons": codes(r.reasons),
        "source": r.source.value,
        "notes": codes(r.notes),
        "note": r.note,
        "registered_on": r.registered_on,
    }


def registration_from_row(row: Any) -> Registration:
    what = f"registration {row.id}"
    return Registration(
        id=row.id,
        policy_id=row.policy_id,
        employee_id=row.employee_id,
        period=DateRange(row.start_date, row.end_date),
        included=bool(row.included),
        reasons=reasons_from_codes(row.reasons, what),
        source=Source(row.source),
        notes=notes_from_codes(row.notes, what),
        note=row.note,
        registered_on=row.registered_on,
    )


def overlap(new: Registration, clash: Registration | None) -> Conflict:
    """``policies.registrations_overlap``: ``clash`` is the other registration, when it can be
    read (one written by a transaction that has not committed yet cannot)."""
    return Conflict(
        "policies.registrations_overlap",
        {
            "rule": "R6.4",
            "period": str(new.period),
            "other": "" if clash is None else str(clash.period),
            "registration_id": "" if clash is None else str(clash.id),
        },
    )


def _participants(ids: Iterable[uuid.UUID]) -> list[list[uuid.UUID]]:
    ordered = sorted(set(ids), key=lambda i: i.int)
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


class SqlRegistrationStore:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def _rows(self, where: Any) -> list[Registration]:
        r = t.policy_registrations
        rows = self._c.execute(
            sa.select(r).where(where).order_by(r.c.employee_id, r.c.start_date, r.c.id)
        )
        return [registration_from_row(row) for row in rows]

    def get(self, registration_id: uuid.UUID) -> Registration:
        found = self._rows(t.policy_registrations.c.id == registration_id)
        if not found:
            raise _missing("registration", registration_id)
        return found[0]

    def for_participant(self, policy_id: uuid.UUID, employee_id: uuid.UUID) -> list[Registration]:
        r = t.policy_registrations
        return self._rows(sa.and_(r.c.policy_id == policy_id, r.c.employee_id == employee_id))

    def _clash(self, new: Registration, batch: Sequence[Registration]) -> Registration | None:
        for other in (*batch, *self.for_participant(new.policy_id, new.employee_id)):
            if other.id != new.id and other.period.overlaps(new.period):
                return other
        return None

    def add(self, registrations: Sequence[Registration]) -> None:
        if not registrations:
            return
        written: list[Registration] = []
        for registration in registrations:
            same = [
                w
                for w in written
                if (w.policy_id, w.employee_id)
                == (registration.policy_id, registration.employee_id)
            ]
            clash = self._clash(registration, same)
            if clash is not None:
                raise overlap(registration, clash)
            written.append(registration)
        try:
            with self._c.begin_nested():
                self._c.execute(
                    t.policy_registrations.insert(),
                    [registration_values(r) for r in registrations],
                )
        except sa.exc.IntegrityError as error:
            if sqlstate(error) != EXCLUSION_VIOLATION:
                raise
            # another transaction wrote an overlapping one meanwhile (PostgreSQL)
            first = registrations[0]
            raise overlap(first, self._clash(first, ())) from None

    def remove(self, registration_ids: Sequence[uuid.UUID]) -> None:
        r = t.policy_registrations
        for chunk in _participants(registration_ids):
            self._c.execute(r.delete().where(r.c.id.in_(chunk)))

    def _in_policy(self, policy_id: uuid.UUID, scope: ResolvedScope) -> sa.Select[Any]:
        """The search entries of the employees in ``scope`` with a registration in the policy."""
        e, r = t.search_entries, t.policy_registrations
        query = sa.select(e.c.unit_id, e.c.name, e.c.name_norm).where(
            e.c.kind == "employee",
            e.c.unit_id.in_(sa.select(r.c.employee_id).where(r.c.policy_id == policy_id)),
        )
        if not scope.everything:
            s = t.search_entry_scopes
            places = []
            if scope.employer_ids:
                places.append(s.c.employer_id.in_(sorted(scope.employer_ids)))
            if scope.department_ids:
                places.append(s.c.department_id.in_(sorted(scope.department_ids)))
            query = query.where(
                sa.exists(
                    sa.select(sa.literal(1)).where(
                        s.c.entry_id == e.c.id, sa.or_(sa.false(), *places)
                    )
                )
            )
        return query

    def page(
        self, policy_id: uuid.UUID, scope: ResolvedScope, page: int, page_size: int
    ) -> list[ParticipantRow]:
        if scope.is_empty:
            return []
        e = t.search_entries
        people = self._c.execute(
            self._in_policy(policy_id, scope)
            .order_by(e.c.name_norm, e.c.unit_id)
            .limit(page_size)
            .offset((page - 1) * page_size)
        ).all()
        if not people:
            return []
        r = t.policy_registrations
        by_employee: dict[uuid.UUID, list[Registration]] = {}
        for found in self._rows(
            sa.and_(r.c.policy_id == policy_id, r.c.employee_id.in_([p.unit_id for p in people]))
        ):
            by_employee.setdefault(found.employee_id, []).append(found)
        return [
            ParticipantRow(
                employee_id=p.unit_id,
                name=p.name,
                registrations=tuple(
                    sorted(by_employee.get(p.unit_id, ()), key=lambda x: x.period.start)
                ),
            )
            for p in people
        ]

    def count(self, policy_id: uuid.UUID, scope: ResolvedScope) -> int:
        if scope.is_empty:
            return 0
        inner = self._in_policy(policy_id, scope).subquery()
        return int(self._c.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one())
