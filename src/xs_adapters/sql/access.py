"""SQL repositories of the access context and the scope resolver (R0.6)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xs_adapters.sql import mappers
from xs_adapters.sql import tables as t
from xs_adapters.sql.locking import lock_row
from xs_core.access.model import ResolvedScope, Role, Scope, User
from xs_core.errors import Conflict, not_found
from xs_core.events import Aggregate
from xs_core.organisation.units import UnitKind, UnitRef


class SqlRoleRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, role: Role) -> None:
        self._c.execute(t.roles.insert().values(id=role.id, name=role.name, kind=role.kind.value))
        if role.features:
            self._c.execute(
                t.role_features.insert(),
                [
                    {"role_id": role.id, "feature": f.value}
                    for f in sorted(role.features, key=lambda f: f.value)
                ],
            )

    def get_many(self, role_ids: Iterable[uuid.UUID]) -> list[Role]:
        ids = list(role_ids)
        if not ids:
            return []
        # one round trip: a role's row once per feature (a left join keeps roles without any)
        return roles_from_rows(list(self._c.execute(_ROLES_WITH_FEATURES, {"ids": ids})))

    def get(self, role_id: uuid.UUID) -> Role:
        found = self.get_many([role_id])
        if not found:
            raise not_found("role", role_id)
        return found[0]

    def list(self) -> list[Role]:
        ids = [r.id for r in self._c.execute(sa.select(t.roles.c.id).order_by(t.roles.c.name))]
        by_id = {r.id: r for r in self.get_many(ids)}
        return [by_id[i] for i in ids]


class SqlUserRepository:
    def __init__(self, connection: Connection, track: Callable[[Aggregate], None]) -> None:
        self._c = connection
        self._track = track

    def _write_links(self, user: User, *, new: bool = False) -> None:
        """The user's role and scope links; a ``new`` user (inserted in this transaction) has
        none yet to replace."""
        if not new:
            self._c.execute(t.user_roles.delete().where(t.user_roles.c.user_id == user.id))
            self._c.execute(
                t.user_scope_units.delete().where(t.user_scope_units.c.user_id == user.id)
            )
        if user.role_ids:
            self._c.execute(
                t.user_roles.insert(), [{"user_id": user.id, "role_id": r} for r in user.role_ids]
            )
        if user.scope.units:
            self._c.execute(
                t.user_scope_units.insert(),
                [
                    {"user_id": user.id, "unit_kind": u.kind.value, "unit_id": u.id}
                    for u in user.scope.units
                ],
            )

    def _values(self, user: User) -> dict[str, object]:
        return {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "email_norm": user.email.casefold(),
            "is_super_administrator": user.is_super_administrator,
            "active": user.active,
        }

    def add(self, user: User) -> None:
        try:
            with self._c.begin_nested():
                self._c.execute(t.users.insert().values(**self._values(user)))
        except sa.exc.IntegrityError:
            raise Conflict("access.email_in_use", {"email": user.email}) from None
        self._write_links(user, new=True)
        self._track(user)

    def save(self, user: User) -> None:
        self._c.execute(
            t.users.update().where(t.users.c.id == user.id).values(**self._values(user))
        )
        self._write_links(user)
        self._track(user)

    def _load(self, statement: sa.Select[Any], key: object) -> User | None:
        """The user with their roles and scope units in one round trip (a left join: one row
        per role and unit pair, few for any user)."""
        rows = list(self._c.execute(statement, {"key": key}))
        return user_from_rows(rows) if rows else None

    def find(self, user_id: uuid.UUID) -> User | None:
        return self._load(_USER_BY_ID, user_id)

    def get(self, user_id: uuid.UUID) -> User:
        user = self.find(user_id)
        if user is None:
            raise not_found("user", user_id)
        return user

    def lock(self, user_id: uuid.UUID) -> User:
        # Two statements on purpose: the read after the lock sees what the previous holder
        # committed. One joined SELECT … FOR UPDATE would re-check only the locked row and
        # return the roles and units of its older snapshot (a lost update of a grant).
        if not lock_row(self._c, t.users, user_id):
            raise not_found("user", user_id)
        return self.get(user_id)

    def find_by_email(self, email: str) -> User | None:
        return self._load(_USER_BY_EMAIL, email.strip().casefold())


def roles_from_rows(rows: Sequence[Any]) -> list[Role]:
    """Roles from rows of a role's columns and one ``feature`` each (``None`` for a role
    without features), in the order of their first rows."""
    features: dict[uuid.UUID, list[str]] = {r.id: [] for r in rows}
    for row in rows:
        if row.feature is not None:
            features[row.id].append(row.feature)
    firsts = {r.id: r for r in reversed(rows)}
    return [mappers.role_from_rows(firsts[i], features[i]) for i in features]


def user_from_rows(rows: Sequence[Any]) -> User:
    """One user from the rows of :func:`user_with_links` (one per role and unit pair)."""
    role_ids = list(dict.fromkeys(row.role_id for row in rows if row.role_id is not None))
    units = list(
        {(row.unit_kind, row.unit_id): row for row in rows if row.unit_id is not None}.values()
    )
    return mappers.user_from_rows(rows[0], role_ids, units)


def user_with_links(condition: sa.ColumnElement[bool]) -> sa.Select[Any]:
    u, r, x = t.users, t.user_roles, t.user_scope_units
    return (
        sa.select(u, r.c.role_id, x.c.unit_kind, x.c.unit_id)
        .outerjoin(r, r.c.user_id == u.c.id)
        .outerjoin(x, x.c.user_id == u.c.id)
        .where(condition)
    )


_ROLES_WITH_FEATURES = (
    sa.select(t.roles, t.role_features.c.feature)
    .outerjoin(t.role_features, t.role_features.c.role_id == t.roles.c.id)
    .where(t.roles.c.id.in_(sa.bindparam("ids", expanding=True)))
)

# built once: every use case asks the authoriser, so this statement is on every hot path
_USER_BY_ID = user_with_links(t.users.c.id == sa.bindparam("key", type_=sa.Uuid))
_USER_BY_EMAIL = user_with_links(t.users.c.email_norm == sa.bindparam("key", type_=sa.String))


#: Ids per ``IN`` list of :meth:`SqlScopeResolver.ancestors_of` (well under SQLite's limit of
#: bound parameters).
_CHUNK = 5000


def _chunks(ids: list[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


class SqlScopeResolver:
    """Scope questions answered with a few (recursive) queries (R0.6)."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def _department_chain(self, department_ids: list[uuid.UUID]) -> set[UnitRef]:
        """The departments and all their ancestor departments, plus their employers."""
        if not department_ids:
            return set()
        d = t.departments
        up = (
            sa.select(d.c.id, d.c.parent_id, d.c.employer_id)
            .where(d.c.id.in_(department_ids))
            .cte("up", recursive=True)
        )
        up = up.union(
            sa.select(d.c.id, d.c.parent_id, d.c.employer_id).join(up, d.c.id == up.c.parent_id)
        )
        units: set[UnitRef] = set()
        for row in self._c.execute(sa.select(up.c.id, up.c.employer_id)):
            units.add(UnitRef(UnitKind.DEPARTMENT, row.id))
            units.add(UnitRef(UnitKind.EMPLOYER, row.employer_id))
        return units

    def _with_folders(self, units: set[UnitRef]) -> set[UnitRef]:
        employer_ids = [u.id for u in units if u.kind is UnitKind.EMPLOYER]
        if employer_ids:
            for row in self._c.execute(
                sa.select(t.employers.c.folder_id).where(
                    t.employers.c.id.in_(employer_ids), t.employers.c.folder_id.is_not(None)
                )
            ):
                units.add(UnitRef(UnitKind.FOLDER, row.folder_id))
        return units

    def ancestors(self, unit: UnitRef) -> frozenset[UnitRef]:
        """The unit and every unit above it; empty when the unit does not exist."""
        units: set[UnitRef] = {unit}
        if unit.kind is UnitKind.FOLDER:
            found = self._c.execute(
                sa.select(t.folders.c.id).where(t.folders.c.id == unit.id)
            ).first()
            return frozenset(units) if found is not None else frozenset()
        if unit.kind is UnitKind.EMPLOYER:
            if not self._c.execute(
                sa.select(t.employers.c.id).where(t.employers.c.id == unit.id)
            ).first():
                return frozenset()
        elif unit.kind is UnitKind.DEPARTMENT:
            chain = self._department_chain([unit.id])
            if not chain:
                return frozenset()
            units |= chain
        elif unit.kind is UnitKind.BRANCH:
            row = self._c.execute(
                sa.select(t.branches.c.employer_id).where(t.branches.c.id == unit.id)
            ).first()
            if row is None:
                return frozenset()
            units.add(UnitRef(UnitKind.EMPLOYER, row.employer_id))
        elif unit.kind is UnitKind.EMPLOYEE:
            e, em = t.employees, t.employments
            rows = list(
                self._c.execute(
                    sa.select(em.c.employer_id)
                    .select_from(e)
                    .outerjoin(em, em.c.employee_id == e.c.id)
                    .where(e.c.id == unit.id)
                )
            )
            if not rows:
                return frozenset()
            employers = [r.employer_id for r in rows if r.employer_id is not None]
            departments = list(
                self._c.execute(
                    sa.select(t.employment_versions.c.department_id)
                    .join(
                        t.employments, t.employments.c.id == t.employment_versions.c.employment_id
                    )
                    .where(
                        t.employments.c.employee_id == unit.id,
                        t.employment_versions.c.department_id.is_not(None),
                    )
                ).scalars()
            )
            units |= {UnitRef(UnitKind.EMPLOYER, e) for e in employers}
            units |= self._department_chain(departments)
        return frozenset(self._with_folders(units))

    def ancestors_of(self, units: Sequence[UnitRef]) -> dict[UnitRef, frozenset[UnitRef]]:
        """Folders, employers and departments in a few queries per :data:`_CHUNK` units (one
        per kind, a recursive one up the departments, one for the employers' folders); other
        kinds one by one (:meth:`ancestors`)."""
        wanted = list(dict.fromkeys(units))
        by_kind: dict[UnitKind, list[uuid.UUID]] = defaultdict(list)
        for unit in wanted:
            by_kind[unit.kind].append(unit.id)
        found: dict[UnitRef, set[UnitRef]] = {}
        for chunk in _chunks(by_kind[UnitKind.FOLDER]):
            for ident in self._c.scalars(
                sa.select(t.folders.c.id).where(t.folders.c.id.in_(chunk))
            ):
                found[UnitRef(UnitKind.FOLDER, ident)] = set()
        for chunk in _chunks(by_kind[UnitKind.EMPLOYER]):
            for ident in self._c.scalars(
                sa.select(t.employers.c.id).where(t.employers.c.id.in_(chunk))
            ):
                found[UnitRef(UnitKind.EMPLOYER, ident)] = set()
        d = t.departments
        for chunk in _chunks(by_kind[UnitKind.DEPARTMENT]):
            up = (
                sa.select(d.c.id.label("origin"), d.c.id, d.c.parent_id, d.c.employer_id)
                .where(d.c.id.in_(chunk))
                .cte("up", recursive=True)
            )
            up = up.union(
                sa.select(up.c.origin, d.c.id, d.c.parent_id, d.c.employer_id).join(
                    up, d.c.id == up.c.parent_id
                )
            )
            for row in self._c.execute(sa.select(up.c.origin, up.c.id, up.c.employer_id)):
                chain = found.setdefault(UnitRef(UnitKind.DEPARTMENT, row.origin), set())
                chain.add(UnitRef(UnitKind.DEPARTMENT, row.id))
                chain.add(UnitRef(UnitKind.EMPLOYER, row.employer_id))
        employers = {u.id for chain in found.values() for u in chain if u.kind is UnitKind.EMPLOYER}
        employers |= {u.id for u in found if u.kind is UnitKind.EMPLOYER}
        folder_of: dict[uuid.UUID, uuid.UUID] = {}
        for chunk in _chunks(sorted(employers)):
            placed = self._c.execute(
                sa.select(t.employers.c.id, t.employers.c.folder_id).where(
                    t.employers.c.id.in_(chunk), t.employers.c.folder_id.is_not(None)
                )
            )
            folder_of.update({ident: folder for ident, folder in placed})
        answer: dict[UnitRef, frozenset[UnitRef]] = {}
        for unit in wanted:
            if unit.kind not in (UnitKind.FOLDER, UnitKind.EMPLOYER, UnitKind.DEPARTMENT):
                answer[unit] = self.ancestors(unit)
                continue
            above = found.get(unit)
            if above is None:
                answer[unit] = frozenset()
                continue
            chain = {unit, *above}
            for employer_id in [u.id for u in chain if u.kind is UnitKind.EMPLOYER]:
                if employer_id in folder_of:
                    chain.add(UnitRef(UnitKind.FOLDER, folder_of[employer_id]))
            answer[unit] = frozenset(chain)
        return answer

    def resolve(self, scope: Scope, *, keep_folders: bool = False) -> ResolvedScope:
        if scope.everything:
            return ResolvedScope(everything=True)
        employers = {u.id for u in scope.units if u.kind is UnitKind.EMPLOYER}
        folders = [u.id for u in scope.units if u.kind is UnitKind.FOLDER]
        if folders and not keep_folders:
            employers |= {
                r.id
                for r in self._c.execute(
                    sa.select(t.employers.c.id).where(t.employers.c.folder_id.in_(folders))
                )
            }
        roots = [u.id for u in scope.units if u.kind is UnitKind.DEPARTMENT]
        departments: set[uuid.UUID] = set()
        if roots:
            d = t.departments
            down = sa.select(d.c.id).where(d.c.id.in_(roots)).cte("down", recursive=True)
            down = down.union(sa.select(d.c.id).join(down, d.c.parent_id == down.c.id))
            departments = {r.id for r in self._c.execute(sa.select(down.c.id))}
        return ResolvedScope(
            False,
            frozenset(employers),
            frozenset(departments),
            frozenset(folders) if keep_folders else frozenset(),
        )
