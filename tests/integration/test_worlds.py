"""Worlds built through the services (``xs.testing.worlds``) and commands against them.

A world's claims (``World``: ids by kind and how they hang together) are checked against what the
services and the store return: every employee's employments at employers of the world, in
departments of their own employer, one leading employment; departments under their employer and
parent; employers in their folder with their code; professionals holding
``agenda.hold_availabilities``; agreements inside their contract model's active period and
subscriptions inside their agreement's (R1.2, R4.3, R5.1). On memory (a fork per example) and on
SQLite (worlds accumulating in one database, example-limited).
"""

from __future__ import annotations

import datetime as _dt
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

import xs
from xs import testing
from xs_adapters.clock import FixedClock
from xs_core.errors import DomainError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
KINDS = (
    "folders",
    "employers",
    "departments",
    "employees",
    "employments",
    "locations",
    "professionals",
    "availabilities",
    "protocols",
    "contract_models",
    "agreements",
    "subscriptions",
)
#: sizes that leave out everything but what a find() asks for (the minima by hand)
NOTHING_EXTRA: dict[str, Any] = {
    "folders": (0, 2),
    "departments": (0, 2),
    "employees": (0, 3),
    "locations": (0, 2),
    "professionals": (0, 2),
    "protocols": (0, 2),
    "contract_models": (0, 2),
}
#: find() without hypothesis's explain phase (it re-runs the example many times), derandomized:
#: the shrinker can stop in a local minimum (two models, the subscription on the second) when the
#: examples it starts from are random; fixed examples give the same, minimal world every run
SHRUNK = settings(
    database=None, max_examples=300, phases=[Phase.generate, Phase.shrink], derandomize=True
)


@pytest.fixture(scope="module")
def base() -> xs.Xs:
    """The loaded application every example forks (here: empty but for its clock)."""
    return xs.bootstrap(storage="memory", clock=FixedClock.on(_dt.date(2026, 11, 29)))


def sizes(world: testing.World) -> dict[str, int]:
    return {kind: len(getattr(world, kind)) for kind in KINDS}


def check_consistent(world: testing.World) -> None:
    """Everything the world says holds in its application (R1.2, R4.3, R5.1)."""
    app, admin = world.xs, world.admin
    org = app.organisation
    for kind in KINDS:
        ids = getattr(world, kind)
        assert len(set(ids)) == len(ids), kind
    for employer in world.employers:
        found = org.employer(xs.GetEmployer(actor=admin, employer_id=employer))
        assert found.folder_id == world.folder_of[employer]
        assert found.folder_id is None or found.folder_id in world.folders
        assert found.code == world.codes.get(employer)
        if found.code is not None:
            by_code = org.employer_by_code(xs.EmployerByCode(actor=admin, code=found.code))
            assert by_code is not None and by_code.id == employer
        listed = org.departments(xs.ListDepartments(actor=admin, employer_id=employer))
        assert {d.id for d in listed} == set(world.departments_of(employer))
        for department in listed:
            assert department.employer_id == employer == world.employer_of[department.id]
            assert department.parent_id == world.parent_of[department.id]
            assert department.code == world.codes.get(department.id)
            if department.parent_id is not None:
                assert world.employer_of[department.parent_id] == employer
    assert {d for e in world.employers for d in world.departments_of(e)} == set(world.departments)
    for employee in world.employees:
        found_employee = org.employee(xs.GetEmployee(actor=admin, employee_id=employee))
        employments = {e.id: e for e in found_employee.employments}
        assert set(employments) == set(world.employments_of(employee))
        leading = [e.id for e in found_employee.employments if e.is_leading]
        assert leading == ([world.leading[employee]] if employments else [])
        for employment in employments.values():
            assert employment.employer_id == world.employer_of[employment.id]
            assert employment.employer_id in world.employers
            assert employment.department_id == world.department_of[employment.id]
            if employment.department_id is not None:
                assert world.employer_of[employment.department_id] == employment.employer_id
            assert employment.period == world.period_of[employment.id]
    assert {e for p in world.employees for e in world.employments_of(p)} == set(world.employments)
    for professional in world.professionals:
        principal = app.access.principal(xs.GetPrincipal(actor=admin, user_id=professional))
        assert principal.holds(xs.Feature.HOLD_AVAILABILITIES)
    with app.unit_of_work(write=False) as uow:
        for location in world.locations:
            assert uow.locations.get(location).id == location
        for availability in world.availabilities:
            stored = uow.availabilities.get(availability)
            assert stored.professional_id == world.professional_of[availability]
            assert stored.location_id == world.location_of[availability]
            assert stored.span == world.span_of[availability]
            assert stored.location_id in world.locations
        for model_id in world.contract_models:
            model = uow.contract_models.get(model_id)
            assert model.active == world.period_of[model_id]
            assert model.billing_frequency is world.frequency_of[model_id]
        for agreement_id in world.agreements:
            agreement = uow.service_agreements.get(agreement_id)
            model = uow.contract_models.get(agreement.contract_model_id)
            assert agreement.contract_model_id == world.model_of[agreement_id]
            assert agreement.employer_id == world.employer_of[agreement_id] in world.employers
            assert model.active.encloses(agreement.period)
            assert agreement.billing_frequency(model) is world.frequency_of[agreement_id]
            if agreement.deviating_frequency is not None:
                assert agreement.service_variation is not None
                xs.check_deviation(model.billing_frequency, agreement.deviating_frequency)
        for subscription_id in world.subscriptions:
            subscription = uow.subscriptions.get(subscription_id)
            agreement = uow.service_agreements.get(subscription.agreement_id)
            assert subscription.agreement_id == world.agreement_of[subscription_id]
            assert agreement.period.encloses(subscription.period)
            assert subscription.amount.amount >= 0
    protocols = {p.id: p for p in app.protocols.protocols(xs.ListProtocols(actor=admin))}
    for protocol in world.protocols:
        assert protocols[protocol].kind is world.protocol_kind[protocol]


# -- on memory: a fork per example ---------------------------------------------------------------


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_r1_2_worlds_are_consistent_on_memory(base: xs.Xs, data: st.DataObject) -> None:
    world = data.draw(testing.worlds(base.fork))
    check_consistent(world)
    drawn = sizes(world)
    assert 1 <= drawn["employers"] <= 3
    assert 1 <= drawn["employees"] <= 5
    for employee in world.employees:
        assert 1 <= len(world.employments_of(employee)) <= 2
    for employer in world.employers:
        assert len(world.departments_of(employer)) <= 3
        assert len(world.agreements_of(employer)) <= 1


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_world_built_into_a_fork_leaves_the_loaded_application_alone(
    base: xs.Xs, data: st.DataObject
) -> None:
    before = base.snapshot()
    world = data.draw(testing.worlds(base.fork))
    assert world.xs is not base
    admin = base.installation.create_super_administrator("Controle", f"c-{uuid.uuid4()}@e.nl")
    for employer in world.employers:
        with pytest.raises(DomainError) as refused:
            base.organisation.employer(xs.GetEmployer(actor=admin, employer_id=employer))
        assert refused.value.code.endswith("not_found")
    base.restore(before)


def test_worlds_accumulate_in_one_application_with_unique_codes_and_addresses(
    base: xs.Xs,
) -> None:
    app = base.fork()
    built: list[testing.World] = []

    @settings(max_examples=15, database=None)
    @given(testing.worlds(app, employers=(2, 2), professionals=(1, 1), departments=(0, 0)))
    def build(world: testing.World) -> None:
        check_consistent(world)
        built.append(world)

    build()
    # the worlds share one application: the codes and e-mail addresses that an earlier world
    # took (hypothesis draws small codes again and again) were made unique
    codes = [code.casefold() for world in built for code in world.codes.values()]
    assert len(codes) == len(set(codes))
    with app.unit_of_work(write=False) as uow:
        emails = [uow.users.get(w.admin).email for w in built]
        emails += [uow.users.get(p).email for w in built for p in w.professionals]
    assert len(emails) == len(set(emails)) == 2 * len(built) > 2


# -- shrinking: the fewest entities that still satisfy a condition --------------------------------


def test_worlds_shrink_to_the_fewest_entities(base: xs.Xs) -> None:
    world = find(
        testing.worlds(base.fork, employers=(0, 3), **NOTHING_EXTRA),
        lambda w: len(w.employees) >= 2 and len(w.employers) >= 1,
        settings=SHRUNK,
    )
    # by hand: two employees need one employer, each one employment (the least); nothing else
    assert sizes(world) == {
        **dict.fromkeys(KINDS, 0),
        "employers": 1,
        "employees": 2,
        "employments": 2,
    }


def test_r5_1_a_subscription_needs_no_more_than_its_agreement_model_and_employer(
    base: xs.Xs,
) -> None:
    world = find(
        testing.worlds(base.fork, employers=(0, 3), agreements=(0, 2), **NOTHING_EXTRA),
        lambda w: len(w.subscriptions) >= 1,
        settings=SHRUNK,
    )
    assert sizes(world) == {
        **dict.fromkeys(KINDS, 0),
        "employers": 1,
        "contract_models": 1,
        "agreements": 1,
        "subscriptions": 1,
    }


def test_invalid_sizes_are_refused(base: xs.Xs) -> None:
    from hypothesis.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match="employees"):
        testing.worlds(base, employees=(3, 1))


# -- commands against a world ---------------------------------------------------------------------


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_r0_6_commands_for_a_world_are_accepted_on_it(base: xs.Xs, data: st.DataObject) -> None:
    world = data.draw(testing.worlds(base.fork, protocols=(1, 2), contract_models=(1, 2)))
    use_case, command = data.draw(testing.commands_for(world))
    testing.invoke(world, use_case, command)


def test_commands_for_covers_every_use_case_it_names(base: xs.Xs) -> None:
    seen: set[str] = set()
    world = find(
        testing.worlds(
            base.fork,
            professionals=(1, 1),
            locations=(1, 1),
            protocols=(2, 2),
            contract_models=(2, 2),
            agreements=(1, 1),
        ),
        lambda w: (
            bool(w.codes)
            and {w.protocol_kind[p] for p in w.protocols} >= {xs.ProtocolKind.SICKNESS}
            and len({w.protocol_kind[p] for p in w.protocols}) == 2
            and any(w.period_of[e].end is None for e in w.employments)
        ),
        # the first world that has them: no shrinking needed
        settings=settings(
            database=None, max_examples=500, phases=[Phase.generate], derandomize=True
        ),
    )

    strategy = testing.commands_for(world)
    search = settings(database=None, max_examples=3000, phases=[Phase.generate], derandomize=True)
    for name in testing.USE_CASES:
        use_case, command = find(strategy, lambda pair, name=name: pair[0] == name, settings=search)
        seen.add(use_case)
        testing.invoke(world.fork(), use_case, command)
    assert seen == set(testing.USE_CASES)


def test_commands_for_refuses_unknown_use_cases(base: xs.Xs) -> None:
    from hypothesis.errors import InvalidArgument

    world = find(testing.worlds(base.fork), lambda w: True, settings=SHRUNK)
    with pytest.raises(InvalidArgument, match="unknown use cases"):
        testing.commands_for(world, ["organisation.frobnicate"])


# -- on SQLite: worlds accumulate in one database --------------------------------------------------


def test_r1_2_worlds_are_consistent_on_sqlite(sqlite_url: str, clock: FixedClock) -> None:
    app = xs.bootstrap(database_url=sqlite_url, clock=clock)

    @settings(max_examples=5, database=None)
    @given(testing.worlds(app, professionals=(1, 2), contract_models=(1, 2)))
    def consistent(world: testing.World) -> None:
        check_consistent(world)

    try:
        consistent()
    finally:
        app.close()


# -- the guide ------------------------------------------------------------------------------------


def test_the_testing_guide_runs() -> None:
    """docs/testing.md runs top to bottom in one namespace (as the docs' examples do)."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert len(blocks) > 10
    namespace: dict[str, Any] = {"__name__": "testing_guide"}
    for block in blocks:
        exec(compile(block, str(DOCS), "exec"), namespace)
