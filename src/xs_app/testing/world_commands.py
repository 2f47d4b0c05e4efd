"""Commands against a world: common use cases, naming the world's real entities, that the
services accept on the world as it was built (R0.6, R1.2, R2.3, R4.1, R4.3, R5.1).

Each command is valid on its own against the fresh world (a fork of it, per example); a
sequence of them may of course conflict (a second availability in the same hour, an employment
ended twice).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from xs_app.services.agenda import (
    CreateLocation,
    PlanAvailability,
    RegisterActivity,
    RequestAppointment,
)
from xs_app.services.billing import ConcludeAgreement, Subscribe
from xs_app.services.command import Command
from xs_app.services.employments import ChangeEmployment, EndEmployment, LeadingEmploymentOn
from xs_app.services.organisation import (
    AddEmployment,
    AdvancedSearch,
    ChangeEmployee,
    CreateDepartment,
    CreateEmployer,
    CreateFolder,
    EmployerByCode,
    EmploymentTerms,
    GetEmployee,
    GetEmployer,
    ListDepartments,
    RegisterEmployee,
    SetLeadingEmployment,
)
from xs_app.services.protocols import ReportSickness, StartTrajectory
from xs_app.testing.commands import commands
from xs_app.testing.worlds import FIRST_AVAILABILITY_DAY, World
from xs_core.agenda.spans import LOCAL_ZONE
from xs_core.dates import DateRange
from xs_core.protocols.model import ProtocolKind
from xs_core.testing import strategies as xst

Build = Callable[[World], st.SearchStrategy[Command] | None]
_DAY = _dt.timedelta(days=1)


def _pick(ids: Iterable[Any]) -> st.SearchStrategy[Any]:
    return st.sampled_from(tuple(ids))


def _birth(world: World) -> st.SearchStrategy[_dt.date | None]:
    latest = min(_dt.date(2008, 12, 31), world.xs.clock.today())
    return st.none() | xst.birth_dates(max_value=latest)


@st.composite
def _terms(draw: st.DrawFn, world: World) -> EmploymentTerms:
    """New employment terms at an employer of the world, maybe in one of its departments."""
    employer = draw(_pick(world.employers))
    own = world.departments_of(employer)
    return draw(
        commands(
            EmploymentTerms,
            employer_id=employer,
            department_id=st.none() | _pick(own) if own else None,
        )
    )


def _employer(w: World) -> st.SearchStrategy[Command] | None:
    return commands(GetEmployer, actor=w.admin, employer_id=_pick(w.employers))


def _by_code(w: World) -> st.SearchStrategy[Command] | None:
    coded = [e for e in w.employers if e in w.codes]
    if not coded:
        return None
    return _pick(coded).map(lambda e: EmployerByCode(actor=w.admin, code=w.codes[e]))


def _departments(w: World) -> st.SearchStrategy[Command] | None:
    return commands(ListDepartments, actor=w.admin, employer_id=_pick(w.employers))


@st.composite
def _department(draw: st.DrawFn, w: World) -> Command:
    employer = draw(_pick(w.employers))
    own = w.departments_of(employer)
    taken = {w.codes[d].casefold() for d in own if d in w.codes}
    return draw(
        commands(
            CreateDepartment,
            actor=w.admin,
            employer_id=employer,
            code=st.none() | xst.codes().filter(lambda c: c.casefold() not in taken),
            parent_id=st.none() | _pick(own) if own else None,
        )
    )


def _folder(w: World) -> st.SearchStrategy[Command] | None:
    return commands(CreateFolder, actor=w.admin)


def _create_employer(w: World) -> st.SearchStrategy[Command] | None:
    # without a code: codes are unique over the whole application, which may hold more
    return commands(
        CreateEmployer,
        actor=w.admin,
        code=None,
        folder_id=st.none() | _pick(w.folders) if w.folders else None,
    )


def _register(w: World) -> st.SearchStrategy[Command] | None:
    return commands(RegisterEmployee, actor=w.admin, birth_date=_birth(w), employment=_terms(w))


def _employee(w: World) -> st.SearchStrategy[Command] | None:
    return commands(GetEmployee, actor=w.admin, employee_id=_pick(w.employees))


def _change_employee(w: World) -> st.SearchStrategy[Command] | None:
    return commands(
        ChangeEmployee, actor=w.admin, employee_id=_pick(w.employees), birth_date=_birth(w)
    )


def _add_employment(w: World) -> st.SearchStrategy[Command] | None:
    return commands(AddEmployment, actor=w.admin, employee_id=_pick(w.employees), terms=_terms(w))


def _set_leading(w: World) -> st.SearchStrategy[Command] | None:
    return _pick(w.employments).map(
        lambda e: SetLeadingEmployment(actor=w.admin, employee_id=w.employee_of[e], employment_id=e)
    )


def _inside(period: DateRange) -> st.SearchStrategy[_dt.date]:
    last = period.start + 3650 * _DAY if period.end is None else period.end - _DAY
    return xst.dates(period.start, last)


@st.composite
def _end(draw: st.DrawFn, w: World) -> Command:
    employment = draw(_pick(e for e in w.employments if w.period_of[e].end is None))
    start = w.period_of[employment].start
    return draw(
        commands(
            EndEmployment,
            actor=w.admin,
            employee_id=w.employee_of[employment],
            employment_id=employment,
            end=xst.dates(start + _DAY, start + 3650 * _DAY),
        )
    )


def _end_employment(w: World) -> st.SearchStrategy[Command] | None:
    # an employment ends once (a correction is a change, R2.3)
    return _end(w) if any(w.period_of[e].end is None for e in w.employments) else None


@st.composite
def _change(draw: st.DrawFn, w: World) -> Command:
    employment = draw(_pick(w.employments))
    own = w.departments_of(w.employer_of[employment])
    return draw(
        commands(
            ChangeEmployment,
            actor=w.admin,
            employee_id=w.employee_of[employment],
            employment_id=employment,
            effective=_inside(w.period_of[employment]),
            department_id=st.none() | _pick(own) if own else None,
            hours_per_week=xst.hours_per_week(),
        )
    )


def _leading_on(w: World) -> st.SearchStrategy[Command] | None:
    return commands(LeadingEmploymentOn, actor=w.admin, employee_id=_pick(w.employees))


def _search(w: World) -> st.SearchStrategy[Command] | None:
    return commands(AdvancedSearch, actor=w.admin)


def _location(w: World) -> st.SearchStrategy[Command] | None:
    return commands(CreateLocation, actor=w.admin)


def _request(w: World) -> st.SearchStrategy[Command] | None:
    return commands(
        RequestAppointment,
        actor=w.admin,
        employee_id=_pick(w.employees),
        formal_request_date=None,
    )


def _activity(w: World) -> st.SearchStrategy[Command] | None:
    return commands(
        RegisterActivity, actor=w.admin, employee_id=_pick(w.employees), appointment_id=None
    )


@st.composite
def _availability(draw: st.DrawFn, w: World) -> Command:
    # on a day after every availability of the world: no double booking, no capacity conflict
    day = FIRST_AVAILABILITY_DAY + _DAY * (len(w.availabilities) + draw(st.integers(0, 365)))
    start = _dt.datetime(day.year, day.month, day.day, draw(st.integers(6, 18)), tzinfo=LOCAL_ZONE)
    return PlanAvailability(
        actor=w.admin,
        professional_id=draw(_pick(w.professionals)),
        location_id=draw(_pick(w.locations)),
        start=start,
        end=start + _dt.timedelta(minutes=15 * draw(st.integers(1, 20))),
    )


def _protocols(w: World, sickness: bool) -> tuple[Any, ...]:
    return tuple(
        p for p in w.protocols if (w.protocol_kind[p] is ProtocolKind.SICKNESS) == sickness
    )


def _start(w: World) -> st.SearchStrategy[Command] | None:
    protocols = _protocols(w, sickness=False)
    if not protocols:
        return None
    return commands(
        StartTrajectory, actor=w.admin, protocol_id=_pick(protocols), employee_id=_pick(w.employees)
    )


def _sickness(w: World) -> st.SearchStrategy[Command] | None:
    protocols = _protocols(w, sickness=True)
    if not protocols:
        return None
    return commands(
        ReportSickness,
        actor=w.admin,
        protocol_id=_pick(protocols),
        employee_id=_pick(w.employees),
        employment_id=None,
    )


@st.composite
def _subscription(draw: st.DrawFn, w: World) -> Command:
    agreement = draw(_pick(w.agreements))
    period = w.period_of[agreement]
    start = draw(_inside(period))
    end = None if period.end is None else draw(xst.dates(start + _DAY, period.end))
    return draw(
        commands(
            Subscribe,
            actor=w.admin,
            agreement_id=agreement,
            period=DateRange(start, end),
        )
    )


@st.composite
def _conclusion(draw: st.DrawFn, w: World, pairs: tuple[tuple[Any, Any], ...]) -> Command:
    employer, model = draw(st.sampled_from(pairs))
    active = w.period_of[model]
    start = draw(_inside(active))
    end = None if active.end is None else draw(xst.dates(start + _DAY, active.end))
    return ConcludeAgreement(
        actor=w.admin, employer_id=employer, contract_model_id=model, period=DateRange(start, end)
    )


def _conclude(w: World) -> st.SearchStrategy[Command] | None:
    # an employer's agreements on different models never price an activity type twice: each
    # model of a world prices its own types (R5.1)
    pairs = tuple(
        (e, m)
        for e in w.employers
        for m in w.contract_models
        if not any(w.model_of[a] == m for a in w.agreements_of(e))
    )
    return _conclusion(w, pairs) if pairs else None


@attrs.frozen
class UseCase:
    """How to draw a command for a use case: the kinds of entity it needs (attributes of
    :class:`World` that must not be empty), and the builder (which may still find nothing to
    name, e.g. no employer with a code, and return ``None``)."""

    needs: tuple[str, ...]
    build: Build


_ORG, _EMP = ("employers",), ("employees",)

#: The use cases :func:`commands_for` draws from, by the name of the service method.
USE_CASES: dict[str, UseCase] = {
    "organisation.create_folder": UseCase((), _folder),
    "organisation.create_employer": UseCase((), _create_employer),
    "organisation.employer": UseCase(_ORG, _employer),
    "organisation.employer_by_code": UseCase(_ORG, _by_code),
    "organisation.departments": UseCase(_ORG, _departments),
    "organisation.create_department": UseCase(_ORG, _department),
    "organisation.register_employee": UseCase(_ORG, _register),
    "organisation.employee": UseCase(_EMP, _employee),
    "organisation.change_employee": UseCase(_EMP, _change_employee),
    "organisation.add_employment": UseCase((*_EMP, *_ORG), _add_employment),
    "organisation.set_leading_employment": UseCase(("employments",), _set_leading),
    "organisation.search": UseCase((), _search),
    "employments.end_employment": UseCase(("employments",), _end_employment),
    "employments.change_employment": UseCase(("employments",), _change),
    "employments.leading_employment_on": UseCase(_EMP, _leading_on),
    "agenda.create_location": UseCase((), _location),
    "agenda.request_appointment": UseCase(_EMP, _request),
    "agenda.register_activity": UseCase(_EMP, _activity),
    "agenda.plan_availability": UseCase(("professionals", "locations"), _availability),
    "trajectories.start_trajectory": UseCase((*_EMP, "protocols"), _start),
    "trajectories.report_sickness": UseCase((*_EMP, "protocols"), _sickness),
    "billing.subscribe": UseCase(("agreements",), _subscription),
    "billing.conclude_agreement": UseCase(("employers", "contract_models"), _conclude),
}


def commands_for(
    world: World, use_cases: Iterable[str] | None = None
) -> st.SearchStrategy[tuple[str, Command]]:
    """``(use case, command)`` pairs for the world: the use case is ``"service.method"`` (run it
    with :func:`invoke`), the command names the world's entities and is accepted on the world as
    built. ``use_cases`` narrows the choice to some names of :data:`USE_CASES`; the use cases the
    world has no entities for (no agreements to subscribe to…) are left out."""
    names = tuple(USE_CASES) if use_cases is None else tuple(use_cases)
    unknown = set(names) - USE_CASES.keys()
    if unknown:
        raise InvalidArgument(f"unknown use cases {sorted(unknown)}; see USE_CASES")
    options: list[st.SearchStrategy[tuple[str, Command]]] = []
    for name in names:
        case = USE_CASES[name]
        if all(getattr(world, kind) for kind in case.needs):
            strategy = case.build(world)
            if strategy is not None:
                options.append(st.tuples(st.just(name), strategy))
    if not options:
        raise InvalidArgument(f"the world has entities for none of {list(names)}")
    return st.one_of(options)


def invoke(world: World, use_case: str, command: Command) -> Any:
    """Run ``command`` with the use case ``"service.method"`` of the world's application."""
    service, _, method = use_case.partition(".")
    return getattr(getattr(world.xs, service), method)(command)


__all__ = ["USE_CASES", "UseCase", "commands_for", "invoke"]
