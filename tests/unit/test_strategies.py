"""The published hypothesis strategies (``xs.testing``) and their registration for
``st.from_type`` (R0.5).

Every strategy must give values the core accepts — checked here with the core's own validators
and limits, never with the strategies' code — and every command class of the services (found by
introspection, like the public surface test) must have one. The import tests run in fresh
interpreters: the hypothesis entry point may not import xs, and no import order may fail.
"""

from __future__ import annotations

import datetime as _dt
import enum
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
import textwrap
import types
import typing
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, NoSuchExample, Unsatisfiable

import xs
import xs_app.services
from xs import testing
from xs_app.services.command import Command, CommandPart
from xs_core import limits
from xs_core.agenda.spans import as_instant
from xs_core.dates import DateOutsideWindow, as_date
from xs_core.errors import DomainError
from xs_core.organisation.model import DOSSIER_KINDS
from xs_core.organisation.validation import valid_code, valid_email, valid_phone
from xs_core.testing import hypothesis_hook
from xs_core.testing import strategies as xst

# -- imports and registration, in fresh interpreters ----------------------------------------------

PACKAGES = ("xs", "xs_core", "xs_adapters", "xs_app")


def python(code: str, **env: str) -> str:
    """Run ``code`` in a fresh interpreter; its output (a failure fails the test)."""
    import os

    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        # outside pytest (hypothesis warns about .example() under it)
        env={**{k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}, **env},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_r0_5_importing_hypothesis_imports_no_xs_package() -> None:
    out = python(
        """
        import sys
        import hypothesis
        print(sorted(m for m in sys.modules if m.split(".")[0] in PACKAGES))
        """.replace("PACKAGES", repr(PACKAGES))
    )
    assert out.strip() == "[]"


def test_r0_5_the_entry_point_is_the_hook_outside_the_packages() -> None:
    from importlib.metadata import entry_points

    (entry,) = [e for e in entry_points(group="hypothesis") if e.name == "xs"]
    assert entry.value == "_xs_hypothesis:_hypothesis_setup_hook"


def test_r0_5_the_strategies_import_outside_pytest() -> None:
    out = python(
        """
        from xs_core.testing import strategies as xst
        print(type(xst.date_ranges().example()).__name__)
        """
    )
    assert out.strip() == "DateRange"


@pytest.mark.parametrize(
    "imports",
    [
        "import hypothesis; import xs",
        "import xs; import hypothesis",
        "from xs import testing; import xs",
        "import xs_core.testing.strategies; import xs",
    ],
)
def test_r0_5_from_type_knows_xs_whatever_the_import_order(imports: str) -> None:
    out = python(
        f"""
        {imports}
        from hypothesis import strategies as st
        from hypothesis import find
        period = st.from_type(xs.DateRange).example()
        command = find(st.from_type(xs.CreateEmployer), lambda c: c.name != "")
        print(type(period).__name__, type(command).__name__, "\\n" not in command.name)
        """
    )
    assert out.split() == ["DateRange", "CreateEmployer", "True"]


def test_r0_5_importing_the_core_after_hypothesis_registers_its_value_objects() -> None:
    out = python(
        """
        import hypothesis
        from hypothesis import strategies as st
        from xs_core.dates import DateRange
        import sys
        print(type(st.from_type(DateRange).example()).__name__, "xs_app" in sys.modules)
        """
    )
    assert out.split() == ["DateRange", "False"]


def test_r0_5_xs_imported_during_pytest_initialisation_is_registered() -> None:
    # HYPOTHESIS_EXTEND_INITIALIZATION keeps _hypothesis_globals.in_initialization above zero
    # after `import hypothesis`, as pytest's plugin does through the conftest phase: a conftest
    # that imports xs then must still register (and nothing lazy may be evaluated: -W error
    # turns hypothesis's side-effect warning into a failure)
    out = python(
        """
        import hypothesis
        import _hypothesis_globals
        assert _hypothesis_globals.in_initialization > 0
        import xs
        from hypothesis.strategies._internal.types import _global_type_lookup
        print(xs.DateRange in _global_type_lookup, xs.CreateEmployer in _global_type_lookup)
        """,
        HYPOTHESIS_EXTEND_INITIALIZATION="1",
    )
    assert out.split() == ["True", "True"]


def test_r0_5_an_import_of_xs_while_hypothesis_is_being_imported_registers_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(hypothesis_hook, "register_now", lambda: calls.append("now"))
    imported = sys.modules["hypothesis"]
    half = types.ModuleType("hypothesis")
    half.__spec__ = importlib.machinery.ModuleSpec("hypothesis", None)
    half.__spec__._initializing = True  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "hypothesis", half)
    hypothesis_hook.register_if_ready()
    assert calls == []
    monkeypatch.setitem(sys.modules, "hypothesis", imported)
    hypothesis_hook.register_if_ready()
    assert calls == ["now"]


# -- every command class has a strategy -----------------------------------------------------------


def all_command_classes() -> list[type]:
    """Found here, independently of ``testing.command_classes()``."""
    found = []
    for info in pkgutil.iter_modules(xs_app.services.__path__):
        module = importlib.import_module(f"xs_app.services.{info.name}")
        for obj in vars(module).values():
            if (
                inspect.isclass(obj)
                and issubclass(obj, Command | CommandPart)
                and obj.__module__ == module.__name__
                and attrs.has(obj)
            ):
                found.append(obj)
    return sorted(found, key=lambda c: c.__name__)


COMMANDS = all_command_classes()

#: the limit of each text field, by name (xs_core.limits)
TEXT_LIMITS = {
    "name": limits.NAME,
    "first_name": limits.FIRST_NAME,
    "last_name": limits.LAST_NAME,
    "code": limits.CODE,
    "email": limits.EMAIL,
    "phone": limits.PHONE,
    "vat_number": limits.VAT_NUMBER,
    "term": limits.SEARCH_TERM,
    "purpose": limits.PURPOSE,
    "description": limits.DESCRIPTION,
    "activity_type": limits.ACTIVITY_TYPE,
    "service_variation": limits.SERVICE_VARIATION,
    "job_title": limits.JOB_TITLE,
    "personnel_number": limits.PERSONNEL_NUMBER,
    "role": limits.CONTACT_ROLE,
    "title": limits.TASK_TITLE,
}
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


#: where a field name means another limit
QUALIFIED_LIMITS = {"TaskTemplate.code": limits.TASK_CODE, "Address.postcode": limits.POSTCODE}


def assert_within_limits(value: Any, where: str = "") -> None:
    """Text within its field's limit, normalised, without control characters; days and
    instants in the window; amounts not negative (R0.1, R0.3, R0.5). ``where`` is
    ``Owner.field``."""
    if isinstance(value, str):
        field = where.rpartition(".")[2]
        limit = QUALIFIED_LIMITS.get(where, TEXT_LIMITS.get(field, limits.NAME))
        assert not CONTROL.search(value), where
        assert value == " ".join(value.split()), where
        assert len(value) <= limit, where
    elif isinstance(value, _dt.datetime):
        assert value.tzinfo is not None, where
        as_instant(value)
    elif isinstance(value, _dt.date):
        assert limits.FIRST_DAY <= value <= limits.END_LIMIT, where
    elif isinstance(value, Decimal):
        assert value.is_finite() and value >= 0, where
    elif isinstance(value, frozenset | tuple | list):
        for item in value:
            assert_within_limits(item, where)
    elif attrs.has(type(value)) and not isinstance(value, enum.Enum):
        for field in attrs.fields(type(value)):
            assert_within_limits(getattr(value, field.name), f"{type(value).__name__}.{field.name}")


def test_the_command_classes_are_every_command_of_every_service() -> None:
    assert set(testing.command_classes()) == set(COMMANDS)
    assert len(COMMANDS) > 70


@pytest.mark.parametrize("command_type", COMMANDS, ids=lambda c: c.__name__)
def test_r0_5_every_command_has_a_strategy_within_the_limits(command_type: type) -> None:
    from hypothesis.strategies._internal.types import _global_type_lookup

    assert command_type in _global_type_lookup, "not registered for st.from_type"

    @settings(max_examples=10, database=None)
    @given(st.from_type(command_type), testing.commands(command_type), st.data())
    def drawn(by_type: Any, by_strategy: Any, data: st.DataObject) -> None:
        for command in (by_type, by_strategy):
            assert type(command) is command_type
            assert_within_limits(command, command_type.__name__)
        assert type(data.draw(st.builds(command_type))) is command_type

    drawn()


def test_r0_5_a_command_with_a_field_no_rule_covers_has_no_strategy() -> None:
    @attrs.frozen(kw_only=True)
    class Frobnicate(Command):
        actor: uuid.UUID
        flavour: str

    with pytest.raises(testing.NoStrategy, match=r"Frobnicate\.flavour"):
        testing.commands(Frobnicate)


def test_given_fields_are_used_and_unknown_ones_refused() -> None:
    ids = (uuid.uuid4(), uuid.uuid4())
    found = find(
        testing.commands(xs.GetEmployee, employee_id=st.sampled_from(ids), actor=ids[0]),
        lambda c: c.employee_id == ids[1],
    )
    assert found.actor == ids[0]
    with pytest.raises(InvalidArgument, match="nickname"):
        testing.commands(xs.GetEmployee, nickname="x")
    with pytest.raises(InvalidArgument, match="not a command"):
        testing.commands(xs.DateRange)


@given(
    testing.commands(xs.PlanAvailability),
    testing.commands(xs.PlanSeries),
    testing.commands(xs.EmploymentTerms),
    testing.commands(xs.StartTrajectory),
)
def test_r4_3_joint_fields_are_coherent(
    availability: Any, series: Any, terms: Any, trajectory: Any
) -> None:
    for span in (availability, series):
        # in real time (R0.1): wall-clock arithmetic in one zone is off by an hour across DST
        start, end = span.start.astimezone(_dt.UTC), span.end.astimezone(_dt.UTC)
        assert start < end <= start + _dt.timedelta(hours=24)
    first_day = series.start.astimezone(xs.AMSTERDAM).date()
    weeks = -(-(series.until - first_day).days // 7)
    assert 1 <= weeks <= limits.MAX_SERIES_OCCURRENCES
    assert terms.end is None or terms.end > terms.start
    assert trajectory.end_date is None or trajectory.end_date > trajectory.start


@given(
    testing.commands(xs.ChangeEmployer),
    testing.commands(xs.ChangeDepartment),
    testing.commands(xs.ConcludeAgreement),
    testing.commands(xs.OpenDossier),
    testing.commands(xs.CreateUser),
)
def test_r5_1_exclusive_and_dependent_fields(
    employer: Any, department: Any, agreement: Any, dossier: Any, user: Any
) -> None:
    assert not (employer.clear_code and employer.code is not None)
    assert employer.move or employer.folder_id is None
    assert department.move or department.parent_id is None
    assert agreement.deviating_frequency is None or agreement.service_variation is not None
    assert dossier.unit.kind in DOSSIER_KINDS
    xs.Scope(units=user.scope)  # refuses units of kinds a scope cannot hold


# -- value objects --------------------------------------------------------------------------------


def value_types_in_commands() -> set[type]:
    """Every value type a command field holds (inside sets, tuples, optionals)."""
    found: set[type] = set()

    def walk(hint: Any) -> None:
        args = typing.get_args(hint)
        if args:
            for arg in args:
                walk(arg)
        elif isinstance(hint, type) and attrs.has(hint) and not issubclass(hint, CommandPart):
            found.add(hint)

    for command_type in COMMANDS:
        for hint in typing.get_type_hints(command_type).values():
            walk(hint)
    return found


def test_every_value_object_a_command_holds_has_a_strategy() -> None:
    assert value_types_in_commands() <= set(testing.VALUE_STRATEGIES)


@pytest.mark.parametrize("value_type", list(testing.VALUE_STRATEGIES), ids=lambda t: t.__name__)
def test_r0_5_every_value_object_is_drawn_by_from_type_within_the_limits(value_type: type) -> None:
    @settings(max_examples=25, database=None)
    @given(st.from_type(value_type))
    def drawn(value: Any) -> None:
        assert type(value) is value_type
        if value_type is not xs.Money:
            assert_within_limits(value, value_type.__name__)

    drawn()


@given(xst.money())
def test_r0_3_money_is_not_negative_by_default(amount: xs.Money) -> None:
    assert amount.amount >= 0


def test_r0_3_money_draws_negative_amounts_when_asked() -> None:
    assert find(xst.money(negative=True), lambda m: m.amount < 0) == xs.Money("-0.01")
    assert find(xst.money(-500, 500), lambda m: m.amount < 0) == xs.Money("-0.01")
    with pytest.raises(InvalidArgument):
        xst.money(0, 10**16).example()


@given(xst.dates(), xst.date_ranges(), xst.birth_dates())
def test_r0_1_days_lie_in_the_window(day: _dt.date, period: xs.DateRange, born: _dt.date) -> None:
    assert xst.MIN_DATE <= day <= xst.MAX_DATE
    assert period.start >= xst.MIN_DATE and (period.end is None or period.end <= xst.MAX_DATE)
    assert _dt.date(1940, 1, 1) <= born <= _dt.date(2008, 12, 31)


def test_r0_1_bounds_outside_the_window_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="window"):
        xst.dates(_dt.date(1899, 12, 31))
    with pytest.raises(InvalidArgument, match="window"):
        xst.instants(_dt.datetime(2199, 12, 31))
    edge = find(
        xst.date_ranges(_dt.date(2199, 12, 1), limits.END_LIMIT),
        lambda r: r.end == limits.END_LIMIT,
    )
    assert edge.end == _dt.date(2200, 1, 1)


@given(xst.dates_outside_window())
def test_r0_1_days_outside_the_window_are_refused_by_the_core(day: _dt.date) -> None:
    with pytest.raises(DateOutsideWindow):
        as_date(day)


@given(xst.instants(), xst.time_spans())
def test_r0_1_instants_are_aware_and_exist_in_their_zone(
    instant: _dt.datetime, span: xs.TimeSpan
) -> None:
    assert instant.utcoffset() is not None
    assert as_instant(instant).timestamp() == instant.timestamp()
    assert _dt.timedelta(0) < span.duration <= _dt.timedelta(hours=24)


def test_r0_1_instants_are_written_in_several_zones() -> None:
    zones = {str(z) for z in xst.ZONES}
    for zone in ("Europe/Amsterdam", "UTC", "Asia/Kolkata"):
        assert zone in zones
        find(xst.instants(), lambda i, zone=zone: str(i.tzinfo) == zone)


def test_r0_1_a_local_time_in_the_gap_only_when_asked() -> None:
    gap = (_dt.datetime(2026, 3, 29, 2), _dt.datetime(2026, 3, 29, 2, 59))
    amsterdam = [xs.AMSTERDAM]
    with pytest.raises((NoSuchExample, Unsatisfiable)):
        find(xst.instants(*gap, zones=amsterdam), lambda i: True, settings=settings(database=None))
    found = find(xst.instants(*gap, zones=amsterdam, allow_nonexistent=True), lambda i: True)
    with pytest.raises(DomainError) as refused:
        as_instant(found)
    assert refused.value.code == "time.nonexistent_local_time"


@given(
    xst.text(limits.PURPOSE),
    xst.names(limits.FIRST_NAME),
    xst.codes(),
    xst.emails(),
    xst.phones(),
    xst.search_terms(),
)
def test_r0_5_text_is_what_the_core_accepts(
    text: str, name: str, code: str, email: str, phone: str, term: str
) -> None:
    assert_within_limits(text, "purpose")
    assert_within_limits(name, "first_name")
    assert valid_code(code) == code
    assert valid_email(email) == email
    assert valid_phone(phone) is not None
    assert xs.SearchQuery.create(term).term


def test_r0_5_text_reaches_its_limit_and_beyond_latin() -> None:
    assert len(find(xst.text(limits.CODE, alphabet="x"), lambda s: len(s) == limits.CODE)) == 20
    find(xst.text(20), lambda s: any(ord(c) > 0x2FF for c in s))
    with pytest.raises(ValueError, match="limit"):
        xst.codes(limits.CODE + 1)


@given(xst.deviations(), xst.vat_numbers(), xst.price_categories(), xst.bulk_start_requests())
def test_r5_1_deviations_are_the_allowed_ones(
    deviation: tuple[xs.BillingFrequency, xs.BillingFrequency],
    vat: xs.VatNumber,
    category: xs.PriceCategory,
    request: xs.BulkStartRequest,
) -> None:
    contract, chosen = deviation
    xs.check_deviation(contract, chosen)
    assert chosen.months < contract.months
    assert xs.VatNumber.parse(str(vat)) == vat
    assert category.price.amount >= 0
    assert request.end_date is None or request.end_date > request.start


def test_r5_1_every_allowed_deviation_is_drawn() -> None:
    f = xs.BillingFrequency
    # R5.1's table, by hand: only strictly shorter frequencies
    allowed = [
        (f.YEARLY, f.HALF_YEARLY),
        (f.YEARLY, f.QUARTERLY),
        (f.YEARLY, f.MONTHLY),
        (f.HALF_YEARLY, f.QUARTERLY),
        (f.HALF_YEARLY, f.MONTHLY),
        (f.QUARTERLY, f.MONTHLY),
    ]
    for pair in allowed:
        assert find(xst.deviations(), lambda d, pair=pair: d == pair) == pair
        assert find(xst.deviating_frequencies(pair[0]), lambda d, c=pair[1]: d is c) is pair[1]
    assert xst.deviating_frequencies(f.MONTHLY).is_empty


@given(xst.unit_refs(DOSSIER_KINDS))
def test_unit_refs_of_the_kinds_asked(unit: xs.UnitRef) -> None:
    assert unit.kind in DOSSIER_KINDS


@given(xst.organisations())
def test_organisations_are_consistent(org: xst.Organisation) -> None:
    employer_ids = {e.id for e in org.employers}
    departments = {d.id: d for d in org.departments}
    for department in org.departments:
        assert department.employer_id in employer_ids
        if department.parent_id is not None:
            assert departments[department.parent_id].employer_id == department.employer_id
    for employee in org.employees:
        leading = [e for e in employee.employments if e.is_leading]
        assert len(leading) == (1 if employee.employments else 0)
        for employment in employee.employments:
            assert employment.employer_id in employer_ids
            if employment.department_id is not None:
                assert departments[employment.department_id].employer_id == employment.employer_id


def test_the_public_testing_module_names_every_strategy() -> None:
    public = set(testing.__all__)
    assert set(xst.__all__) <= public
    for name in public:
        assert hasattr(testing, name), name


def test_the_guide_names_every_public_strategy() -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "testing.md").read_text("utf-8")
    missing = [n for n in testing.__all__ if not re.search(rf"(`|testing\.){n}\b", guide)]
    assert missing == []
