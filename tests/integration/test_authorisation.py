"""Authorisation on every use case (R0.6), table-driven, on memory, SQLite and PostgreSQL.

Every public method of every service (found by introspection, :mod:`tests.usecases`) is tried

(a) by an actor holding every feature but the ones that grant it, scoped like the actor that
    succeeds: refused with ``access.not_authorised``;
(b) by an actor holding the feature, scoped to employer A, on B's entities — each entity the
    command names in turn, then all of them: refused (queries may instead answer as for an unknown
    id), with exactly the answer an unknown id of the same kind gets (class, code, details keys,
    kind), naming no id of B that the caller did not give;
(c) by an unknown actor (a random id and the nil UUID): refused with ``access.unknown_actor``;

and every refusal leaves the store exactly as it was: after each refusal every table (and the
outbox) holds as many rows as before, and after each use case's refusals every row of every
table on SQL, every collection of the memory store, is what it was. Then the positive control:
the actor holding the feature (each alternative, for queries) succeeds, a query changes nothing,
and no answer names an entity of B.
"""

from __future__ import annotations

import datetime as _dt
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from tests.apps import make_app, user_with
from tests.conftest import TODAY, _server_url, create_database, drop_database
from tests.usecases import (
    NIL,
    TABLE,
    Side,
    UseCase,
    World,
    at,
    changed,
    command_for,
    counts,
    fingerprint,
    invoke,
    make_world,
    use_cases,
)
from xs_adapters.clock import FixedClock
from xs_app import Xs, bootstrap
from xs_app.services.access import CreateRole, CreateUser, FindUser, GetPrincipal, Grant
from xs_app.services.agenda import (
    CompleteAppointment,
    CreateLocation,
    PlanAppointment,
    PlanAvailability,
    RegisterActivity,
    RemoveAppointment,
    RequestAppointment,
)
from xs_app.services.billing import ListInvoiceBases
from xs_app.services.command import Command
from xs_app.services.employments import (
    ActionLinks,
    ChangeEmployment,
    EndEmployment,
    LeadingEmploymentOn,
    OpenActionLink,
)
from xs_app.services.organisation import (
    AddEmployment,
    AdvancedSearch,
    ChangeEmployer,
    CreateDepartment,
    CreateEmployer,
    CreateFolder,
    EmploymentTerms,
    GetEmployee,
    GetEmployer,
    ListDepartments,
    OpenDossier,
    RegisterEmployee,
    SetLeadingEmployment,
)
from xs_app.services.protocols import (
    BulkStart,
    CreateProtocol,
    ProposeBulkStart,
    ReportSickness,
    TrajectoriesOf,
)
from xs_core.access.authoriser import Authoriser
from xs_core.access.features import ALL_FEATURES, Feature
from xs_core.dates import DateRange
from xs_core.errors import DomainError, InvalidInput, NotAllowed, NotFound
from xs_core.organisation.model import EndReason
from xs_core.organisation.units import UnitKind, UnitRef
from xs_core.protocols.action_links import ActionLink, Placement
from xs_core.protocols.bulk import BulkStartRequest, BulkUnit, SkipReason
from xs_core.protocols.model import ProtocolCharacteristics, ProtocolKind

D = _dt.date


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def world(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[World]:
    xs = make_app(request, clock, request.param)
    yield make_world(xs)
    xs.close()


def test_r0_6_every_public_service_method_has_a_table_entry(clock: FixedClock) -> None:
    xs = bootstrap(storage="memory", clock=clock)
    found = use_cases(xs)
    assert len(found) > 70  # the introspection finds the services and their methods
    assert sorted(set(found) - set(TABLE)) == [], "use cases without a table entry"
    assert sorted(set(TABLE) - set(found)) == [], "table entries of no use case"


# -- helpers --------------------------------------------------------------------------------------


def _outcome(w: World, name: str, cmd: Command) -> tuple[str, Any]:
    try:
        return ("value", invoke(w.xs, name, cmd))
    except DomainError as error:
        return ("error", error)


def _refused(w: World, name: str, cmd: Command) -> DomainError:
    kind, value = _outcome(w, name, cmd)
    if kind == "value":
        raise AssertionError(f"not refused: {cmd!r} answered {value!r}")
    assert isinstance(value, DomainError)
    return value


def _shape(error: DomainError) -> tuple[type, str, list[str], object]:
    return (type(error), error.code, sorted(error.details), error.details.get("kind"))


def _unchanged(w: World, before: dict[str, Any], what: str) -> None:
    after = fingerprint(w.xs)
    if after != before:
        raise AssertionError(f"{what} changed {changed(before, after)}")


def _same_counts(w: World, before: dict[str, int], what: str) -> None:
    after = counts(w.xs)
    if after != before:
        raise AssertionError(f"{what} changed {changed(before, after)}")


def _leaks(w: World, value: object, given: Command) -> list[str]:
    """The ids of B's entities that ``value`` mentions although the command did not name them."""
    text, named = repr(value), repr(given)
    return sorted(i for i in w.b.ids() if i in text and i not in named)


def _refusal_scope(case: UseCase) -> str:
    # a non-super-administrator never has the whole organisation in scope
    return "folder" if case.scope == "everything" else case.scope


def _check_refusals(w: World, name: str, case: UseCase, before: dict[str, int]) -> None:
    # (a) every feature but the ones that grant it, the right scope; the feature is checked
    # before any entity is looked at, so B's entities and unknown ids get the same answer
    lacking = w.actor(case.without(), _refusal_scope(case))
    for side in (w.a, w.b, w.a.unknown()):
        error = _refused(w, name, command_for(case, w, side, lacking))
        assert (type(error), error.code) == (NotAllowed, "access.not_authorised"), repr(error)
        _same_counts(w, before, "(a)")

    # (c) unknown actors: a random id and the nil UUID, on A's entities and on unknown ids
    for unknown, side in ((uuid.uuid4(), w.a), (NIL, w.a), (uuid.uuid4(), w.a.unknown())):
        error = _refused(w, name, command_for(case, w, side, unknown))
        assert (type(error), error.code) == (NotAllowed, "access.unknown_actor"), repr(error)
        _same_counts(w, before, f"(c) {unknown}")

    # (b) B's entities, one name at a time and all at once, against unknown ids
    recorder = w.a
    case.build(w, recorder)
    names = list(recorder.read)
    groups = [[n] for n in names] + ([names] if len(names) > 1 else [])
    holder = w.actor(case.features[:1], _refusal_scope(case))
    unknown_side = w.a.unknown()
    for group in groups:
        cmd_b = command_for(case, w, w.a.mixed(w.b, group), holder)
        cmd_u = command_for(case, w, w.a.mixed(unknown_side, group), holder)
        out_b, out_u = _outcome(w, name, cmd_b), _outcome(w, name, cmd_u)
        _same_counts(w, before, f"(b) {group}")
        label = f"(b) {group}"
        if not case.query:
            assert out_b[0] == "error", f"{label}: not refused, answered {out_b[1]!r}"
        assert out_b[0] == out_u[0], f"{label}: B answered {out_b[1]!r}, unknown {out_u[1]!r}"
        if out_b[0] == "error":
            assert _shape(out_b[1]) == _shape(out_u[1]), (
                f"{label}: B answered {out_b[1]!r}, unknown {out_u[1]!r}"
            )
        else:
            assert out_b[1] == out_u[1], f"{label}: B answered {out_b[1]!r}, unknown {out_u[1]!r}"
        assert _leaks(w, out_b[1].details if out_b[0] == "error" else out_b[1], cmd_b) == [], (
            f"{label}: the answer {out_b[1]!r} names B's entities"
        )


def _check_positive(w: World, name: str, case: UseCase) -> None:
    alternatives = case.features if case.query else case.features[:1]
    before = fingerprint(w.xs) if case.query else None
    for feature in alternatives:
        actor = w.actor({feature}, case.scope)
        cmd = command_for(case, w, w.a, actor)
        try:
            result = invoke(w.xs, name, cmd)
        except DomainError as error:
            raise AssertionError(
                f"positive control with {feature.value} refused: {error!r}"
            ) from error
        assert _leaks(w, result, cmd) == [], f"{feature.value}: {result!r} names B's entities"
    if before is not None:
        _unchanged(w, before, "a query")


def _actors(w: World, case: UseCase) -> None:
    """Make the users a case acts as, before the store's fingerprint is taken."""
    w.actor(case.without(), _refusal_scope(case))
    w.actor(case.features[:1], _refusal_scope(case))
    for feature in case.features:
        w.actor({feature}, case.scope)


def _run_table(w: World) -> list[str]:
    failures: list[str] = []
    names = use_cases(w.xs)
    for name in names:
        if name in TABLE:
            _actors(w, TABLE[name])
    before, rows = fingerprint(w.xs), counts(w.xs)
    for name in names:
        try:
            _check_refusals(w, name, TABLE[name], rows)
            _unchanged(w, before, "the refusals")
        except (AssertionError, KeyError) as error:
            failures.append(f"{name}: {error}")
            # report each case's own failure, not its aftermath
            before, rows = fingerprint(w.xs), counts(w.xs)
    for name in names:
        try:
            _check_positive(w, name, TABLE[name])
        except (AssertionError, KeyError) as error:
            failures.append(f"{name} (positive): {error}")
    return failures


def test_r0_6_every_use_case_refuses_the_unauthorised_and_changes_nothing(world: World) -> None:
    failures = _run_table(world)
    assert failures == [], "\n".join(failures)


def test_side_records_what_a_builder_names(clock: FixedClock) -> None:
    """The swaps of (b) rely on the recording side: a builder's names are recorded once, in
    order, and a mixed side takes exactly the swapped names from the other side."""
    world = make_world(bootstrap(storage="memory", clock=clock))
    side = world.a
    TABLE["employments.end_employment"].build(world, side)
    assert side.read == ["employee", "employment"]
    mixed = world.a.mixed(world.b, ["employment"])
    assert (mixed.employee, mixed.employment) == (
        world.sides["A"]["employee"],
        world.sides["B"]["employment"],
    )
    assert isinstance(world.a.unknown(), Side)


# -- the attacks, one by one ----------------------------------------------------------------------
#
# Each test builds a small world of its own (two employers, a person working at both) in an
# application shared by the tests of this module, per backend.


@pytest.fixture(scope="module", params=["memory", "sqlite", "postgres"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Xs]:
    clock = FixedClock.on(TODAY)
    if request.param == "memory":
        xs = bootstrap(storage="memory", clock=clock)
        yield xs
        return
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path_factory.mktemp("attacks") / "xs.sqlite3"
        shutil.copy(template, path)
        xs = bootstrap(database_url=f"sqlite:///{path}", clock=clock)
        yield xs
        xs.close()
        return
    server = request.getfixturevalue("postgres_server")
    name = create_database(server, request.getfixturevalue("postgres_template"))
    xs = bootstrap(database_url=_server_url(name), clock=clock, migrate_database=False)
    yield xs
    xs.close()
    drop_database(server, name)


@attrs.define
class Two:
    """Employers A and B, each in a folder; ``dual`` works at A (department A1) and at B, where
    the leading employment is; ``at_b`` works at B only; each has an appointment."""

    xs: Xs
    admin: uuid.UUID
    tag: str
    folder_a: uuid.UUID
    folder_b: uuid.UUID
    a: uuid.UUID
    b: uuid.UUID
    a1: uuid.UUID
    a2: uuid.UUID
    b1: uuid.UUID
    dual: uuid.UUID
    dual_at_a: uuid.UUID
    dual_at_b: uuid.UUID
    at_b: uuid.UUID
    dual_dossier: uuid.UUID
    dual_appointment: uuid.UUID
    b_appointment: uuid.UUID
    b_user: uuid.UUID

    def user(self, features: Iterable[Feature], *units: UnitRef, roles: bool = True) -> uuid.UUID:
        n = uuid.uuid4().hex[:8]
        if not roles:
            return self.xs.access.create_user(
                CreateUser(
                    actor=self.admin,
                    name="Zonder rol",
                    email=f"zonder-rol-{n}@example.nl",
                    scope=frozenset(units),
                )
            )
        return user_with(
            self.xs, self.admin, f"u-{n}@example.nl", frozenset(features), frozenset(units)
        )

    def fingerprint(self) -> dict[str, Any]:
        return fingerprint(self.xs)


def _employer_ref(ident: uuid.UUID) -> UnitRef:
    return UnitRef(UnitKind.EMPLOYER, ident)


def _department_ref(ident: uuid.UUID) -> UnitRef:
    return UnitRef(UnitKind.DEPARTMENT, ident)


@pytest.fixture
def two(app: Xs) -> Two:
    xs, tag = app, uuid.uuid4().hex[:6]
    admin = xs.installation.create_super_administrator("Beheer", f"beheer-{tag}@example.nl")
    org = xs.organisation
    folder_a = org.create_folder(CreateFolder(actor=admin, name=f"Map A {tag}"))
    folder_b = org.create_folder(CreateFolder(actor=admin, name=f"Map B {tag}"))
    a = org.create_employer(CreateEmployer(actor=admin, name="Bakkerij", folder_id=folder_a))
    b = org.create_employer(CreateEmployer(actor=admin, name="Slagerij", folder_id=folder_b))
    a1 = org.create_department(CreateDepartment(actor=admin, employer_id=a, name="Oven"))
    a2 = org.create_department(CreateDepartment(actor=admin, employer_id=a, name="Winkel"))
    b1 = org.create_department(CreateDepartment(actor=admin, employer_id=b, name="Worst"))
    dual = org.register_employee(
        RegisterEmployee(
            actor=admin,
            first_name="Dana",
            last_name=f"Dubbel{tag}",
            employment=EmploymentTerms(employer_id=a, department_id=a1, start=D(2020, 1, 1)),
        )
    )
    dual_at_b = org.add_employment(
        AddEmployment(
            actor=admin,
            employee_id=dual,
            terms=EmploymentTerms(
                employer_id=b, department_id=b1, start=D(2021, 1, 1), leading=True
            ),
        )
    )
    found = org.employee(GetEmployee(actor=admin, employee_id=dual))
    (dual_at_a,) = [e.id for e in found.employments if e.id != dual_at_b]
    at_b = org.register_employee(
        RegisterEmployee(
            actor=admin,
            first_name="Bert",
            last_name=f"Slager{tag}",
            employment=EmploymentTerms(employer_id=b, start=D(2020, 1, 1)),
        )
    )
    dossier = org.open_dossier(OpenDossier(actor=admin, unit=UnitRef(UnitKind.EMPLOYEE, dual)))
    location = xs.agenda.create_location(CreateLocation(actor=admin, name=f"Kamer {tag}"))
    availability = xs.agenda.plan_availability(
        PlanAvailability(
            actor=admin, professional_id=admin, location_id=location, start=at(1, 9), end=at(1, 12)
        )
    )
    appointments = [
        xs.agenda.plan_appointment(
            PlanAppointment(
                actor=admin,
                availability_id=availability,
                employee_id=person,
                start=at(1, hour),
                end=at(1, hour, 30),
            )
        )
        for person, hour in ((dual, 9), (at_b, 10))
    ]
    b_user = user_with(
        xs,
        admin,
        f"b-{tag}@example.nl",
        frozenset({Feature.VIEW_ORGANISATION}),
        frozenset({_employer_ref(b)}),
    )
    return Two(
        xs,
        admin,
        tag,
        folder_a,
        folder_b,
        a,
        b,
        a1,
        a2,
        b1,
        dual,
        dual_at_a,
        dual_at_b,
        at_b,
        dossier,
        *appointments,
        b_user,
    )


def _error(call: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def _same_answer(use: Callable[[Any], object], outside: Any, unknown: Any) -> DomainError:
    """``use(outside)`` and ``use(unknown)`` are refused alike: class, code, details keys and
    kind (R0.6, no existence oracle). The refusal for ``outside`` is returned."""
    error = _error(lambda: use(outside))
    assert _shape(error) == _shape(_error(lambda: use(unknown))), repr(error)
    return error


def _refused_with(error_type: type, code: str, attempts: Iterable[Callable[[], object]]) -> None:
    for attempt in attempts:
        error = _error(attempt)
        assert (type(error), error.code) == (error_type, code), repr(error)


def test_r0_6_a_user_never_grants_more_than_they_hold(two: Two) -> None:
    access = two.xs.access
    everything = access.create_role(
        CreateRole(actor=two.admin, name=f"Alles {two.tag}", features=ALL_FEATURES)
    )
    keeper = two.user({Feature.MANAGE_USERS}, _employer_ref(two.a))
    roler = two.user({Feature.MANAGE_USERS, Feature.MANAGE_ROLES}, _employer_ref(two.a))
    narrow = two.user({Feature.MANAGE_USERS}, _department_ref(two.a1))
    before = two.fingerprint()

    # a role with every feature: not without managing roles, and never beyond one's own
    every_role = CreateRole(actor=keeper, name="Alles", features=ALL_FEATURES)
    _refused_with(NotAllowed, "access.not_authorised", [lambda: access.create_role(every_role)])
    error = _error(lambda: access.create_role(attrs.evolve(every_role, actor=roler)))
    assert (type(error), error.code) == (NotAllowed, "access.grant_exceeds_own")
    held = {Feature.MANAGE_USERS, Feature.MANAGE_ROLES}
    assert error.details["features"] == sorted(f.value for f in ALL_FEATURES - held)
    # granting oneself, or a new user, the existing role with every feature
    _refused_with(
        NotAllowed,
        "access.grant_exceeds_own",
        [
            lambda: access.grant(
                Grant(actor=keeper, user_id=keeper, role_ids=frozenset({everything}))
            ),
            lambda: access.grant(
                Grant(actor=roler, user_id=roler, role_ids=frozenset({everything}))
            ),
            lambda: access.create_user(
                CreateUser(
                    actor=keeper,
                    name="Kwaad",
                    email=f"kwaad-{two.tag}@example.nl",
                    role_ids=frozenset({everything}),
                    scope=frozenset({_employer_ref(two.a)}),
                )
            ),
        ],
    )

    # a unit outside one's scope, or above it: answered as a unit that does not exist
    def grant_unit(unit: UnitRef) -> object:
        return access.grant(Grant(actor=keeper, user_id=keeper, units=frozenset({unit})))

    for unit in (_employer_ref(two.b), UnitRef(UnitKind.FOLDER, two.folder_a)):
        error = _same_answer(grant_unit, unit, UnitRef(unit.kind, uuid.uuid4()))
        assert (type(error), error.details) == (
            NotFound,
            {"kind": unit.kind.value, "id": str(unit.id)},
        )

    def create_in(employer_id: uuid.UUID) -> object:
        return access.create_user(
            CreateUser(
                actor=keeper,
                name="X",
                email=f"x-{two.tag}@example.nl",
                scope=frozenset({_employer_ref(employer_id)}),
            )
        )

    error = _same_answer(create_in, two.b, uuid.uuid4())
    assert error.details == {"kind": "employer", "id": str(two.b)}

    # users outside one's scope (and super administrators) can be neither managed nor seen
    def grant_to(user_id: uuid.UUID) -> object:
        return access.grant(Grant(actor=keeper, user_id=user_id))

    def look_at(user_id: uuid.UUID) -> object:
        return access.principal(GetPrincipal(actor=keeper, user_id=user_id))

    for target in (two.b_user, two.admin):
        error = _same_answer(grant_to, target, uuid.uuid4())
        assert error.details == {"kind": "user", "id": str(target)}
        _same_answer(look_at, target, uuid.uuid4())
    assert access.find_user(FindUser(actor=keeper, email=f"b-{two.tag}@example.nl")) is None
    # a user scoped to a department of A does not manage a user scoped to all of A
    _same_answer(
        lambda user_id: access.grant(Grant(actor=narrow, user_id=user_id)), keeper, uuid.uuid4()
    )
    assert two.fingerprint() == before  # every refusal above changed nothing

    # the positive control: what one holds, inside one's scope, may be granted
    mine = access.create_role(
        CreateRole(actor=roler, name="Gebruikersbeheer", features=frozenset({Feature.MANAGE_USERS}))
    )
    access.grant(
        Grant(
            actor=roler,
            user_id=narrow,
            role_ids=frozenset({mine}),
            units=frozenset({_department_ref(two.a2)}),
        )
    )
    seen = access.principal(GetPrincipal(actor=roler, user_id=narrow))
    assert seen.scope.units == {_department_ref(two.a1), _department_ref(two.a2)}


def test_r0_6_a_scope_without_a_role_may_do_nothing(two: Two) -> None:
    xs = two.xs
    nobody = two.user((), _employer_ref(two.a), roles=False)
    before = two.fingerprint()
    _refused_with(
        NotAllowed,
        "access.not_authorised",
        [
            lambda: xs.organisation.search(AdvancedSearch(actor=nobody, term="Dubbel")),
            lambda: xs.organisation.employer(GetEmployer(actor=nobody, employer_id=two.a)),
            lambda: xs.organisation.employee(GetEmployee(actor=nobody, employee_id=two.dual)),
            lambda: xs.organisation.departments(ListDepartments(actor=nobody, employer_id=two.a)),
            lambda: xs.trajectories.trajectories_of(
                TrajectoriesOf(actor=nobody, employee_id=two.dual)
            ),
            lambda: xs.agenda.request_appointment(
                RequestAppointment(
                    actor=nobody,
                    employee_id=two.dual,
                    purpose="Spreekuur",
                    desired_period=DateRange(D(2026, 12, 7), D(2026, 12, 12)),
                )
            ),
            lambda: xs.action_links.links(
                ActionLinks(actor=nobody, placement=Placement.PORTAL_WIDGET)
            ),
            lambda: xs.billing.invoice_bases(ListInvoiceBases(actor=nobody)),
            lambda: xs.access.principal(GetPrincipal(actor=nobody, user_id=two.b_user)),
        ],
    )
    assert two.fingerprint() == before
    # one's own principal is always readable: no features, the granted scope
    own = xs.access.principal(GetPrincipal(actor=nobody, user_id=nobody))
    assert (own.features, own.scope.units) == (frozenset(), {_employer_ref(two.a)})


def test_r0_6_an_employment_at_another_employer_is_out_of_reach(two: Two) -> None:
    """``dual`` is in A's scope, but their employment at B is not: ending, changing, making it
    leading or reporting sick on it gets the answer of an unknown employment; reads show only
    the employment at A."""
    xs = two.xs
    hr = two.user(
        {Feature.MANAGE_EMPLOYMENTS, Feature.VIEW_ORGANISATION, Feature.START_TRAJECTORIES},
        _employer_ref(two.a),
    )
    narrow = two.user({Feature.MANAGE_EMPLOYMENTS}, _department_ref(two.a1))
    protocol = xs.protocols.create_protocol(
        CreateProtocol(actor=two.admin, name=f"Verzuim {two.tag}", kind=ProtocolKind.SICKNESS)
    )
    before = two.fingerprint()
    uses: list[Callable[[uuid.UUID], object]] = [
        lambda e: xs.employments.end_employment(
            EndEmployment(
                actor=hr,
                employee_id=two.dual,
                employment_id=e,
                end=D(2027, 1, 1),
                reason=EndReason.RESIGNATION,
            )
        ),
        lambda e: xs.employments.change_employment(
            ChangeEmployment(
                actor=hr,
                employee_id=two.dual,
                employment_id=e,
                effective=D(2026, 12, 1),
                hours_per_week=Decimal(8),
            )
        ),
        lambda e: xs.organisation.set_leading_employment(
            SetLeadingEmployment(actor=hr, employee_id=two.dual, employment_id=e)
        ),
        lambda e: xs.trajectories.report_sickness(
            ReportSickness(
                actor=hr,
                protocol_id=protocol,
                employee_id=two.dual,
                first_sick_day=D(2026, 11, 2),
                employment_id=e,
            )
        ),
    ]
    for use in uses:
        error = _same_answer(use, two.dual_at_b, uuid.uuid4())
        assert (error.code, error.details) == (
            "organisation.employment_not_found",
            {"employment_id": str(two.dual_at_b)},
        )

    # into B, or into a department of B: answered as for an unknown unit
    def employ_at(employer_id: uuid.UUID) -> object:
        return xs.organisation.add_employment(
            AddEmployment(
                actor=hr,
                employee_id=two.dual,
                terms=EmploymentTerms(employer_id=employer_id, start=D(2026, 12, 1)),
            )
        )

    error = _same_answer(employ_at, two.b, uuid.uuid4())
    assert error.details == {"kind": "employer", "id": str(two.b)}

    def move(actor: uuid.UUID) -> Callable[[uuid.UUID], object]:
        return lambda department_id: xs.employments.change_employment(
            ChangeEmployment(
                actor=actor,
                employee_id=two.dual,
                employment_id=two.dual_at_a,
                effective=D(2026, 12, 1),
                department_id=department_id,
            )
        )

    _same_answer(move(hr), two.b1, uuid.uuid4())
    _same_answer(move(narrow), two.a2, uuid.uuid4())  # scoped to A1: A2 is out of reach too
    assert two.fingerprint() == before

    # reads: only the employment at A
    b_ids = {str(two.b), str(two.b1), str(two.dual_at_b)}
    answers = [
        xs.organisation.employee(GetEmployee(actor=hr, employee_id=two.dual)),
        xs.employments.leading_employment_on(
            LeadingEmploymentOn(actor=hr, employee_id=two.dual, day=D(2026, 6, 1))
        ),
        xs.action_links.open(
            OpenActionLink(
                actor=hr,
                link=ActionLink.UIT_DIENST_MELDEN,
                placement=Placement.DOSSIER_ACTION_LIST,
                dossier_id=two.dual_dossier,
            )
        ),
    ]
    for answer in answers:
        assert [i for i in b_ids if i in repr(answer)] == [], answer
    employee = xs.organisation.employee(GetEmployee(actor=hr, employee_id=two.dual))
    assert [e.id for e in employee.employments] == [two.dual_at_a]
    # the super administrator sees both
    full = xs.organisation.employee(GetEmployee(actor=two.admin, employee_id=two.dual))
    assert {e.id for e in full.employments} == {two.dual_at_a, two.dual_at_b}

    # the positive control: the employment at A can be changed and ended
    move(hr)(two.a2)
    xs.employments.end_employment(
        EndEmployment(
            actor=hr,
            employee_id=two.dual,
            employment_id=two.dual_at_a,
            end=D(2027, 1, 1),
            reason=EndReason.RESIGNATION,
        )
    )


def test_r4_4_no_activity_on_another_employers_appointment(two: Two) -> None:
    xs = two.xs
    registrar = two.user(
        {Feature.REGISTER_ACTIVITIES, Feature.PLAN_AVAILABILITIES}, _employer_ref(two.a)
    )
    before = two.fingerprint()

    def register(appointment: uuid.UUID) -> Any:
        return xs.agenda.register_activity(
            RegisterActivity(
                actor=registrar,
                employee_id=two.dual,
                activity_type="Spreekuur",
                performed_on=D(2026, 12, 1),
                appointment_id=appointment,
            )
        )

    error = _same_answer(register, two.b_appointment, uuid.uuid4())
    assert (type(error), error.details) == (
        NotFound,
        {"kind": "appointment", "id": str(two.b_appointment)},
    )
    _same_answer(
        lambda a: xs.agenda.complete_appointment(
            CompleteAppointment(actor=registrar, appointment_id=a)
        ),
        two.b_appointment,
        uuid.uuid4(),
    )
    _same_answer(
        lambda a: xs.agenda.remove_appointment(
            RemoveAppointment(actor=registrar, appointment_id=a)
        ),
        two.b_appointment,
        uuid.uuid4(),
    )

    def plan_for(employee_id: uuid.UUID) -> object:
        return xs.agenda.plan_appointment(
            PlanAppointment(
                actor=registrar,
                availability_id=uuid.uuid4(),
                employee_id=employee_id,
                start=at(1, 11),
                end=at(1, 11, 30),
            )
        )

    error = _same_answer(plan_for, two.at_b, uuid.uuid4())
    assert error.details == {"kind": "employee", "id": str(two.at_b)}
    assert two.fingerprint() == before
    # the positive control: on the appointment of the person in scope
    activity = register(two.dual_appointment)
    assert activity.appointment_id == two.dual_appointment


def test_r0_6_the_whole_organisation_needs_a_super_administrator(two: Two) -> None:
    org = two.xs.organisation
    manager = two.user(
        {Feature.MANAGE_ORGANISATION, Feature.MANAGE_EMPLOYMENTS},
        UnitRef(UnitKind.FOLDER, two.folder_a),
    )
    before = two.fingerprint()
    _refused_with(
        NotAllowed,
        "access.scope_required",
        [
            lambda: org.create_folder(CreateFolder(actor=manager, name="Map")),
            lambda: org.create_employer(CreateEmployer(actor=manager, name="Zonder map")),
            lambda: org.change_employer(
                ChangeEmployer(actor=manager, employer_id=two.a, move=True)
            ),
            lambda: org.register_employee(
                RegisterEmployee(actor=manager, first_name="Zonder", last_name="Dienstverband")
            ),
        ],
    )
    # moving an employer into a folder outside one's scope
    _same_answer(
        lambda folder_id: org.change_employer(
            ChangeEmployer(actor=manager, employer_id=two.a, move=True, folder_id=folder_id)
        ),
        two.folder_b,
        uuid.uuid4(),
    )
    assert two.fingerprint() == before
    created = org.create_employer(
        CreateEmployer(actor=manager, name="In de map", folder_id=two.folder_a)
    )
    assert org.employer(GetEmployer(actor=manager, employer_id=created)).folder_id == two.folder_a


def test_r2_2_a_bulk_start_reaches_no_unit_outside_the_scope(two: Two) -> None:
    """``dual`` is in the planner's scope through A; their employment at B is not reached by
    choosing B as the unit (answered as an unknown employer), nor by naming them."""
    xs = two.xs
    planner = two.user({Feature.START_TRAJECTORIES_IN_BULK}, _employer_ref(two.a))
    protocol = xs.protocols.create_protocol(
        CreateProtocol(
            actor=two.admin,
            name=f"PMO {two.tag}",
            kind=ProtocolKind.PMO,
            characteristics=ProtocolCharacteristics(may_start_in_bulk=True),
        )
    )

    def start(unit: BulkUnit, employee_ids: frozenset[uuid.UUID] | None = None) -> Any:
        return xs.bulk_start.start(
            BulkStart(
                actor=planner,
                request=BulkStartRequest(
                    request_id=uuid.uuid4(),
                    protocol_id=protocol,
                    unit=unit,
                    start=D(2026, 12, 1),
                    end_date=D(2027, 5, 31),
                    employee_ids=employee_ids,
                ),
            )
        )

    def propose(unit: BulkUnit) -> object:
        return xs.bulk_start.propose(
            ProposeBulkStart(actor=planner, protocol_id=protocol, unit=unit, start=D(2026, 12, 1))
        )

    before = two.fingerprint()
    for outside, unknown in (
        (
            BulkUnit(employer_ids=frozenset({two.b})),
            BulkUnit(employer_ids=frozenset({uuid.uuid4()})),
        ),
        (
            BulkUnit(employer_ids=frozenset({two.a, two.b})),
            BulkUnit(employer_ids=frozenset({two.a, uuid.uuid4()})),
        ),
        (BulkUnit(department_id=two.b1), BulkUnit(department_id=uuid.uuid4())),
    ):
        _same_answer(start, outside, unknown)
        _same_answer(propose, outside, unknown)
    assert two.fingerprint() == before
    # the positive control: at A, dual starts on the employment at A; B's people are skipped
    result = start(
        BulkUnit(employer_ids=frozenset({two.a})), employee_ids=frozenset({two.dual, two.at_b})
    )
    assert {(o.employee_id, o.reason) for o in result.outcomes} == {
        (two.dual, None),
        (two.at_b, SkipReason.OUT_OF_SCOPE),
    }
    (started,) = xs.trajectories.trajectories_of(
        TrajectoriesOf(actor=two.admin, employee_id=two.dual)
    )
    assert started.employment_id == two.dual_at_a


def test_r0_6_an_actor_that_is_no_user_id(two: Two) -> None:
    """A command refuses a non-UUID actor when it is made; the authoriser refuses anything that
    is not a known user's id, the nil UUID included."""
    with pytest.raises(InvalidInput) as invalid:
        GetEmployer(actor="beheer@example.nl", employer_id=two.a)  # type: ignore[arg-type]
    assert invalid.value.details["field"] == "actor"
    with two.xs.unit_of_work(write=False) as uow:
        auth = Authoriser(uow.users, uow.roles, uow.scopes)
        for actor in ("beheer@example.nl", str(two.admin), None, NIL, uuid.uuid4()):
            with pytest.raises(NotAllowed) as refused:
                auth.principal(actor)
            assert refused.value.code == "access.unknown_actor"
        assert auth.principal(two.admin).is_super_administrator


def test_r0_6_many_units_are_judged_in_bulk_as_one_by_one(two: Two) -> None:
    """R0.6: a command naming many units (a report over every employer, R3.1) reads their
    ancestors in bulk; the answer is the one-by-one answer: the first unit (in the order named)
    that does not exist or lies outside the scope is refused, ``not_found`` alike."""
    scoped = two.user({Feature.VIEW_REPORTS}, UnitRef(UnitKind.FOLDER, two.folder_a))
    inside = [
        UnitRef(UnitKind.FOLDER, two.folder_a),
        _employer_ref(two.a),
        _department_ref(two.a1),
        _department_ref(two.a2),
    ]
    with two.xs.unit_of_work(write=False) as uow:
        auth = Authoriser(uow.users, uow.roles, uow.scopes)
        principal = auth.principal(scoped)
        auth.require_all_visible(principal, inside)
        for outside in (
            _employer_ref(two.b),
            _department_ref(two.b1),
            UnitRef(UnitKind.FOLDER, two.folder_b),
            _employer_ref(uuid.uuid4()),
        ):
            for units in ([*inside, outside, _employer_ref(two.b)], [outside, *inside]):
                with pytest.raises(NotFound) as bulk:
                    auth.require_all_visible(principal, units)
                with pytest.raises(NotFound) as alone:
                    auth.require_visible(principal, outside)
                assert _shape(bulk.value) == _shape(alone.value)
                assert bulk.value.details["id"] == str(outside.id)
