"""The SQL store of configuration parameters and their audited changes (R6.1).

A parameter without a row has its default. :meth:`SqlSettingsStore.lock` first makes the row
(``INSERT … ON CONFLICT DO NOTHING``, holding the default) and then locks it, so that two changes
at once are ordered even for a parameter never set before. Stored values are checked against the
parameter's specification when read (``settings.invalid_value``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from xs_adapters.sql import tables as t
from xs_adapters.sql.locking import lock_row
from xs_core.settings import Parameter, ParameterChange


class SqlSettingsStore:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def value(self, parameter: Parameter) -> int:
        p = t.configuration_parameters
        stored = self._c.execute(sa.select(p.c.value).where(p.c.name == parameter.value)).first()
        return parameter.spec.default if stored is None else parameter.check(stored.value)

    def _insert(self) -> Any:
        if self._c.dialect.name == "postgresql":
            return postgresql.insert(t.configuration_parameters)
        return sqlite.insert(t.configuration_parameters)

    def lock(self, parameter: Parameter) -> int:
        self._c.execute(
            self._insert()
            .values(name=parameter.value, value=parameter.spec.default)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        lock_row(self._c, t.configuration_parameters, parameter.value, column="name")
        return self.value(parameter)

    def change(self, change: ParameterChange) -> None:
        value = change.parameter.check(change.new_value)
        statement = self._insert().values(name=change.parameter.value, value=value)
        self._c.execute(
            statement.on_conflict_do_update(index_elements=["name"], set_={"value": value})
        )
        self._c.execute(
            t.configuration_parameter_changes.insert().values(
                parameter=change.parameter.value,
                old_value=change.old_value,
                new_value=value,
                changed_by=change.changed_by,
                changed_at=change.changed_at,
            )
        )

    def history(self, parameter: Parameter) -> list[ParameterChange]:
        c = t.configuration_parameter_changes
        rows = self._c.execute(
            sa.select(c).where(c.c.parameter == parameter.value).order_by(c.c.id)
        )
        return [
            ParameterChange(
                parameter=parameter,
                old_value=row.old_value,
                new_value=row.new_value,
                changed_by=row.changed_by,
                changed_at=row.changed_at,
            )
            for row in rows
        ]
