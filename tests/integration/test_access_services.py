"""Who may manage whom, and where a scoped user may employ people (R0.6)."""

from __future__ import annotations

import datetime as _dt

import pytest

from tests.apps import make_app, user_with
from xs_adapters.clock import FixedClock
from xs_app.services.access import CreateUser, GetPrincipal, Grant
from xs_app.services.organisation import (
    CreateDepartment,
    CreateEmployer,
    EmploymentTerms,
    RegisterEmployee,
)
from xs_core.access.features import Feature
from xs_core.errors import NotFound
from xs_core.organisation.units import UnitKind, UnitRef


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_r0_6_a_department_scoped_user_employs_people_in_their_department(
    backend: str, request: pytest.FixtureRequest, clock: FixedClock
) -> None:
    xs = make_app(request, clock, backend)
    admin = xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
    employer = xs.organisation.create_employer(CreateEmployer(actor=admin, name="Bakkerij"))
    mine = xs.organisation.create_department(
        CreateDepartment(actor=admin, employer_id=employer, name="Broodbakkerij")
    )
    other = xs.organisation.create_department(
        CreateDepartment(actor=admin, employer_id=employer, name="Banket")
    )
    hr = user_with(
        xs,
        admin,
        "hr@example.nl",
        frozenset({Feature.MANAGE_EMPLOYMENTS}),
        frozenset({UnitRef(UnitKind.DEPARTMENT, mine)}),
    )

    def register(department: object) -> object:
        return xs.organisation.register_employee(
            RegisterEmployee(
                actor=hr,
                first_name="Anna",
                last_name="Jansen",
                employment=EmploymentTerms(
                    employer_id=employer, department_id=department, start=_dt.date(2026, 1, 1)
                ),
            )
        )

    register(mine)
    with pytest.raises(NotFound):  # another department of the same employer
        register(other)
    with pytest.raises(NotFound):  # the employer as a whole lies outside the scope
        register(None)
    xs.close()


def test_r0_6_a_user_without_scope_is_managed_only_with_the_whole_organisation(
    backend: str, request: pytest.FixtureRequest, clock: FixedClock
) -> None:
    xs = make_app(request, clock, backend)
    admin = xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
    employer = xs.organisation.create_employer(CreateEmployer(actor=admin, name="Bakkerij"))
    scope = frozenset({UnitRef(UnitKind.EMPLOYER, employer)})
    manager = user_with(xs, admin, "m@example.nl", frozenset({Feature.MANAGE_USERS}), scope)
    loose = xs.access.create_user(CreateUser(actor=admin, name="Los", email="los@example.nl"))
    with pytest.raises(NotFound) as refused:
        xs.access.grant(Grant(actor=manager, user_id=loose, units=scope))
    assert refused.value.details == {"kind": "user", "id": str(loose)}
    with pytest.raises(NotFound):
        xs.access.principal(GetPrincipal(actor=manager, user_id=loose))
    xs.access.grant(Grant(actor=admin, user_id=loose, units=scope))  # now inside their scope
    xs.access.grant(Grant(actor=manager, user_id=loose, units=scope))
    xs.close()
