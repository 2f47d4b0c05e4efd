"""Contract of the nightly evaluation's store (R6.6, PolicyRunStore) on memory, SQLite and
PostgreSQL: facts read set-based equal the facts of the aggregates; stale participants are those
never evaluated or whose inputs changed; chunks are claimed once; a run finishes once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal

import pendulum
import pytest
import sqlalchemy as sa

from tests.backends import MemoryBackend, PostgresBackend, SqliteBackend, UowFactory
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.money import Money
from xs_core.organisation.model import Employee, Employer, Employment, EmploymentType
from xs_core.policies.facts import employee_facts
from xs_core.policies.model import InsuranceProduct, Insurer, Policy, ProductKind, Registration
from xs_core.policies.participation import ExclusionReason, Note
from xs_core.policies.ports import ChunkState, RunRecord
from xs_core.policies.run import plan_chunks
from xs_core.protocols.model import Protocol, ProtocolKind, Trajectory

D = pendulum.Date
TODAY = D(2026, 11, 29)
ON = D(2026, 1, 1)


def _world(uow_factory: UowFactory) -> tuple[Policy, Employer, list[Employee], uuid.UUID]:
    employer, other = Employer.create("Bakkerij", "BAK"), Employer.create("Slagerij", "SLA")
    insurer = Insurer.create("Verzekeraar", "V")
    product = InsuranceProduct.create(insurer.id, "Pensioen", ProductKind.PENSION)
    policy = Policy.create(employer.id, product.id, "P-1", DateRange(D(2025, 1, 1)))
    sickness = Protocol.create("Verzuim", ProtocolKind.SICKNESS)
    people = []
    for n in range(7):
        person = Employee.register(f"Naam{n}", "Achternaam", birth_date=D(1960 + n, 2, 28))
        person.add_employment(
            Employment.create(
                id=uuid.uuid4(),
                employer_id=employer.id if n < 6 else other.id,
                period=DateRange(D(2015 + n, 1, 1)),
                employment_type=EmploymentType.PERMANENT if n % 2 else EmploymentType.ON_CALL,
                salary=Money(Decimal(60_000 + n * 5_000)),
                is_leading=True,
            )
        )
        if n == 2:  # a second employment at the same employer, and one elsewhere
            person.add_employment(
                Employment.create(
                    id=uuid.uuid4(),
                    employer_id=employer.id,
                    period=DateRange(D(2024, 3, 1), D(2026, 3, 1)),
                    salary=None,
                )
            )
            person.add_employment(
                Employment.create(
                    id=uuid.uuid4(), employer_id=other.id, period=DateRange(D(2010, 1, 1))
                )
            )
        people.append(person)
    with uow_factory() as uow:
        uow.employers.add(employer)
        uow.employers.add(other)
        for person in people:
            uow.employees.add(person)
        uow.insurers.add(insurer)
        uow.products.add(product)
        uow.policies.add(policy)
        uow.protocols.add(sickness)
        # sickness: one recovered by report, one closed, one running
        spells = []
        for n, (start, end) in enumerate(
            ((D(2024, 11, 1), None), (D(2024, 12, 1), D(2025, 1, 20)), (D(2025, 6, 1), None))
        ):
            trajectory = Trajectory.start(sickness, people[n].id, start, TODAY, end)
            if n == 0:
                trajectory.report_recovery(D(2024, 12, 1), 50, TODAY)
                trajectory.report_recovery(D(2024, 12, 15), 100, TODAY)
            spells.append(trajectory)
            uow.trajectories.add(trajectory)
        uow.commit()
    return policy, employer, people, sickness.id


def _collect(statements: list[str]) -> Callable[..., None]:
    def collect(_c: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    return collect


def _ids(people: list[Employee], employer: Employer) -> list[uuid.UUID]:
    return sorted(p.id for p in people if any(e.employer_id == employer.id for e in p.employments))


def monthly_registrations(
    policy: Policy,
    ids: list[uuid.UUID],
    count: int,
    reasons: Callable[[int], frozenset[ExclusionReason]],
    note: Callable[[int, int], str | None],
) -> list[Registration]:
    """``count`` automatic registrations over the employees ``ids``: each employee's months from
    the policy's start one after another, the last one open; included in even months, excluded
    for ``reasons(month)`` in odd ones; note ``note(month, employee's index)``."""
    months = -(-count // len(ids))
    return [
        Registration(
            id=uuid.uuid4(),
            policy_id=policy.id,
            employee_id=ident,
            period=DateRange(
                D(2025, 1, 1).add(months=m),
                None if m == months - 1 else D(2025, 1, 1).add(months=m + 1),
            ),
            included=m % 2 == 0,
            reasons=frozenset() if m % 2 == 0 else reasons(m),
            notes=frozenset(list(Note)[: m % 3]),
            note=note(m, k),
            registered_on=TODAY,
        )
        for k, ident in enumerate(ids)
        for m in range(months)
    ][:count]


class PolicyRunStoreContract:
    def test_r6_6_facts_read_set_based_equal_the_aggregates_facts(
        self, uow_factory: UowFactory
    ) -> None:
        _, employer, people, _ = _world(uow_factory)
        ids = _ids(people, employer)
        with uow_factory() as uow:
            assert uow.policy_runs.employee_ids(employer.id) == ids
            found = uow.policy_runs.facts(employer.id, [*ids, people[6].id, uuid.uuid4()])
            expected = [
                employee_facts(uow.employees.get(i), employer.id, uow.trajectories.for_employee(i))
                for i in ids
            ]
        assert found == expected
        # the report of full recovery, the closed one's end, the running one: by hand
        spells = {f.employee_id: f.sickness for f in found}
        assert spells[people[0].id][0].recovered_on == D(2024, 12, 15)
        assert spells[people[1].id][0].recovered_on == D(2025, 1, 21)
        assert spells[people[2].id][0].recovered_on is None

    def test_r6_6_facts_from_the_inputs_texts_equal_the_facts_read(
        self, uow_factory: UowFactory
    ) -> None:
        """R6.6: a store may take a chunk's facts from the texts :meth:`stale` returned; they
        are the facts it reads (two employments, one without salary; a salary change; a
        recovery by report, a closed and a running sickness; no birth date)."""
        policy, employer, people, _ = _world(uow_factory)
        with uow_factory() as uow:
            person = uow.employees.get(people[3].id)
            person.change_employment(
                person.employments[0].id, D(2024, 7, 1), salary=Money(Decimal("81234.56"))
            )
            uow.employees.save(person)
            unknown = Employee.register("Zonder", "Geboortedatum")
            unknown.add_employment(
                Employment.create(
                    id=uuid.uuid4(),
                    employer_id=employer.id,
                    period=DateRange(D(2020, 1, 1), D(2027, 1, 1)),
                    employment_type=EmploymentType.INTERN,
                    is_leading=False,
                )
            )
            uow.employees.add(unknown)
            uow.commit()
        ids = sorted([*_ids(people, employer), unknown.id])
        with uow_factory() as uow:
            store = uow.policy_runs
            inputs = store.stale(policy.id, employer.id, None, None, "k1", ON)
            assert list(inputs) == ids
            read = store.facts(employer.id, ids)
            statements: list[str] = []
            connection = getattr(uow, "connection", None)  # the SQL stores: nothing read again
            if connection is not None:
                sa.event.listen(connection, "before_cursor_execute", _collect(statements))
            assert store.facts(employer.id, ids, inputs) == read
            assert statements == []
            # the texts of fewer employees than asked: the facts are read
            assert store.facts(employer.id, ids, dict(list(inputs.items())[:2])) == read
        # the cases are there: checked by hand against the world above
        facts = {f.employee_id: f for f in read}
        assert facts[unknown.id].birth_date is None
        (intern,) = facts[unknown.id].employments
        assert intern.period == DateRange(D(2020, 1, 1), D(2027, 1, 1))
        assert intern.versions[0].employment_type is EmploymentType.INTERN
        # R1.2: the first employment leads; the second, added not leading, does not
        assert [e.is_leading for e in facts[people[2].id].employments] == [True, False]
        assert [v.salary for v in facts[people[3].id].employments[0].versions] == [
            Decimal("75000.00"),
            Decimal("81234.56"),
        ]
        assert [e.versions[0].salary for e in facts[people[2].id].employments] == [
            Decimal("70000.00"),
            None,
        ]

    def test_r6_6_stale_until_remembered_and_again_after_a_change(
        self, uow_factory: UowFactory
    ) -> None:
        policy, employer, people, _ = _world(uow_factory)
        ids = _ids(people, employer)
        with uow_factory() as uow:
            store = uow.policy_runs
            inputs = store.stale(policy.id, employer.id, None, None, "k1", ON)
            assert list(inputs) == ids
            store.remember(policy.id, inputs, ON)
            assert store.stale(policy.id, employer.id, None, None, "k1", ON) == {}
            # a later window needs nothing; an earlier one, or another key, needs everyone
            assert store.stale(policy.id, employer.id, None, None, "k1", D(2026, 6, 1)) == {}
            assert list(store.stale(policy.id, employer.id, None, None, "k1", D(2025, 6, 1))) == ids
            again = store.stale(policy.id, employer.id, None, None, "k2", ON)
            assert list(again) == ids and again != inputs
            # bounds
            assert list(store.stale(policy.id, employer.id, ids[1], ids[3], "k2", ON)) == ids[2:4]
            uow.commit()
        # a manual registration changes the inputs of its employee only
        with uow_factory() as uow:
            uow.registrations.add(
                [
                    Registration.manual(
                        policy, ids[0], DateRange(D(2026, 2, 1), D(2026, 3, 1)), False, TODAY
                    )
                ]
            )
            uow.commit()
        with uow_factory() as uow:
            assert list(uow.policy_runs.stale(policy.id, employer.id, None, None, "k1", ON)) == [
                ids[0]
            ]
        # so does a new salary (a new version of the employment)
        with uow_factory() as uow:
            store = uow.policy_runs
            store.remember(policy.id, store.stale(policy.id, employer.id, None, None, "k1", ON), ON)
            person = uow.employees.get(ids[3])
            employment = next(e for e in person.employments if e.employer_id == employer.id)
            person.change_employment(employment.id, D(2026, 5, 1), salary=Money(Decimal(99_000)))
            uow.employees.save(person)
            uow.commit()
        with uow_factory() as uow:
            assert list(uow.policy_runs.stale(policy.id, employer.id, None, None, "k1", ON)) == [
                ids[3]
            ]
        # and forgetting an employee makes them stale again
        with uow_factory() as uow:
            store = uow.policy_runs
            store.remember(policy.id, store.stale(policy.id, employer.id, None, None, "k1", ON), ON)
            store.forget(policy.id, ids[5])
            store.forget(policy.id, uuid.uuid4())  # unknown: nothing
            assert list(store.stale(policy.id, employer.id, None, None, "k1", ON)) == [ids[5]]

    def test_r6_6_a_chunk_is_claimed_until_done_and_the_run_finishes_once(
        self, uow_factory: UowFactory
    ) -> None:
        policy, employer, people, _ = _world(uow_factory)
        ids = _ids(people, employer)
        chunks = plan_chunks([policy], {employer.id: ids}, 4)
        assert len(chunks) == 2
        admin = uuid.uuid4()
        with uow_factory() as uow:
            user = _user(uow, admin)
            assert user
            run = RunRecord(
                id=uuid.uuid4(),
                on=ON,
                policy_id=None,
                started_by=admin,
                started_at=pendulum.datetime(2026, 11, 29, 2, 0),
                chunk_size=4,
            )
            uow.policy_runs.add_run(run, chunks)
            uow.commit()
        with uow_factory() as uow:
            store = uow.policy_runs
            assert store.run(run.id) == run
            assert store.unfinished() == [run]
            assert [c.plan for c in store.chunks(run.id)] == chunks
            assert store.chunk(run.id, 1) == chunks[1]
            assert store.chunk(run.id, 2) is None
            first = store.claim_chunk(run.id, 0)
            assert first == chunks[0]
            store.finish_chunk(run.id, ChunkState(plan=first, done=True, changed=3, added=5))
            assert not store.finish_run(run.id, pendulum.now("UTC"))
            uow.commit()
        with uow_factory() as uow:
            store = uow.policy_runs
            assert store.claim_chunk(run.id, 0) is None  # done: left alone
            second = store.claim_chunk(run.id, 1)
            assert second == chunks[1]
            store.finish_chunk(run.id, ChunkState(plan=second, done=True, changed=1, removed=2))
            at = pendulum.datetime(2026, 11, 29, 3, 0)
            assert store.finish_run(run.id, at)
            assert not store.finish_run(run.id, at)
            uow.commit()
        with uow_factory() as uow:
            states = uow.policy_runs.chunks(run.id)
            assert [(s.done, s.changed, s.added, s.removed) for s in states] == [
                (True, 3, 5, 0),
                (True, 1, 0, 2),
            ]
            assert uow.policy_runs.run(run.id).finished_at == pendulum.datetime(2026, 11, 29, 3)
            assert uow.policy_runs.unfinished() == []
        with uow_factory() as uow, pytest.raises(DomainError) as missing:
            uow.policy_runs.run(uuid.uuid4())
        assert missing.value.code == "not_found"

    def test_r6_6_a_superseded_run_is_finished_with_its_open_chunks_done(
        self, uow_factory: UowFactory
    ) -> None:
        policy, employer, people, _ = _world(uow_factory)
        ids = _ids(people, employer)
        chunks = plan_chunks([policy], {employer.id: ids}, 2)
        admin = uuid.uuid4()
        run = RunRecord(
            id=uuid.uuid4(),
            on=ON,
            policy_id=policy.id,
            started_by=admin,
            started_at=pendulum.datetime(2026, 11, 29, 2, 0),
            chunk_size=2,
        )
        with uow_factory() as uow:
            _user(uow, admin)
            uow.policy_runs.add_run(run, chunks)
            plan = uow.policy_runs.claim_chunk(run.id, 0)
            assert plan is not None
            uow.policy_runs.finish_chunk(run.id, ChunkState(plan=plan, done=True, changed=2))
            uow.commit()
        at = pendulum.datetime(2026, 11, 30, 2, 0)
        with uow_factory() as uow:
            uow.policy_runs.supersede(run.id, at)
            uow.commit()
        with uow_factory() as uow:
            assert uow.policy_runs.unfinished() == []
            assert uow.policy_runs.run(run.id).finished_at == at
            states = uow.policy_runs.chunks(run.id)
            assert all(s.done for s in states)
            assert [s.changed for s in states] == [2] + [0] * (len(states) - 1)
            assert uow.policy_runs.claim_chunk(run.id, len(states) - 1) is None

    def test_r6_6_replace_removes_and_adds_registrations(self, uow_factory: UowFactory) -> None:
        policy, employer, people, _ = _world(uow_factory)
        ids = _ids(people, employer)
        one = Registration.manual(policy, ids[0], DateRange(D(2026, 1, 1)), True, TODAY)
        automatic = [
            Registration(
                id=uuid.uuid4(),
                policy_id=policy.id,
                employee_id=i,
                period=DateRange(D(2025, 1, 1), D(2026, 1, 1)),
                included=False,
                reasons=frozenset(),
                registered_on=ON,
            )
            for i in ids[:3]
        ]
        with uow_factory() as uow:
            uow.policy_runs.replace([], [one, *automatic])
            uow.commit()
        with uow_factory() as uow:
            uow.policy_runs.replace([automatic[1].id], [])
            uow.commit()
        with uow_factory() as uow:
            found = uow.policy_runs.registrations(policy.id, ids)
        assert found == {
            ids[0]: [automatic[0], one],
            ids[2]: [automatic[2]],
        }

    @pytest.mark.parametrize("count", [3, 72])  # 72: PostgreSQL writes from 64 rows by COPY
    def test_r6_6_replace_stores_every_value_by_each_way_of_writing(
        self, uow_factory: UowFactory, count: int
    ) -> None:
        """R6.6: what a run writes reads back as it was — open and closed periods, included and
        excluded, reason and note sets, a note with a tab, a newline, a backslash and a carriage
        return — whether the rows go one by one or (PostgreSQL, 64 rows on) as lines of COPY's
        text format."""
        policy, employer, people, _ = _world(uow_factory)
        ids = _ids(people, employer)
        written = monthly_registrations(
            policy,
            ids,
            count,
            lambda m: frozenset(list(ExclusionReason)[: 1 + m % 3]),
            lambda m, _: None if m % 4 else f"tab\there\nnew line \\ back\rslash é {m}",
        )
        with uow_factory() as uow:
            uow.policy_runs.replace([], written)
            uow.commit()
        with uow_factory(write=False) as uow:
            found = uow.policy_runs.registrations(policy.id, ids)
        expected: dict[uuid.UUID, list[Registration]] = {}
        for registration in written:
            expected.setdefault(registration.employee_id, []).append(registration)
        assert found == expected


def _user(uow: object, user_id: uuid.UUID) -> bool:
    """A user row for the run's starter (a foreign key on SQL)."""
    from xs_core.access.model import User

    user = User.create("Beheer", f"{user_id.hex[:8]}@example.nl", user_id=user_id)
    uow.users.add(user)  # type: ignore[attr-defined]
    return True


class SqlInputsContract:
    @pytest.mark.parametrize("count", [3, 70])  # 70: PostgreSQL writes from 64 rows by COPY
    def test_r6_6_remember_stores_the_inputs_texts_as_given(
        self, uow_factory: UowFactory, count: int
    ) -> None:
        """R6.6: the inputs texts a run remembers are the database's own texts, which hold the
        notes of manual registrations: any text (a tab, a newline, a backslash, a carriage
        return) is stored as given, by each way of writing; remembering again replaces them."""
        policy, _, _, _ = _world(uow_factory)
        people = [Employee.register(f"Extra{n}", "Achternaam") for n in range(count)]
        with uow_factory() as uow:
            for person in people:
                uow.employees.add(person)
            uow.commit()
        texts = {p.id: f"k#1970-01-01|{n}|\t\n\\N \\ \r é|{'x' * n}" for n, p in enumerate(people)}
        for round_ in range(2):
            given = {ident: f"{text}{round_}" for ident, text in texts.items()}
            with uow_factory() as uow:
                uow.policy_runs.remember(policy.id, given, ON)
                uow.commit()
            with uow_factory(write=False) as uow:
                rows = uow.connection.execute(  # type: ignore[attr-defined]
                    sa.text(
                        "SELECT employee_id, inputs, evaluated_from "
                        "FROM policy_participant_inputs WHERE policy_id = :p"
                    ).bindparams(sa.bindparam("p", type_=sa.Uuid())),
                    {"p": policy.id},
                ).all()
            stored = {uuid.UUID(str(ident)): text for ident, text, _ in rows}
            assert stored == given
            assert {str(since)[:10] for _, _, since in rows} == {ON.isoformat()}


class TestMemoryPolicyRunStore(MemoryBackend, PolicyRunStoreContract):
    pass


class TestSqlitePolicyRunStore(SqliteBackend, PolicyRunStoreContract, SqlInputsContract):
    pass


class TestPostgresPolicyRunStore(PostgresBackend, PolicyRunStoreContract, SqlInputsContract):
    def test_r6_6_a_chunks_reads_run_without_jit_in_its_transaction_only(
        self, uow_factory: UowFactory, postgres_url: str
    ) -> None:
        """R6.6: from the stale-inputs read on, the chunk's transaction plans without JIT
        (compiling took 70 of a chunk's 170-210 ms); the connection's next transaction has the
        server's setting again."""
        from xs_adapters.sql.engine import create_engine
        from xs_adapters.sql.policy_runs import SqlPolicyRunStore

        policy, employer, _, _ = _world(uow_factory)
        setting = sa.text("SELECT current_setting('jit')")
        engine = create_engine(postgres_url)
        with engine.connect() as connection:
            before = connection.execute(setting).scalar_one()
            connection.commit()
            with connection.begin():
                SqlPolicyRunStore(connection).stale(policy.id, employer.id, None, None, "k", ON)
                assert connection.execute(setting).scalar_one() == "off"
            assert connection.execute(setting).scalar_one() == before
        engine.dispose()
        assert before == "on"  # the server's default here, so the test tells the two apart
