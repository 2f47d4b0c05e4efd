"""How the SQL adapter stores a bulk start (R2.2): the request's summary a repeat answers from
(and the rows it answers from for a request stored before the summary), tasks made by the
database with fresh ids, and the bulk UUID conversions both rely on (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as _dt
import uuid

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.backends import PostgresBackend, SqliteBackend, UowFactory
from tests.contract.test_protocol_repositories import TODAY, D, person
from xs_adapters.sql import tables as t
from xs_adapters.sql.protocols import (
    _PLAIN_OUTCOME,
    _REASONS,
    _plain,
    pack_outcomes,
    unpack_outcomes,
)
from xs_adapters.sql.uuids import uuid_bytes, uuids_from_bytes, uuids_from_hex
from xs_core.access.model import ResolvedScope
from xs_core.dates import DateRange
from xs_core.organisation.model import Employee, Employer, Employment
from xs_core.protocols.bulk import (
    BulkOutcome,
    BulkStartPlan,
    BulkStartRequest,
    BulkStartResult,
    BulkUnit,
    CountedOutcomes,
    SkipReason,
    decide,
)
from xs_core.protocols.compensation import CompensationDecision, CompensationReason
from xs_core.protocols.model import (
    COMPENSATION_TASK,
    Protocol,
    ProtocolCharacteristics,
    ProtocolKind,
    TaskTemplate,
)

ids = st.uuids()


@given(st.lists(ids, max_size=50))
def test_bulk_uuid_conversions_give_ordinary_uuids(values: list[uuid.UUID]) -> None:
    for converted in (
        uuids_from_bytes(uuid_bytes(values), len(values)),
        uuids_from_hex("".join(v.hex for v in values)),
    ):
        assert converted == values
        assert [(hash(c), str(c), c.is_safe, c.version) for c in converted] == [
            (hash(v), str(v), v.is_safe, v.version) for v in values
        ]
        assert all(type(c) is uuid.UUID for c in converted)


def test_bulk_uuid_conversions_refuse_what_is_not_a_uuid() -> None:
    with pytest.raises(ValueError, match="not enough bytes"):
        uuids_from_bytes(bytes(31), 2)
    with pytest.raises(ValueError, match="32 hex digits"):
        uuids_from_hex("0" * 30)
    with pytest.raises(ValueError, match="non-hexadecimal"):
        uuids_from_hex("g" * 32)


outcomes = st.lists(
    st.builds(
        BulkOutcome,
        ids,
        st.none(),
        st.sampled_from(list(SkipReason)),
    )
    | st.builds(BulkOutcome, ids, ids, st.none()),
    max_size=40,
)


@given(outcomes)
def test_r2_2_a_request_summary_gives_back_its_outcomes(listed: list[BulkOutcome]) -> None:
    unpacked = unpack_outcomes(pack_outcomes(listed))
    assert unpacked == tuple(listed)
    assert [(hash(o), repr(o), o.started) for o in unpacked] == [
        (hash(o), repr(o), o.started) for o in listed
    ]


def test_r2_2_a_replayed_summary_reads_and_counts_as_the_first_result() -> None:
    # more outcomes than one batch, some skipped: read lazily, equal to the tuple they came from
    listed = tuple(
        BulkOutcome(uuid.uuid4(), None, reason)
        if reason
        else BulkOutcome(uuid.uuid4(), uuid.uuid4(), None)
        for reason in [None, None, SkipReason.OUT_OF_SCOPE, None, SkipReason.ALREADY_OPEN] * 100
    )
    unpacked = unpack_outcomes(pack_outcomes(listed))
    assert len(unpacked) == 500 and unpacked == listed and listed == unpacked
    assert tuple(unpacked) == listed and hash(unpacked) == hash(listed)
    assert unpacked[0] == listed[0] and unpacked[-1] == listed[-1] and unpacked[130] == listed[130]
    assert unpacked[120:140] == listed[120:140] and unpacked[::-7] == listed[::-7]
    with pytest.raises(IndexError):
        unpacked[500]
    first = BulkStartResult(request_id=uuid.uuid4(), outcomes=listed)
    again = BulkStartResult(request_id=first.request_id, outcomes=unpacked, repeated=True)
    assert isinstance(unpacked, CountedOutcomes) and not isinstance(listed, CountedOutcomes)
    assert (again.started, again.skipped) == (first.started, first.skipped) == (300, 200)
    assert again.skipped_by_reason() == first.skipped_by_reason()
    assert unpacked != listed[:-1] and unpacked != "x"


def test_outcomes_are_made_without_init_only_while_init_just_sets_the_slots() -> None:
    assert _PLAIN_OUTCOME  # the fast path is the one the tests above exercise

    @attrs.frozen
    class Checked:
        value: int = attrs.field(validator=attrs.validators.instance_of(int))

    @attrs.frozen
    class Plain:
        value: int

    @attrs.frozen
    class Defaulted:
        value: int = 0

    assert (_plain(Plain), _plain(Checked), _plain(Defaulted)) == (True, False, False)


def test_r2_2_every_skip_reason_has_a_number_in_the_summary() -> None:
    assert set(_REASONS) == {None, *SkipReason}
    assert len(_REASONS) == len(set(_REASONS))


class BulkStorage:
    @staticmethod
    def _request(
        protocol: Protocol, employer: Employer, end: _dt.date | None = None
    ) -> BulkStartRequest:
        return BulkStartRequest(
            request_id=uuid.uuid4(),
            protocol_id=protocol.id,
            unit=BulkUnit(employer_ids=frozenset({employer.id})),
            start=D(2026, 12, 1),
            end_date=end,
        )

    @staticmethod
    def _start(
        uow_factory: UowFactory,
        employer: Employer,
        people: list[Employee],
        protocol: Protocol,
        request: BulkStartRequest,
        first: list[BulkOutcome],
        employments: dict[uuid.UUID, uuid.UUID],
        compensation: dict[uuid.UUID, CompensationDecision] | None = None,
    ) -> None:
        """Store the world and start the request's outcomes, as the service would (R2.2)."""
        with uow_factory() as uow:
            uow.bulk.add_all(employers=[employer], employees=people)
            uow.protocols.add(protocol)
            uow.bulk_starts.claim(
                request.request_id, request.fingerprint(), uuid.uuid4(), protocol.id
            )
            uow.bulk_starts.start_all(
                BulkStartPlan(
                    request=request,
                    protocol=protocol,
                    requested_by=uuid.uuid4(),
                    today=TODAY,
                    tasks=protocol.tasks_to_add,
                    outcomes=tuple(first),
                    employments=employments,
                    compensation=compensation or {},
                )
            )
            uow.commit()

    def test_r2_2_a_repeat_answers_from_the_summary_or_else_from_the_rows(
        self, uow_factory: UowFactory
    ) -> None:
        employer = Employer.create("A")
        people = [person(f"P{i}", employer, D(2020, 1, 1)) for i in range(6)]
        protocol = Protocol.create(
            "PMO",
            ProtocolKind.PMO,
            (TaskTemplate(code="A", title="A"), TaskTemplate(code="B", title="B")),
            ProtocolCharacteristics(may_start_in_bulk=True),
        )
        request = self._request(protocol, employer, D(2027, 5, 31))
        employments = {p.id: p.employments[0].id for p in people[:4]}
        first = decide(
            [p.id for p in people],
            frozenset(p.id for p in people[1:]),
            employments,
            frozenset({people[3].id}),
            iter(uuid.uuid4, None),
        )
        self._start(uow_factory, employer, people, protocol, request, first, employments)
        assert {o.reason for o in first} == {
            None,
            SkipReason.OUT_OF_SCOPE,
            SkipReason.NO_EMPLOYMENT,
            SkipReason.ALREADY_OPEN,
        }
        with uow_factory() as uow:
            stored = uow.bulk_starts.claim(request.request_id, "x", uuid.uuid4(), protocol.id)
            assert stored is not None and stored.outcomes == tuple(first)
            started = {
                x.id: [(task.code, task.id.version) for task in x.tasks]
                for p in people
                for x in uow.trajectories.for_employee(p.id)
            }
            assert started == {o.trajectory_id: [("A", 4), ("B", 4)] for o in first if o.started}
            # a request stored before its summary existed: answered from its rows
            r = t.bulk_start_requests
            connection = uow.connection  # type: ignore[attr-defined]
            connection.execute(
                r.update().where(r.c.request_id == request.request_id).values(summary=None)
            )
            uow.commit()
        with uow_factory() as uow:
            stored = uow.bulk_starts.claim(request.request_id, "x", uuid.uuid4(), protocol.id)
            assert stored is not None and stored.outcomes == tuple(first)

    def test_r2_5_the_database_adds_the_compensation_task_where_decided(
        self, uow_factory: UowFactory
    ) -> None:
        employer = Employer.create("A")
        people = [person(f"P{i}", employer, D(2020, 1, 1)) for i in range(3)]
        protocol = Protocol.create(
            "Verzuim",
            ProtocolKind.SICKNESS,
            (TaskTemplate(code="A", title="A"),),
            ProtocolCharacteristics(may_start_in_bulk=True, bulk_end_date_may_be_empty=True),
        )
        request = self._request(protocol, employer)
        employments = {p.id: p.employments[0].id for p in people}
        first = decide(
            [p.id for p in people],
            frozenset(employments),
            employments,
            frozenset(),
            iter(uuid.uuid4, None),
        )
        decisions = {
            people[0].id: CompensationDecision(True, CompensationReason.ELIGIBLE),
            people[1].id: CompensationDecision(False, CompensationReason.BORN_TOO_LATE),
        }
        self._start(uow_factory, employer, people, protocol, request, first, employments, decisions)
        with uow_factory() as uow:
            found = {p.id: uow.trajectories.for_employee(p.id) for p in people}
            assert {
                e: [(x.compensation, x.employment_id) for x in xs] for e, xs in found.items()
            } == {p.id: [(decisions.get(p.id), employments[p.id])] for p in people}
            assert [
                [(task.code, task.reason, task.added_on) for task in found[p.id][0].tasks]
                for p in people
            ] == [
                [("A", None, TODAY), (COMPENSATION_TASK.code, "eligible", TODAY)],
                [("A", None, TODAY)],
                [("A", None, TODAY)],
            ]

    def test_r2_2_a_proposal_in_id_order_picks_the_leading_employment(
        self, uow_factory: UowFactory
    ) -> None:
        employer = Employer.create("A")
        people = [person(f"P{i}", employer, D(2020, 1, 1)) for i in range(8)]
        for p in people[:4]:  # a second employment at the employer: the leading one wins
            second = Employment.create(
                id=uuid.uuid4(),
                employer_id=employer.id,
                period=DateRange(D(2021, 1, 1)),
                is_leading=True,
            )
            p.add_employment(second)
        with uow_factory() as uow:
            uow.bulk.add_all(employers=[employer], employees=people)
            uow.commit()
        unit = BulkUnit(employer_ids=frozenset({employer.id}))
        with uow_factory() as uow:
            plain = uow.bulk_starts.proposal(
                unit, D(2026, 12, 1), ResolvedScope(everything=True), with_names=False
            )
            named = uow.bulk_starts.proposal(unit, D(2026, 12, 1), ResolvedScope(everything=True))
        leading = {p.id: next(m.id for m in p.employments if m.is_leading) for p in people}
        assert [(c.employee_id, c.employment_id) for c in plain] == sorted(
            leading.items(), key=lambda pair: pair[0].int
        )
        assert {(c.employee_id, c.employment_id) for c in named} == set(leading.items())


class TestSqliteBulkStorage(SqliteBackend, BulkStorage):
    pass


class TestPostgresBulkStorage(PostgresBackend, BulkStorage):
    pass
