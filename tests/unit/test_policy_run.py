"""The nightly evaluation's pure parts (R6.6): reconcile, windows, chunk plans, the inputs key.

Properties: the timeline read over the window equals the stored registrations after a run;
applying a run twice equals applying it once; the days before the window never change; a run on
a later date with the same facts changes nothing; chunks cover every employee id exactly once.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import uuid
from decimal import Decimal

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xs_core.dates import DateRange
from xs_core.events import DomainEvent
from xs_core.organisation.model import EmploymentType
from xs_core.policies.conditions import (
    Age,
    AgeCondition,
    Conditions,
    EmploymentTypeCondition,
    SalaryCondition,
    SicknessCondition,
)
from xs_core.policies.model import ParticipationChanged, Policy, Registration
from xs_core.policies.participation import (
    EmployeeFacts,
    EmploymentFacts,
    EmploymentVersionFacts,
    ExclusionReason,
    ManualRegistration,
    SicknessSpell,
    Source,
    max_sv_wage_by_year,
    participation_timeline,
)
from xs_core.policies.run import (
    ChunkPlan,
    _OrderedIds,
    apply,
    evaluation_key,
    manual_inputs,
    plan_chunks,
    reconcile,
    window,
)

D = _dt.date
WAGES = max_sv_wage_by_year()
ALL = Conditions(
    age=AgeCondition(active=True, younger_than=Age(21), older_than=Age(66, 3)),
    sickness=SicknessCondition(active=True),
    salary=SalaryCondition(active=True),
    employment_type=EmploymentTypeCondition(
        active=True, excluded=frozenset({EmploymentType.INTERN})
    ),
)


POLICY_START = D(2025, 1, 1)


def _policy(start: _dt.date = POLICY_START, end: _dt.date | None = None) -> Policy:
    return Policy(
        id=uuid.uuid4(),
        employer_id=uuid.uuid4(),
        product_id=uuid.uuid4(),
        number="P1",
        period=DateRange(start, end),
    )


days = st.dates(D(2020, 1, 1), D(2030, 12, 31)).map(lambda d: pendulum.Date(d.year, d.month, d.day))


@st.composite
def facts(draw: st.DrawFn) -> EmployeeFacts:
    start = draw(days)
    end = draw(st.none() | days.filter(lambda d: d > start))
    salary_change = draw(st.none() | days.filter(lambda d: d > start and (end is None or d < end)))
    versions = []
    salaries = draw(st.lists(st.integers(30_000, 130_000), min_size=2, max_size=2))
    kinds = draw(st.lists(st.sampled_from(list(EmploymentType)), min_size=2, max_size=2))
    if salary_change is None:
        versions.append(
            EmploymentVersionFacts(
                valid=DateRange(start, end), employment_type=kinds[0], salary=Decimal(salaries[0])
            )
        )
    else:
        versions.append(
            EmploymentVersionFacts(
                valid=DateRange(start, salary_change),
                employment_type=kinds[0],
                salary=Decimal(salaries[0]),
            )
        )
        versions.append(
            EmploymentVersionFacts(
                valid=DateRange(salary_change, end),
                employment_type=kinds[1],
                salary=Decimal(salaries[1]),
            )
        )
    spells = []
    if draw(st.booleans()):
        first = draw(st.dates(D(2024, 6, 1), D(2025, 3, 1)))
        spells.append(
            SicknessSpell(
                first_day=pendulum.Date(first.year, first.month, first.day),
                recovered_on=draw(
                    st.none()
                    | st.just(
                        pendulum.Date(first.year, first.month, first.day).add(
                            days=draw(st.integers(1, 200))
                        )
                    )
                ),
            )
        )
    born = draw(st.dates(D(1955, 1, 1), D(2008, 12, 31)))
    return EmployeeFacts(
        employee_id=uuid.uuid4(),
        birth_date=pendulum.Date(born.year, born.month, born.day),
        employments=(
            EmploymentFacts(
                id=uuid.uuid4(),
                period=DateRange(start, end),
                is_leading=True,
                versions=tuple(versions),
            ),
        ),
        sickness=tuple(spells),
    )


def _run(
    policy: Policy,
    person: EmployeeFacts,
    stored: list[Registration],
    on: _dt.date,
    manual: list[ManualRegistration] | None = None,
) -> list[Registration]:
    timeline = participation_timeline(person, policy.period, ALL, WAGES, manual or [])
    return apply(stored, reconcile(policy, person.employee_id, stored, timeline, on))


def _outcomes(registrations: list[Registration], over: DateRange) -> list[tuple[object, ...]]:
    """(period clipped to ``over``, included, reasons, notes) of the automatic registrations."""
    found = []
    for r in registrations:
        if r.source is not Source.AUTOMATIC:
            continue
        clipped = r.period.intersection(over)
        if clipped is not None:
            found.append((clipped, r.included, r.reasons, r.notes))
    return sorted(found, key=lambda x: x[0].start)  # type: ignore[union-attr]


@settings(max_examples=150, deadline=None)
@given(person=facts(), first=days, later=st.integers(0, 800))
def test_r6_6_a_run_stores_the_timeline_from_its_date_and_is_idempotent(
    person: EmployeeFacts, first: pendulum.Date, later: int
) -> None:
    policy = _policy()
    stored = _run(policy, person, [], first)
    timeline = participation_timeline(person, policy.period, ALL, WAGES)
    days_ = window(policy.period, first)
    assert days_ is not None
    expected = [
        (p.period.intersection(days_), p.included, p.reasons, p.notes)
        for p in timeline.periods
        if p.period.intersection(days_) is not None
    ]
    assert _outcomes(stored, days_) == expected
    # periods never overlap
    ordered = sorted(stored, key=lambda r: r.period.start)
    for a, b in itertools.pairwise(ordered):
        assert a.period.end is not None and a.period.end <= b.period.start
    # applied twice equals applied once; a later date with the same facts changes nothing
    timeline_ = participation_timeline(person, policy.period, ALL, WAGES)
    assert reconcile(policy, person.employee_id, stored, timeline_, first) is None
    assert reconcile(policy, person.employee_id, stored, timeline_, first.add(days=later)) is None


@settings(max_examples=150, deadline=None)
@given(
    before=facts(), after_salary=st.integers(30_000, 130_000), first=days, gap=st.integers(1, 900)
)
def test_r6_6_a_later_run_never_changes_the_days_before_its_date(
    before: EmployeeFacts, after_salary: int, first: pendulum.Date, gap: int
) -> None:
    policy = _policy()
    stored = _run(policy, before, [], first)
    changed = attrs.evolve(
        before,
        employments=tuple(
            attrs.evolve(
                e,
                versions=tuple(attrs.evolve(v, salary=Decimal(after_salary)) for v in e.versions),
            )
            for e in before.employments
        ),
    )
    later = first.add(days=gap)
    result = _run(policy, changed, stored, later)
    if later > policy.period.start:
        past = DateRange(policy.period.start, later)
        assert _outcomes(result, past) == _outcomes(stored, past)
    days_ = window(policy.period, later)
    assert days_ is not None
    timeline = participation_timeline(changed, policy.period, ALL, WAGES)
    assert _outcomes(result, days_) == [
        (p.period.intersection(days_), p.included, p.reasons, p.notes)
        for p in timeline.periods
        if p.period.intersection(days_) is not None
    ]


def test_r6_4_a_run_never_touches_a_manual_registration() -> None:
    policy = _policy()
    person = EmployeeFacts(  # born 1990, € 50.000: below every maximum SV-wage
        employee_id=uuid.uuid4(),
        birth_date=pendulum.Date(1990, 1, 1),
        employments=(
            EmploymentFacts(
                id=uuid.uuid4(),
                period=DateRange(D(2020, 1, 1)),
                is_leading=True,
                versions=(
                    EmploymentVersionFacts(
                        valid=DateRange(D(2020, 1, 1)),
                        employment_type=EmploymentType.PERMANENT,
                        salary=Decimal(50_000),
                    ),
                ),
            ),
        ),
    )
    manual = Registration.manual(
        policy, person.employee_id, DateRange(D(2025, 3, 1), D(2025, 4, 1)), True, D(2025, 1, 1)
    )
    stored = _run(policy, person, [manual], D(2025, 1, 1), manual_inputs([manual]))
    assert manual in stored
    # € 50.000 is below the maximum SV-wage: excluded for salary around the manual month, up to
    # 2027, from when the maximum SV-wage is provisional (a note: a period of its own)
    automatic = [(r.period, r.reasons) for r in stored if r.source is Source.AUTOMATIC]
    assert automatic[:2] == [
        (DateRange(D(2025, 1, 1), D(2025, 3, 1)), frozenset({ExclusionReason.SALARY})),
        (DateRange(D(2025, 4, 1), D(2027, 1, 1)), frozenset({ExclusionReason.SALARY})),
    ]


def test_r6_6_the_window_starts_at_the_run_date_or_the_policy_start() -> None:
    policy = _policy(D(2025, 1, 1), D(2026, 1, 1))
    assert window(policy.period, D(2024, 6, 1)) == DateRange(D(2025, 1, 1), D(2026, 1, 1))
    assert window(policy.period, D(2025, 6, 1)) == DateRange(D(2025, 6, 1), D(2026, 1, 1))
    assert window(policy.period, D(2026, 1, 1)) is None


@given(count=st.integers(0, 60), size=st.integers(1, 25))
def test_r6_6_chunks_cover_every_employee_exactly_once(count: int, size: int) -> None:
    policy = _policy()
    ids = sorted(uuid.uuid4() for _ in range(count))
    chunks = plan_chunks([policy], {policy.employer_id: ids}, size)
    assert len(chunks) == max(1, -(-count // size))
    newcomer = uuid.uuid4()
    for ident in [*ids, newcomer]:
        assert sum(1 for c in chunks if c.holds(ident)) == 1
    assert all(sum(1 for i in ids if c.holds(i)) <= size for c in chunks)
    assert isinstance(chunks[0], ChunkPlan) and chunks[0].after is None and chunks[-1].last is None


def test_r6_6_the_inputs_key_changes_with_the_conditions_only() -> None:
    policy = _policy()
    table = ((D(2026, 1, 1), Decimal("79409")),)
    key = evaluation_key(policy, ALL, table)
    assert key == evaluation_key(policy, attrs.evolve(ALL), table)
    assert key != evaluation_key(policy, attrs.evolve(ALL, salary=SalaryCondition()), table)
    assert key != evaluation_key(policy, ALL, ((D(2026, 1, 1), Decimal("80000")),))


def test_r0_7_the_written_out_payload_equals_the_generic_one() -> None:
    event = ParticipationChanged(
        policy_id=uuid.uuid4(),
        employee_id=uuid.uuid4(),
        start=pendulum.Date(2026, 1, 1),
        end=None,
        included=False,
        reasons=("age", "salary"),
        source="automatic",
    )
    assert event.payload() == DomainEvent.payload(event)
    assert attrs.evolve(event, end=pendulum.Date(2027, 1, 1)).payload() == DomainEvent.payload(
        attrs.evolve(event, end=pendulum.Date(2027, 1, 1))
    )


@given(
    policy_id=st.uuids(),
    employee_id=st.uuids(),
    start=st.dates(),
    end=st.none() | st.dates(),
    included=st.booleans(),
    reasons=st.lists(st.text(), max_size=4).map(tuple),
    source=st.text(),
    pendulum_dates=st.booleans(),
)
def test_r0_7_the_payload_text_is_exactly_the_payload_as_json(
    policy_id: uuid.UUID,
    employee_id: uuid.UUID,
    start: _dt.date,
    end: _dt.date | None,
    included: bool,
    reasons: tuple[str, ...],
    source: str,
    pendulum_dates: bool,
) -> None:
    """The JSON text a ParticipationChanged writes itself (the outbox stores it as it is) is
    ``json.dumps`` of its payload, character for character — quotes, backslashes, non-ASCII
    and control characters in the reasons and the source included; dates as the run makes them
    (pendulum) or plain."""
    import json

    if pendulum_dates:
        start = pendulum.Date(start.year, start.month, start.day)
        end = None if end is None else pendulum.Date(end.year, end.month, end.day)
    event = ParticipationChanged(
        policy_id=policy_id,
        employee_id=employee_id,
        start=start,
        end=end,
        included=included,
        reasons=reasons,
        source=source,
    )
    assert event.payload_text() == json.dumps(event.payload())
    assert json.loads(event.payload_text()) == DomainEvent.payload(event)


def test_r6_6_registration_ids_are_unique_and_grow_with_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The ids of the registrations a run writes are UUIDs of version 7 (RFC 9562): unique,
    increasing in the order they are made — also within one millisecond and when the clock goes
    back — and they start with the Unix milliseconds of their making (checked by hand:
    1,780,000,000,000 ms = 0x019E_7044_8800)."""
    ids = _OrderedIds()
    clock = iter([1_780_000_000_000_000_000] * 500 + [1_779_999_999_000_000_000] * 500)
    monkeypatch.setattr("xs_core.policies.run.time.time_ns", lambda: next(clock))
    made = [ids() for _ in range(1_000)]
    assert made == sorted(made) and len(set(made)) == len(made)
    assert {(i.version, i.variant) for i in made} == {(7, uuid.RFC_4122)}
    assert {i.hex[:12] for i in made} == {"019e70448800"}
