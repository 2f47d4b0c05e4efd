"""Worlds: small, consistent organisations built through the services into an application.

:func:`worlds` draws a world kind by kind — the list of that kind's entities, then makes them
with the services' use cases — as a super administrator made with
``xs.installation.create_super_administrator``: folders, employers (some with a code, some in a
folder), nested departments, employees with their employments (R1.2), appointment locations,
professionals (users holding ``agenda.hold_availabilities``) with availabilities (R4.3),
protocols (R2.1), contract models, service agreements and subscriptions (R5.1). It returns a
:class:`World`: the ids by kind, and how they hang together, so that a property can draw commands
that name real entities.

Sizes are small by default. Every kind is drawn as a list, whose length the shrinker lowers by
deleting entities (a reference to an earlier entity is an index taken modulo their number, so it
survives deletions), so a failing example comes back with the fewest entities that still fail
it. (Drawing every count up front, then the entities, shrank worse: lowering one count shifted
all later draws, and minimal examples kept entities they did not need.) Every entity is made
through a service, so a world is as valid as the services make it, on any storage.

A world is built into the application it is given. To keep examples independent, give a
factory — ``worlds(base.fork)``: each example builds into a fresh fork of a loaded memory
application (load once, fork per example). Given an application itself, the examples' worlds
accumulate in it; codes and e-mail addresses that are already taken are then made unique with a
random suffix.
"""

from __future__ import annotations

import datetime as _dt
import functools
import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from xs_app.bootstrap import Xs
from xs_app.services.access import CreateRole, CreateUser
from xs_app.services.agenda import CreateLocation, PlanAvailability
from xs_app.services.billing import (
    ConcludeAgreement,
    CreateContractModel,
    Subscribe,
)
from xs_app.services.organisation import (
    AddEmployment,
    CreateDepartment,
    CreateEmployer,
    CreateFolder,
    EmploymentTerms,
    GetEmployee,
    RegisterEmployee,
)
from xs_app.services.protocols import CreateProtocol
from xs_core import limits
from xs_core.access.features import Feature
from xs_core.agenda.spans import LOCAL_ZONE, TimeSpan
from xs_core.billing.contracts import ContractKind, PriceCategory
from xs_core.billing.frequency import ALLOWED_DEVIATIONS, BillingFrequency
from xs_core.dates import DateRange
from xs_core.errors import Conflict
from xs_core.money import Money
from xs_core.organisation.model import EmploymentType, Gender
from xs_core.protocols.model import ProtocolKind, TaskTemplate
from xs_core.testing import strategies as xst

Ids = tuple[uuid.UUID, ...]
Range = tuple[int, int]
T = TypeVar("T")

#: Availabilities lie on consecutive days from this Monday in January (no daylight-saving
#: change), one a day, so that they never overlap (R4.3).
FIRST_AVAILABILITY_DAY = _dt.date(2030, 1, 7)
#: Activity types contract models price; each model prices its own (R5.1: then an employer's
#: agreements on different models never price a type twice).
ACTIVITY_TYPES = ("Spreekuur", "Werkplekonderzoek", "Consult", "Huisbezoek", "Intake", "Evaluatie")
TASKS = (
    TaskTemplate(code="VRAGENLIJST", title="Vragenlijst"),
    TaskTemplate(code="INTAKE", title="Intake"),
)


@attrs.frozen(kw_only=True)
class World:
    """A world built through the services into :attr:`xs`: the ids by kind, and how they hang
    together (what the services were told). Every mapping is keyed by the id of the entity it
    describes."""

    xs: Xs
    #: the super administrator who built it
    admin: uuid.UUID
    folders: Ids = ()
    employers: Ids = ()
    departments: Ids = ()
    employees: Ids = ()
    employments: Ids = ()
    locations: Ids = ()
    professionals: Ids = ()
    availabilities: Ids = ()
    protocols: Ids = ()
    contract_models: Ids = ()
    agreements: Ids = ()
    subscriptions: Ids = ()
    #: folders, employers, departments, employees (first and last name), locations,
    #: professionals, protocols, contract models → name
    names: Mapping[uuid.UUID, str] = attrs.field(factory=dict)
    #: employers and departments that have a code → code
    codes: Mapping[uuid.UUID, str] = attrs.field(factory=dict)
    #: employer → its folder (or ``None``)
    folder_of: Mapping[uuid.UUID, uuid.UUID | None] = attrs.field(factory=dict)
    #: department, employment, agreement → employer
    employer_of: Mapping[uuid.UUID, uuid.UUID] = attrs.field(factory=dict)
    #: department → its parent department (or ``None``)
    parent_of: Mapping[uuid.UUID, uuid.UUID | None] = attrs.field(factory=dict)
    #: employment → employee
    employee_of: Mapping[uuid.UUID, uuid.UUID] = attrs.field(factory=dict)
    #: employment → its department (or ``None``)
    department_of: Mapping[uuid.UUID, uuid.UUID | None] = attrs.field(factory=dict)
    #: employee → the leading employment (employees with employments)
    leading: Mapping[uuid.UUID, uuid.UUID] = attrs.field(factory=dict)
    #: employment, contract model (active), agreement, subscription → period
    period_of: Mapping[uuid.UUID, DateRange] = attrs.field(factory=dict)
    #: availability → span, location, professional
    span_of: Mapping[uuid.UUID, TimeSpan] = attrs.field(factory=dict)
    location_of: Mapping[uuid.UUID, uuid.UUID] = attrs.field(factory=dict)
    professional_of: Mapping[uuid.UUID, uuid.UUID] = attrs.field(factory=dict)
    #: protocol → kind
    protocol_kind: Mapping[uuid.UUID, ProtocolKind] = attrs.field(factory=dict)
    #: contract model → frequency; agreement → the frequency it bills (R5.1)
    frequency_of: Mapping[uuid.UUID, BillingFrequency] = attrs.field(factory=dict)
    #: agreement → contract model; subscription → agreement
    model_of: Mapping[uuid.UUID, uuid.UUID] = attrs.field(factory=dict)
    agreement_of: Mapping[uuid.UUID, uuid.UUID] = attrs.field(factory=dict)

    def departments_of(self, employer: uuid.UUID) -> Ids:
        return tuple(d for d in self.departments if self.employer_of[d] == employer)

    def employments_of(self, employee: uuid.UUID) -> Ids:
        return tuple(e for e in self.employments if self.employee_of[e] == employee)

    def agreements_of(self, employer: uuid.UUID) -> Ids:
        return tuple(a for a in self.agreements if self.employer_of[a] == employer)

    def fork(self) -> World:
        """The same world on a fork of its (memory) application: a copy to change freely."""
        return attrs.evolve(self, xs=self.xs.fork())


# -- drawing -------------------------------------------------------------------------------------


_OFFSET = st.integers(0, 3 * 365)
_LENGTH = st.integers(1, 5 * 365)
_OPEN = st.booleans()
_DAY = _dt.timedelta(days=1)


@st.composite
def _period(draw: st.DrawFn, first: _dt.date, last: _dt.date) -> DateRange:
    """A range starting between ``first`` and ``last``, open-ended or up to five years long."""
    start = draw(xst.dates(first, last))
    open_ended, length = draw(_OPEN), draw(_LENGTH)
    return DateRange(start, None if open_ended else start + length * _DAY)


#: Where a range lies inside another: an offset from its start, open-ended or not, a length.
_PERIOD_IN = st.tuples(_OFFSET, _OPEN, _LENGTH)


def _period_in(within: DateRange, offset: int, open_ended: bool, length: int) -> DateRange:
    """A range inside ``within`` (R5.1: an agreement inside its model's active period, a
    subscription inside its agreement's). The same draws whatever ``within`` is, so that the
    shrinker can delete the outer entity without the inner draws losing their shape."""
    start = within.start + offset * _DAY
    if within.end is not None:
        start = min(start, within.end - _DAY)
    if open_ended and within.end is None:
        return DateRange(start, None)
    end = start + length * _DAY
    return DateRange(start, end if within.end is None else min(end, within.end))


#: Names come from small pools: realistic (with the diacritics search normalises), cheap to draw,
#: and repeated across entities. Adversarial text is for the command strategies.
NAMES: dict[str, tuple[str, ...]] = {
    "folder": ("Regio Noord", "Regio Zuid", "Zorg", "Overheid", "Bouw"),
    "employer": (
        "Bakkerij Jansen",
        "Zorggroep Noord",
        "Gemeente Utrecht",
        "Transport De Vries",
        "Café Ölmez",
        "Bouwbedrijf Smit",
    ),
    "department": ("Productie", "Logistiek", "Inkoop", "Verkoop", "Financiën", "ICT"),
    "first": ("Anna", "Bram", "Zoë", "Daniëlle", "Jürgen", "Fenna", "Noah", "Sem", "Mila"),
    "last": ("Jansen", "de Vries", "van den Berg", "Bakker", "Öztürk", "Visser", "El Amrani"),
    "location": ("Spreekkamer 1", "Spreekkamer 2", "Utrecht Centrum", "Zwolle"),
    "protocol": ("Verzuim", "PMO", "Re-integratie", "Werkplekonderzoek"),
    "model": ("Verkoopcontract", "Begeleiding", "Abonnement Plus", "Basis"),
    "variation": ("Plus", "Basis", "Maatwerk"),
}
_NAME_STRATEGIES = {kind: st.sampled_from(pool) for kind, pool in NAMES.items()}
_GENDERS = st.sampled_from(Gender)
_EMPLOYMENT_TYPES = st.sampled_from(EmploymentType)
_HOURS = st.sampled_from([Decimal(h) for h in ("40", "36", "32", "24", "16", "37.5", "0.5")])
_CHARACTERISTICS = xst.protocol_characteristics()


def _name(kind: str) -> st.SearchStrategy[str]:
    return _NAME_STRATEGIES[kind]


# -- building -------------------------------------------------------------------------------------


def _salted(text: str, limit: int) -> str:
    """``text`` made unique with a random suffix, within ``limit`` characters."""
    suffix = uuid.uuid4().hex[:6]
    if "@" in text:
        user, _, domain = text.partition("@")
        return f"{user}-{suffix}@{domain}"
    return f"{text[: limit - len(suffix) - 1]}-{suffix}"


def _unique(make: Callable[[str], T], text: str, code: str, limit: int) -> tuple[T, str]:
    """``make(text)``; when ``text`` is taken (a :class:`Conflict` ``code``, in an application
    that already holds other worlds), once more with a unique suffix."""
    try:
        return make(text), text
    except Conflict as refused:
        if refused.code != code:
            raise
    salted = _salted(text, limit)
    return make(salted), salted


@attrs.define
class _Builder:
    xs: Xs
    admin: uuid.UUID
    ids: dict[str, list[uuid.UUID]] = attrs.field(factory=dict)
    maps: dict[str, dict[uuid.UUID, Any]] = attrs.field(factory=dict)

    def add(self, kind: str, ident: uuid.UUID, **facts: Any) -> uuid.UUID:
        self.ids.setdefault(kind, []).append(ident)
        for name, value in facts.items():
            self.maps.setdefault(name, {})[ident] = value
        return ident

    def of(self, kind: str) -> list[uuid.UUID]:
        return self.ids.get(kind, [])

    def world(self) -> World:
        facts: dict[str, Any] = {kind: tuple(ids) for kind, ids in self.ids.items()}
        facts.update(self.maps)
        return World(xs=self.xs, admin=self.admin, **facts)


@attrs.frozen
class _Target:
    """The application a world is built into, or a factory of them; a short repr, for
    hypothesis's reports."""

    xs: Xs | Callable[[], Xs]

    def app(self) -> Xs:
        return self.xs if isinstance(self.xs, Xs) else self.xs()

    def __repr__(self) -> str:
        return "<application>" if isinstance(self.xs, Xs) else "<application factory>"


def worlds(
    xs: Xs | Callable[[], Xs],
    *,
    folders: Range = (0, 2),
    employers: Range = (1, 3),
    departments: Range = (0, 3),
    employees: Range = (1, 5),
    employments: Range = (1, 2),
    locations: Range = (0, 2),
    professionals: Range = (0, 2),
    availabilities: Range = (0, 2),
    protocols: Range = (0, 2),
    contract_models: Range = (0, 2),
    agreements: Range = (0, 1),
    subscriptions: Range = (0, 1),
) -> st.SearchStrategy[World]:
    """A small consistent world, built through the services into ``xs`` (an application, or a
    function that returns a fresh one per example: ``base.fork``).

    Each size is a ``(least, most)`` range: ``folders``, ``employers``, ``employees``,
    ``locations``, ``professionals``, ``protocols`` and ``contract_models`` in the whole world;
    ``departments`` and ``agreements`` per employer; ``employments`` per employee (none without
    employers); ``availabilities`` per professional (none without locations); ``subscriptions``
    per agreement. An employer has at most one agreement per contract model (none without
    models), and a code drawn twice for one level (employers; one employer's departments) is
    left off the second entity: those may come out below their least.
    """
    sizes = _Sizes(
        folders=folders,
        employers=employers,
        departments=departments,
        employees=employees,
        employments=employments,
        locations=locations,
        professionals=professionals,
        availabilities=availabilities,
        protocols=protocols,
        contract_models=contract_models,
        agreements=agreements,
        subscriptions=subscriptions,
    )
    return _worlds(_Target(xs), sizes)


@attrs.frozen(kw_only=True)
class _Sizes:
    folders: Range
    employers: Range
    departments: Range
    employees: Range
    employments: Range
    locations: Range
    professionals: Range
    availabilities: Range
    protocols: Range
    contract_models: Range
    agreements: Range
    subscriptions: Range

    def __attrs_post_init__(self) -> None:
        for name, (low, high) in attrs.asdict(self).items():
            if not 0 <= low <= high:
                raise InvalidArgument(f"{name}={(low, high)!r}: need 0 <= least <= most")


#: A reference to an earlier entity: an index taken modulo their number, so that its draws keep
#: their shape whatever the shrinker deletes before it.
_REF = st.integers(0, 15)
_MAXIMUM = st.none() | st.integers(1, 3)
_HOUR = st.integers(7, 16)
_MINUTE = st.sampled_from((0, 15, 30, 45))
_QUARTERS = st.integers(1, 16)
_PRICE = xst.money(0, 100_000)
_AMOUNT = xst.money(0, 1_000_000)
_DESCRIPTION = st.sampled_from(("Abonnement", "Basispakket", "Verzuimbegeleiding"))


def _lists(element: st.SearchStrategy[T], bounds: Range) -> st.SearchStrategy[list[T]]:
    return st.lists(element, min_size=bounds[0], max_size=bounds[1])


def _pick(ref: int | None, choices: Sequence[T]) -> T | None:
    return None if ref is None or not choices else choices[ref % len(choices)]


def _first_free(code: str | None, taken: set[str]) -> str | None:
    """A drawn code, unless an earlier entity of its level took it (then none)."""
    if code is None or code.casefold() in taken:
        return None
    taken.add(code.casefold())
    return code


@attrs.frozen
class _Specs:
    """The strategies of one ``worlds(…)`` call, made once (a strategy made anew in every draw
    is validated anew: that cost more than building the world). An entity's spec holds the
    specs of what belongs to it (an employer's departments and agreements, an agreement's
    subscriptions), so deleting it deletes them with it."""

    folders: st.SearchStrategy[list[str]]
    employers: st.SearchStrategy[list[Any]]
    #: with and without employers to be employed by
    employees: tuple[st.SearchStrategy[list[Any]], st.SearchStrategy[list[Any]]]
    locations: st.SearchStrategy[list[tuple[str, int | None]]]
    #: with and without locations to be available at
    professionals: tuple[st.SearchStrategy[list[Any]], st.SearchStrategy[list[Any]]]
    protocols: st.SearchStrategy[list[Any]]
    contract_models: st.SearchStrategy[list[Any]]


@functools.lru_cache(maxsize=64)
def _specs(sizes: _Sizes, latest_birth: _dt.date) -> _Specs:
    code = st.none() | xst.codes(8)
    ref = st.none() | _REF
    department = st.tuples(_name("department"), code, ref)
    subscription = st.tuples(_DESCRIPTION, _AMOUNT, _PERIOD_IN)
    agreement = st.tuples(
        _REF,
        st.none() | _name("variation"),
        ref,
        _PERIOD_IN,
        _lists(subscription, sizes.subscriptions),
    )
    employer = st.tuples(
        _name("employer"),
        code,
        ref,
        _lists(department, sizes.departments),
        _lists(agreement, sizes.agreements),
    )
    employment = st.tuples(
        _REF,
        ref,
        _period(_dt.date(2000, 1, 1), _dt.date(2030, 12, 31)),
        _EMPLOYMENT_TYPES,
        _HOURS,
        st.booleans(),
    )

    def employee(employments: Range) -> st.SearchStrategy[list[Any]]:
        spec = st.tuples(
            _name("first"),
            _name("last"),
            st.none() | xst.birth_dates(max_value=latest_birth),
            _GENDERS,
            _lists(employment, employments),
        )
        return _lists(spec, sizes.employees)

    availability = st.tuples(_REF, _HOUR, _MINUTE, _QUARTERS)

    def professional(availabilities: Range) -> st.SearchStrategy[list[Any]]:
        spec = st.tuples(_name("first"), _name("last"), _lists(availability, availabilities))
        return _lists(spec, sizes.professionals)

    protocol = st.tuples(
        _name("protocol"),
        st.sampled_from(ProtocolKind),
        st.lists(st.sampled_from(TASKS), unique=True),
        _CHARACTERISTICS,
    )
    model = st.tuples(
        _name("model"),
        st.sampled_from(ContractKind),
        xst.billing_frequencies(),
        _period(_dt.date(2020, 1, 1), _dt.date(2030, 12, 31)),
        st.lists(st.tuples(st.sampled_from(ACTIVITY_TYPES), _PRICE), max_size=2),
    )
    return _Specs(
        folders=_lists(_name("folder"), sizes.folders),
        employers=_lists(employer, sizes.employers),
        employees=(employee(sizes.employments), employee((0, 0))),
        locations=_lists(st.tuples(_name("location"), _MAXIMUM), sizes.locations),
        professionals=(professional(sizes.availabilities), professional((0, 0))),
        protocols=_lists(protocol, sizes.protocols),
        contract_models=_lists(model, sizes.contract_models),
    )


@st.composite
def _worlds(draw: st.DrawFn, target: _Target, sizes: _Sizes) -> World:
    """Kind by kind, in the order the services need them: draw the list of that kind's
    entities, then make them. Every kind is a list, so shrinking deletes entities."""
    app = target.app()
    specs = _specs(sizes, min(_dt.date(2008, 12, 31), app.clock.today()))
    admin, _ = _unique(
        lambda email: app.installation.create_super_administrator("Wereldbeheer", email),
        "wereldbeheer@example.nl",
        "access.email_in_use",
        limits.EMAIL,
    )
    b = _Builder(app, admin)
    org = app.organisation

    for name in draw(specs.folders):
        b.add("folders", org.create_folder(CreateFolder(actor=admin, name=name)), names=name)

    taken: set[str] = set()
    agreements: list[tuple[uuid.UUID, Any]] = []
    for name, drawn_code, folder_ref, departments, their_agreements in draw(specs.employers):
        code = _first_free(drawn_code, taken)
        employer = _employer(b, name, code, _pick(folder_ref, b.of("folders")))
        _departments(b, employer, departments)
        agreements += [(employer, spec) for spec in their_agreements]

    employees = specs.employees[0 if b.of("employers") else 1]
    for first, last, birth, gender, employments in draw(employees):
        terms = [_terms(b, *spec) for spec in employments]
        _employee(b, first, last, birth, gender, terms)

    for name, maximum in draw(specs.locations):
        location = app.agenda.create_location(
            CreateLocation(actor=admin, name=name, max_parallel=maximum)
        )
        b.add("locations", location, names=name)

    professionals = draw(specs.professionals[0 if b.of("locations") else 1])
    if professionals:
        _professionals(b, professionals)

    for name, kind, tasks, characteristics in draw(specs.protocols):
        protocol = app.protocols.create_protocol(
            CreateProtocol(
                actor=admin,
                name=name,
                kind=kind,
                task_templates=tuple(tasks),
                characteristics=characteristics,
            )
        )
        b.add("protocols", protocol, names=name, protocol_kind=kind)

    priced: set[str] = set()
    for name, kind, frequency, active, prices in draw(specs.contract_models):
        # each model prices types no other model of the world prices (R5.1, see ACTIVITY_TYPES)
        categories = []
        for activity_type, price in prices:
            if activity_type not in priced:
                priced.add(activity_type)
                categories.append(PriceCategory(activity_type=activity_type, price=price))
        model = app.billing.create_contract_model(
            CreateContractModel(
                actor=admin,
                name=name,
                kind=kind,
                billing_frequency=frequency,
                active=active,
                price_categories=tuple(categories),
            )
        )
        b.add("contract_models", model, names=name, period_of=active, frequency_of=frequency)

    models = b.of("contract_models")
    concluded: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for employer, (model_ref, variation, deviation_ref, where, subscriptions) in agreements:
        chosen = _pick(model_ref, models)
        if chosen is not None and (employer, chosen) not in concluded:
            concluded.add((employer, chosen))  # one agreement per model and employer
            _agreement(b, employer, chosen, variation, deviation_ref, where, subscriptions)
    return b.world()


def _departments(b: _Builder, employer: uuid.UUID, specs: list[Any]) -> None:
    mine: list[uuid.UUID] = []
    codes: set[str] = set()
    for name, drawn_code, parent_ref in specs:
        code = _first_free(drawn_code, codes)
        parent = _pick(parent_ref, mine)
        department = b.xs.organisation.create_department(
            CreateDepartment(
                actor=b.admin, employer_id=employer, name=name, code=code, parent_id=parent
            )
        )
        mine.append(department)
        b.add("departments", department, names=name, employer_of=employer, parent_of=parent)
        if code is not None:
            b.maps.setdefault("codes", {})[department] = code


def _employer(b: _Builder, name: str, code: str | None, folder: uuid.UUID | None) -> uuid.UUID:
    def create(code: str | None) -> uuid.UUID:
        return b.xs.organisation.create_employer(
            CreateEmployer(actor=b.admin, name=name, code=code, folder_id=folder)
        )

    if code is None:
        employer = create(None)
    else:
        employer, code = _unique(create, code, "organisation.code_in_use", limits.CODE)
        b.maps.setdefault("codes", {})[employer] = code
    return b.add("employers", employer, names=name, folder_of=folder)


def _terms(
    b: _Builder,
    employer_ref: int,
    department_ref: int | None,
    period: DateRange,
    employment_type: EmploymentType,
    hours: Decimal,
    leading: bool,
) -> EmploymentTerms:
    employers = b.of("employers")
    employer = employers[employer_ref % len(employers)]
    own = [d for d in b.of("departments") if b.maps["employer_of"][d] == employer]
    return EmploymentTerms(
        employer_id=employer,
        department_id=_pick(department_ref, own),
        start=period.start,
        end=period.end,
        employment_type=employment_type,
        hours_per_week=hours,
        leading=leading,
    )


def _employee(
    b: _Builder,
    first: str,
    last: str,
    birth: _dt.date | None,
    gender: Gender,
    terms: list[EmploymentTerms],
) -> None:
    org, admin = b.xs.organisation, b.admin
    employee = org.register_employee(
        RegisterEmployee(
            actor=admin,
            first_name=first,
            last_name=last,
            birth_date=birth,
            gender=gender,
            employment=terms[0] if terms else None,
        )
    )
    b.add("employees", employee, names=f"{first} {last}")
    for index, term in enumerate(terms):
        if index == 0:
            found = org.employee(GetEmployee(actor=admin, employee_id=employee))
            employment = found.employments[0].id
        else:
            employment = org.add_employment(
                AddEmployment(actor=admin, employee_id=employee, terms=term)
            )
        b.add(
            "employments",
            employment,
            employee_of=employee,
            employer_of=term.employer_id,
            department_of=term.department_id,
            period_of=DateRange(term.start, term.end),
        )
        # the first employment leads, and so does a later one added as leading (R1.2)
        if index == 0 or term.leading:
            b.maps.setdefault("leading", {})[employee] = employment


def _professionals(
    b: _Builder, professionals: list[tuple[str, str, list[tuple[int, int, int, int]]]]
) -> None:
    app, admin = b.xs, b.admin
    role = app.access.create_role(
        CreateRole(
            actor=admin,
            name="Zorgprofessional",
            features=frozenset({Feature.HOLD_AVAILABILITIES}),
        )
    )
    day = 0
    for number, (first, last, availabilities) in enumerate(professionals):
        name = f"{first} {last}"

        def user(email: str, name: str = name) -> uuid.UUID:
            return app.access.create_user(
                CreateUser(actor=admin, name=name, email=email, role_ids=frozenset({role}))
            )

        professional, _ = _unique(
            user, f"professional-{number + 1}@example.nl", "access.email_in_use", limits.EMAIL
        )
        b.add("professionals", professional, names=name)
        for location_ref, hour, minute, quarters in availabilities:
            locations = b.of("locations")
            location = locations[location_ref % len(locations)]
            on = FIRST_AVAILABILITY_DAY + _dt.timedelta(days=day)
            day += 1  # one a day: never two at once (R4.3)
            start = _dt.datetime(on.year, on.month, on.day, hour, minute, tzinfo=LOCAL_ZONE)
            span = TimeSpan(start, start + _dt.timedelta(minutes=15 * quarters))
            availability = app.agenda.plan_availability(
                PlanAvailability(
                    actor=admin,
                    professional_id=professional,
                    location_id=location,
                    start=span.start,
                    end=span.end,
                )
            )
            b.add(
                "availabilities",
                availability,
                span_of=span,
                location_of=location,
                professional_of=professional,
            )


def _agreement(
    b: _Builder,
    employer: uuid.UUID,
    model: uuid.UUID,
    variation: str | None,
    deviation_ref: int | None,
    where: tuple[int, bool, int],
    subscriptions: list[tuple[str, Money, tuple[int, bool, int]]],
) -> None:
    app, admin = b.xs, b.admin
    active: DateRange = b.maps["period_of"][model]
    frequency: BillingFrequency = b.maps["frequency_of"][model]
    period = _period_in(active, *where)
    # R5.1: a deviating frequency needs a service variation, and is strictly shorter
    deviation = _pick(deviation_ref, ALLOWED_DEVIATIONS[frequency]) if variation else None
    agreement = app.billing.conclude_agreement(
        ConcludeAgreement(
            actor=admin,
            employer_id=employer,
            contract_model_id=model,
            period=period,
            service_variation=variation,
            deviating_frequency=deviation,
        )
    )
    b.add(
        "agreements",
        agreement,
        employer_of=employer,
        model_of=model,
        period_of=period,
        frequency_of=deviation or frequency,
    )
    for description, amount, inside in subscriptions:
        within = _period_in(period, *inside)
        subscription = app.billing.subscribe(
            Subscribe(
                actor=admin,
                agreement_id=agreement,
                description=description,
                amount=amount,
                period=within,
            )
        )
        b.add("subscriptions", subscription, agreement_of=agreement, period_of=within)


__all__ = ["ACTIVITY_TYPES", "FIRST_AVAILABILITY_DAY", "NAMES", "World", "worlds"]
