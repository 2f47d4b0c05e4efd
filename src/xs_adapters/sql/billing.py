"""SQL repositories of contract management and billing (R5.1).

The billing run is set-based: subscription lines are computed in Python (month arithmetic of
R5.1) and bulk-inserted; activity lines are one ``INSERT … SELECT`` over the released activities
(R4.4). The keys of the line tables — (subscription, period start) and the activity — make it
impossible for a billing period or an activity to be on two invoice bases; inserts skip keys
already taken (``ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable, Iterator, Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from xs_adapters.sql import billing_sqlite
from xs_adapters.sql import tables as t
from xs_adapters.sql.amounts import amount_sums, total_cents
from xs_adapters.sql.copy import insert_rows
from xs_adapters.sql.locking import lock_row
from xs_adapters.sql.planner import planner
from xs_adapters.sql.types import PendulumDate
from xs_core.agenda.model import ActivityStatus
from xs_core.billing.contracts import (
    ContractKind,
    ContractModel,
    ContractModelType,
    Payer,
    PriceCategory,
    ServiceAgreement,
    Subscription,
)
from xs_core.billing.frequency import BillingFrequency
from xs_core.billing.invoicing import (
    BillableSubscription,
    InvoiceBasis,
    InvoiceBasisStatus,
    InvoiceLine,
    LineKind,
    SubscriptionLine,
)
from xs_core.billing.schedule import SHORTEST_WHOLE_PERIOD
from xs_core.dates import DateRange
from xs_core.errors import NotFound
from xs_core.events import Aggregate
from xs_core.money import Money

Track = Callable[[Aggregate], None]

# exact for any total of amounts (34 digits), whatever the thread's decimal context
_EXACT = Context(prec=34, rounding=ROUND_HALF_EVEN)


def _missing(kind: str, ident: uuid.UUID) -> NotFound:
    return NotFound("not_found", {"kind": kind, "id": str(ident)})


class SqlContractModelRepository:
    def __init__(self, connection: Connection, track: Track) -> None:
        self._c = connection
        self._track = track

    def add(self, model: ContractModel) -> None:
        self._c.execute(
            t.contract_models.insert().values(
                id=model.id,
                name=model.name,
                kind=model.kind.value,
                billing_frequency=model.billing_frequency.value,
                active_from=model.active.start,
                active_until=model.active.end,
                model_type=model.model_type.value,
            )
        )
        if model.price_categories:
            self._c.execute(
                t.price_categories.insert(),
                [
                    {
                        "contract_model_id": model.id,
                        "activity_type": c.activity_type,
                        "payer": c.payer.value,
                        "price": c.price.amount,
                    }
                    for c in model.price_categories
                ],
            )
        self._track(model)

    def _models(self, where: Any = None) -> list[ContractModel]:
        query = sa.select(t.contract_models).order_by(
            t.contract_models.c.name, t.contract_models.c.id
        )
        if where is not None:
            query = query.where(where)
        rows = self._c.execute(query).all()
        categories: dict[uuid.UUID, list[PriceCategory]] = {}
        if rows:
            pc = t.price_categories
            for row in self._c.execute(
                sa.select(pc)
                .where(pc.c.contract_model_id.in_([r.id for r in rows]))
                .order_by(pc.c.activity_type, pc.c.payer)
            ):
                categories.setdefault(row.contract_model_id, []).append(
                    PriceCategory(
                        activity_type=row.activity_type,
                        price=Money(row.price),
                        payer=Payer(row.payer),
                    )
                )
        return [
            ContractModel(
                id=r.id,
                name=r.name,
                kind=ContractKind(r.kind),
                billing_frequency=BillingFrequency(r.billing_frequency),
                active=DateRange(r.active_from, r.active_until),
                price_categories=tuple(categories.get(r.id, ())),
                model_type=ContractModelType(r.model_type),
            )
            for r in rows
        ]

    def get(self, model_id: uuid.UUID) -> ContractModel:
        found = self._models(t.contract_models.c.id == model_id)
        if not found:
            raise _missing("contract_model", model_id)
        return found[0]

    def list(self) -> list[ContractModel]:
        return self._models()


def _agreement(row: Any) -> ServiceAgreement:
    return ServiceAgreement(
        id=row.id,
        employer_id=row.employer_id,
        contract_model_id=row.contract_model_id,
        period=DateRange(row.starts_on, row.ends_on),
        service_variation=row.service_variation,
        deviating_frequency=None
        if row.deviating_frequency is None
        else BillingFrequency(row.deviating_frequency),
    )


class SqlServiceAgreementRepository:
    def __init__(self, connection: Connection, track: Track) -> None:
        self._c = connection
        self._track = track

    @staticmethod
    def _values(agreement: ServiceAgreement) -> dict[str, Any]:
        return {
            "employer_id": agreement.employer_id,
            "contract_model_id": agreement.contract_model_id,
            "starts_on": agreement.period.start,
            "ends_on": agreement.period.end,
            "service_variation": agreement.service_variation,
            "deviating_frequency": None
            if agreement.deviating_frequency is None
            else agreement.deviating_frequency.value,
        }

    def add(self, agreement: ServiceAgreement) -> None:
        self._c.execute(
            t.service_agreements.insert().values(id=agreement.id, **self._values(agreement))
        )
        self._track(agreement)

    def save(self, agreement: ServiceAgreement) -> None:
        self._c.execute(
            t.service_agreements.update()
            .where(t.service_agreements.c.id == agreement.id)
            .values(**self._values(agreement))
        )
        self._track(agreement)

    def get(self, agreement_id: uuid.UUID) -> ServiceAgreement:
        row = self._c.execute(
            sa.select(t.service_agreements).where(t.service_agreements.c.id == agreement_id)
        ).first()
        if row is None:
            raise _missing("service_agreement", agreement_id)
        return _agreement(row)

    def lock(self, agreement_id: uuid.UUID) -> ServiceAgreement:
        """The ServiceAgreement locked until the transaction ends (read-check-write)."""
        lock_row(self._c, t.service_agreements, agreement_id)
        return self.get(agreement_id)

    def for_employer(self, employer_id: uuid.UUID) -> list[ServiceAgreement]:
        sa_ = t.service_agreements
        rows = self._c.execute(
            sa.select(sa_)
            .where(sa_.c.employer_id == employer_id)
            .order_by(sa_.c.starts_on, sa_.c.id)
        )
        return [_agreement(r) for r in rows]


def _subscription(row: Any) -> Subscription:
    return Subscription(
        id=row.id,
        agreement_id=row.agreement_id,
        description=row.description,
        amount=Money(row.amount),
        period=DateRange(row.starts_on, row.ends_on),
    )


class SqlSubscriptionRepository:
    def __init__(self, connection: Connection, track: Track) -> None:
        self._c = connection
        self._track = track

    @staticmethod
    def _values(subscription: Subscription) -> dict[str, Any]:
        return {
            "agreement_id": subscription.agreement_id,
            "description": subscription.description,
            "amount": subscription.amount.amount,
            "starts_on": subscription.period.start,
            "ends_on": subscription.period.end,
        }

    def add(self, subscription: Subscription) -> None:
        self._c.execute(
            t.subscriptions.insert().values(id=subscription.id, **self._values(subscription))
        )
        self._track(subscription)

    def save(self, subscription: Subscription) -> None:
        self._c.execute(
            t.subscriptions.update()
            .where(t.subscriptions.c.id == subscription.id)
            .values(**self._values(subscription))
        )
        self._track(subscription)

    def get(self, subscription_id: uuid.UUID) -> Subscription:
        row = self._c.execute(
            sa.select(t.subscriptions).where(t.subscriptions.c.id == subscription_id)
        ).first()
        if row is None:
            raise _missing("subscription", subscription_id)
        return _subscription(row)

    def lock(self, subscription_id: uuid.UUID) -> Subscription:
        """The Subscription locked until the transaction ends (read-check-write)."""
        lock_row(self._c, t.subscriptions, subscription_id)
        return self.get(subscription_id)

    def for_agreement(self, agreement_id: uuid.UUID) -> list[Subscription]:
        s = t.subscriptions
        rows = self._c.execute(
            sa.select(s).where(s.c.agreement_id == agreement_id).order_by(s.c.starts_on, s.c.id)
        )
        return [_subscription(r) for r in rows]


def _overlapping(start: Any, end: Any, window: DateRange) -> Any:
    """``[start, end)`` overlaps ``window`` (``end`` NULL is open)."""
    condition = sa.or_(end.is_(None), end > window.start)
    if window.end is not None:
        condition = sa.and_(condition, start < window.end)
    return condition


def _cents(amount: Any, dialect: str) -> Any:
    """An amount column (R0.3) read as integer cents: SQLite stores them so; PostgreSQL's
    ``NUMERIC(14, 2)`` times 100 is a whole number."""
    if dialect == "sqlite":
        return sa.type_coerce(amount, sa.BigInteger)
    return sa.cast(amount * 100, sa.BigInteger)


def _plain_date(day: Any, dialect: str) -> Any:
    """A date column read as the driver gives it — a ``datetime.date`` on PostgreSQL, ISO text
    on SQLite (``date.fromisoformat`` it) — not as a pendulum date."""
    return sa.type_coerce(day, sa.String if dialect == "sqlite" else sa.Date)


def _released_with_customer(window: DateRange) -> Any:
    """The released activities performed in ``window`` that are on no invoice basis yet, each
    with its customer: the employer of the employee's leading employment that day — the flagged
    one if it runs then, otherwise the running one that started first (R1.2, R2.3) — ranked per
    activity by a window function. Activities already billed are left out first (an anti-join on
    the key of the line table), before the employments are joined: a repeated run ranks
    nothing."""
    a, e, al = t.activities, t.employments, t.invoice_activity_lines
    day = a.c.performed_on
    rank = sa.func.row_number().over(
        partition_by=a.c.id, order_by=(e.c.is_leading.desc(), e.c.start_date, e.c.id)
    )
    query = (
        sa.select(
            a.c.id.label("activity_id"),
            a.c.activity_type,
            a.c.performed_on,
            a.c.employee_id,
            e.c.employer_id,
            rank.label("preference"),
        )
        .select_from(a)
        .join(
            e,
            sa.and_(
                e.c.employee_id == a.c.employee_id,
                e.c.start_date <= day,
                sa.or_(e.c.end_date.is_(None), e.c.end_date > day),
            ),
        )
        .where(
            a.c.status == ActivityStatus.RELEASED.value,
            day >= window.start,
            ~sa.exists().where(al.c.activity_id == a.c.id),
        )
    )
    if window.end is not None:
        query = query.where(day < window.end)
    return query.subquery("released")


def _days(later: Any, earlier: Any, dialect: str) -> Any:
    """The number of days from ``earlier`` to ``later`` (dates; SQLite stores ISO text)."""
    if dialect == "sqlite":
        return sa.func.julianday(later) - sa.func.julianday(earlier)
    return later - earlier


def _month_index(day: Any, dialect: str) -> Any:
    """year × 12 + month of a date column. SQLite stores a date as ISO text (``YYYY-MM-DD``):
    its year and month are read from their places, not by ``strftime``, which parses the whole
    date (twice per date here, for every subscription of a run)."""
    if dialect == "sqlite":
        return sa.cast(sa.func.substr(day, 1, 4), sa.Integer) * 12 + sa.cast(
            sa.func.substr(day, 6, 2), sa.Integer
        )
    return sa.cast(sa.extract("year", day) * 12 + sa.extract("month", day), sa.Integer)


def _a_period_may_start(window: DateRange, billing_months: Any, dialect: str) -> Any:
    """R5.1: a billing period of the subscription may start in ``window``, judged by months
    alone (so never wrongly no): periods start ``k × billing_months`` months after the
    subscription's start, so one that started before the window has a later start in the
    window's months only if a multiple of ``billing_months`` lies between the month distances
    to the window's first and last month."""
    if window.end is None:
        raise ValueError("a billing run needs a window with an end")
    s = t.subscriptions
    last = window.end - _dt.timedelta(days=1)
    started = _month_index(s.c.starts_on, dialect)
    to_first = window.start.year * 12 + window.start.month - started
    # the window's last month, or the month the subscription ends in if earlier
    ends = sa.func.coalesce(_month_index(s.c.ends_on, dialect), last.year * 12 + last.month)
    smaller = sa.func.min if dialect == "sqlite" else sa.func.least
    to_last = smaller(ends, last.year * 12 + last.month) - started
    return sa.or_(
        s.c.starts_on >= sa.literal(window.start, PendulumDate),
        (to_last // billing_months) * billing_months >= to_first,
    )


def _unbilled_days(window: DateRange, shortest_period: Any, dialect: str) -> Any:
    """R5.1: a subscription may still get a line in ``window`` — the anti-join that makes a
    repeated run compute no schedule for what is billed.

    ``[lo, hi)`` are the subscription's days in the window, ``m`` the first of them on a line
    (the lines of one subscription never overlap, so the days they cover add up). It can get no
    line when the lines cover all of ``[m, hi)`` and the days before, ``[lo, m)``, are fewer than
    a whole billing period can have (``shortest_period``, from ``SHORTEST_WHOLE_PERIOD``): a
    period starting on a covered day overlaps its line, and
    one starting in ``[lo, m)`` is either whole (so it runs past ``m``) or the last, pro-rata
    one (so it runs to the subscription's end, past ``m``) — either way it overlaps billed
    days. Anything else is left to the schedule (and to ``add_subscription_lines``)."""
    if window.end is None:
        raise ValueError("a billing run needs a window with an end")
    s, sl = t.subscriptions, t.invoice_subscription_lines
    start = sa.literal(window.start, PendulumDate)
    end = sa.literal(window.end, PendulumDate)
    larger, smaller = (
        (sa.func.max, sa.func.min) if dialect == "sqlite" else (sa.func.greatest, sa.func.least)
    )
    lo = larger(s.c.starts_on, start)
    hi = smaller(sa.func.coalesce(s.c.ends_on, end), end)
    covered = sa.func.sum(
        _days(smaller(sl.c.period_until, hi), larger(sl.c.period_from, lo), dialect)
    )
    m = sa.func.min(larger(sl.c.period_from, lo))
    # one probe of the line table's key per subscription, both aggregates at once
    billed = (
        sa.select(
            sa.and_(covered == _days(hi, m, dialect), _days(m, lo, dialect) < shortest_period)
        )
        .where(sl.c.subscription_id == s.c.id, sl.c.period_from < hi, sl.c.period_until > lo)
        .scalar_subquery()
    )
    return sa.not_(sa.func.coalesce(billed, False))


def _basis(row: Any) -> InvoiceBasis:
    return InvoiceBasis(
        id=row.id,
        employer_id=row.employer_id,
        period=DateRange(row.period_from, row.period_until),
        run_id=row.run_id,
        created_on=row.created_on,
        status=InvoiceBasisStatus(row.status),
        subscription_lines=row.subscription_lines,
        activity_lines=row.activity_lines,
        total=Money(row.total),
        sent_on=row.sent_on,
    )


#: a billing run's unbilled activities with their customers, ranked once (a temporary table,
#: created and dropped by ``add_activity_lines``; dropped at commit on PostgreSQL anyway)
_CANDIDATES = sa.Table(
    "_xs_billing_candidates",
    sa.MetaData(),
    sa.Column("activity_id", sa.Uuid, nullable=False),
    sa.Column("employer_id", sa.Uuid, nullable=False),
    sa.Column("activity_type", t.activities.c.activity_type.type, nullable=False),
    sa.Column("performed_on", PendulumDate, nullable=False),
    sa.Column("employee_id", sa.Uuid, nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


#: Billable subscriptions are fetched this many at a time (the driver's ``fetchmany``): the
#: run computes and writes lines while the query still reads.
FETCH = 1000

#: PostgreSQL ``work_mem`` (kB) for ranking a run's activities and adding up its lines: with
#: the default 4 MB both sorted on disk (external merges) at 100,000 activities.
SORT_MEMORY = "65536"


class SqlInvoicingStore:
    def __init__(self, connection: Connection, track: Track) -> None:
        self._c = connection
        self._track = track
        #: (window, run, count) of the last ``add_activity_lines``: its unbilled candidates
        self._unbilled: tuple[DateRange, uuid.UUID, int] | None = None
        #: (run, {basis: (lines, cents)}): the activity lines ``add_activity_lines`` added for
        #: the run (every call), counted and totalled as they were written (``None``: unknown)
        self._activity_totals: tuple[uuid.UUID, dict[uuid.UUID, tuple[int, int]] | None] | None = (
            None
        )

    def _insert(self) -> Any:
        dialect = postgresql if self._c.dialect.name == "postgresql" else sqlite
        return dialect.insert

    def lock_customers(self, employer_ids: Sequence[uuid.UUID]) -> None:
        # SQLite: the writing transaction began IMMEDIATE and holds the database's write lock.
        # PostgreSQL: NO KEY UPDATE, so that runs exclude each other while rows that refer to
        # these employers (foreign-key checks take KEY SHARE) can still be written meanwhile.
        if self._c.dialect.name == "postgresql" and employer_ids:
            self._c.execute(
                sa.text(
                    "SELECT id FROM employers WHERE id = ANY(:ids) ORDER BY id FOR NO KEY UPDATE"
                ),
                {"ids": sorted(employer_ids)},
            )

    def customers(
        self, window: DateRange, employer_ids: frozenset[uuid.UUID] | None
    ) -> list[uuid.UUID]:
        ag = t.service_agreements
        rows = self._c.execute(
            sa.select(ag.c.employer_id)
            .distinct()
            .where(_overlapping(ag.c.starts_on, ag.c.ends_on, window))
        ).scalars()
        return sorted(e for e in rows if employer_ids is None or e in employer_ids)

    def billable_subscriptions(
        self, window: DateRange, employer_ids: frozenset[uuid.UUID] | None
    ) -> Iterator[BillableSubscription]:
        s, ag, cm = t.subscriptions, t.service_agreements, t.contract_models
        dialect = self._c.dialect.name
        frequency = sa.func.coalesce(ag.c.deviating_frequency, cm.c.billing_frequency)
        billing_months = sa.case({f.value: f.months for f in BillingFrequency}, value=frequency)
        shortest = sa.case(
            {f.value: SHORTEST_WHOLE_PERIOD[f.months] for f in BillingFrequency}, value=frequency
        )
        query = (
            sa.select(
                s.c.id,
                s.c.description,
                _cents(s.c.amount, dialect),
                _plain_date(s.c.starts_on, dialect),
                _plain_date(s.c.ends_on, dialect),
                ag.c.employer_id,
                ag.c.deviating_frequency,
                cm.c.billing_frequency,
            )
            .join(ag, ag.c.id == s.c.agreement_id)
            .join(cm, cm.c.id == ag.c.contract_model_id)
            .where(
                _overlapping(s.c.starts_on, s.c.ends_on, window),
                _a_period_may_start(window, billing_months, dialect),
                _unbilled_days(window, shortest, dialect),
            )
            .order_by(s.c.id)
        )
        months = {f.value: f.months for f in BillingFrequency}
        day = _dt.date.fromisoformat if dialect == "sqlite" else None
        # fetched in batches (the driver's fetchmany, not a fetch per row)
        for rows in self._c.execute(query).partitions(FETCH):
            for ident, description, cents, start, end, employer, deviating, frequency in rows:
                if employer_ids is not None and employer not in employer_ids:
                    continue
                if type(cents) is not int:  # a REAL would be an inexact amount: never guess
                    raise TypeError(f"an amount column holds {cents!r}, not integer cents")
                contract = months[frequency]
                yield BillableSubscription(
                    subscription_id=ident,
                    employer_id=employer,
                    description=description,
                    cents=cents,
                    start=start if day is None else day(start),
                    end=end if day is None or end is None else day(end),
                    contract_months=contract,
                    billing_months=months.get(deviating, contract),
                )

    def add_bases(self, bases: Sequence[InvoiceBasis]) -> None:
        insert_rows(
            self._c,
            t.invoice_bases,
            [
                {
                    "id": b.id,
                    "employer_id": b.employer_id,
                    "period_from": b.period.start,
                    "period_until": b.period.end,
                    "run_id": b.run_id,
                    "status": b.status.value,
                    "created_on": b.created_on,
                    "sent_on": b.sent_on,
                    "subscription_lines": b.subscription_lines,
                    "activity_lines": b.activity_lines,
                    "total": b.total.amount,
                }
                for b in bases
            ],
        )

    def add_subscription_lines(self, lines: Sequence[SubscriptionLine]) -> int:
        # the amounts as each engine stores them: integer cents on SQLite, decimals elsewhere
        sqlite = self._c.dialect.name == "sqlite"
        return insert_rows(
            self._c,
            t.invoice_subscription_lines,
            [
                {
                    "subscription_id": line.subscription_id,
                    "period_from": line.period_from,
                    "period_until": line.period_until,
                    "invoice_basis_id": line.invoice_basis_id,
                    "amount": line.cents if sqlite else Decimal(line.cents).scaleb(-2, _EXACT),
                }
                for line in lines
            ],
            stored=("amount",) if sqlite else (),
            # R5.1: never bill the same days twice, also when the frequency changed since
            unless=(
                "EXISTS (SELECT 1 FROM invoice_subscription_lines AS billed"
                " WHERE billed.subscription_id = new.subscription_id"
                " AND billed.period_from < new.period_until"
                " AND billed.period_until > new.period_from)"
            ),
        )

    def add_activity_lines(self, window: DateRange, run_id: uuid.UUID) -> int:
        """The priced lines of the run's customers' released activities not billed yet, in one
        ``INSERT … SELECT``. PostgreSQL: the candidates — each unbilled activity with its
        customer, ranked once — are written to a temporary table first; the lines come from it,
        and so does the number left unbilled (candidates minus lines), so the activities are
        read once. SQLite: priced candidates without a ranking (``billing_sqlite``)."""
        if self._c.dialect.name != "postgresql":
            written = billing_sqlite.add_activity_lines(self._c, window, run_id)
            self._record(run_id, written.totals)
            self._unbilled = (window, run_id, written.unbilled)
            return written.added
        b, ag, pc = t.invoice_bases, t.service_agreements, t.price_categories
        al, c = t.invoice_activity_lines, _CANDIDATES
        r = _released_with_customer(window)
        c.create(self._c)
        # the run's bases were written in this transaction (no statistics on PostgreSQL): join
        # in the order written, the activities of the period first
        with planner(self._c, join_collapse_limit="1", work_mem=SORT_MEMORY):
            self._c.execute(
                c.insert().from_select(
                    [col.name for col in c.columns],
                    sa.select(
                        r.c.activity_id,
                        r.c.employer_id,
                        r.c.activity_type,
                        r.c.performed_on,
                        r.c.employee_id,
                    )
                    .select_from(r)
                    .join(b, sa.and_(b.c.run_id == run_id, b.c.employer_id == r.c.employer_id))
                    .where(r.c.preference == 1),
                )
            )
        day = c.c.performed_on
        select = (
            sa.select(c.c.activity_id, b.c.id, c.c.activity_type, day, c.c.employee_id, pc.c.price)
            .select_from(c)
            .join(
                ag,
                sa.and_(
                    ag.c.employer_id == c.c.employer_id,
                    ag.c.starts_on <= day,
                    sa.or_(ag.c.ends_on.is_(None), ag.c.ends_on > day),
                ),
            )
            .join(
                pc,
                sa.and_(
                    pc.c.contract_model_id == ag.c.contract_model_id,
                    pc.c.activity_type == c.c.activity_type,
                    pc.c.payer == Payer.EMPLOYER.value,
                ),
            )
            .join(b, sa.and_(b.c.run_id == run_id, b.c.employer_id == c.c.employer_id))
        )
        statement = (
            self._insert()(al)
            .from_select(
                [
                    "activity_id",
                    "invoice_basis_id",
                    "activity_type",
                    "performed_on",
                    "employee_id",
                    "amount",
                ],
                select,
            )
            .on_conflict_do_nothing()
            .execution_options(preserve_rowcount=True)
        )
        # Activities already on a basis were left out by the anti-join of
        # ``_released_with_customer`` before anything was joined (a repeated run ranks and
        # prices nothing); the key of the line table (ON CONFLICT DO NOTHING) stays the
        # guarantee.
        # PostgreSQL: the candidates were written in this transaction (no statistics, and an
        # ANALYZE of them cost about as much as the joins): hash joins in the order written,
        # whatever the estimates. The lines added come back (RETURNING) and are counted and
        # totalled per basis in the same statement, so that ``finish_run`` need not read them.
        with planner(self._c, join_collapse_limit="1", enable_nestloop="off"):
            lines = statement.returning(al.c.invoice_basis_id, al.c.amount).cte("added")
            found = self._c.execute(
                sa.select(
                    lines.c.invoice_basis_id,
                    sa.func.count(),
                    *amount_sums(lines.c.amount, "postgresql"),
                ).group_by(lines.c.invoice_basis_id)
            ).all()
        totals = {
            basis_id: (int(count), total_cents(sums, "postgresql"))
            for basis_id, count, *sums in found
        }
        self._record(run_id, totals)
        added = sum(count for count, _ in totals.values())
        candidates = int(self._c.execute(sa.select(sa.func.count()).select_from(c)).scalar_one())
        c.drop(self._c)
        self._unbilled = (window, run_id, candidates - added)
        return added

    def _record(self, run_id: uuid.UUID, added: dict[uuid.UUID, tuple[int, int]] | None) -> None:
        """Keep the (lines, cents) per basis of the activity lines just added for
        ``finish_run``, adding them to those of earlier calls for the same run; ``None``
        (not known) makes ``finish_run`` read the line table."""
        earlier = self._activity_totals
        if added is None or (earlier is not None and earlier[0] == run_id and earlier[1] is None):
            self._activity_totals = (run_id, None)
            return
        totals = earlier[1] if earlier is not None and earlier[0] == run_id else {}
        assert totals is not None
        for basis_id, (count, cents) in added.items():
            lines_before, cents_before = totals.get(basis_id, (0, 0))
            totals[basis_id] = (lines_before + count, cents_before + cents)
        self._activity_totals = (run_id, totals)

    def unbilled_activities(self, window: DateRange, run_id: uuid.UUID) -> int:
        if self._unbilled is not None and self._unbilled[:2] == (window, run_id):
            return self._unbilled[2]  # counted by add_activity_lines from its candidates
        b = t.invoice_bases
        r = _released_with_customer(window)
        query = (
            sa.select(sa.func.count())
            .select_from(r)
            .join(b, sa.and_(b.c.run_id == run_id, b.c.employer_id == r.c.employer_id))
            .where(r.c.preference == 1)
        )
        # the lines were written in this transaction (no statistics): hash joins, no loops
        with planner(self._c, join_collapse_limit="1", enable_nestloop="off"):
            return int(self._c.execute(query).scalar_one())

    def finish_run(self, run_id: uuid.UUID) -> list[InvoiceBasis]:
        b = t.invoice_bases
        dialect = self._c.dialect.name
        counts: dict[uuid.UUID, list[int]] = {}
        written, self._activity_totals = self._activity_totals, None
        for slot, lines in enumerate((t.invoice_subscription_lines, t.invoice_activity_lines)):
            if slot == 1 and written is not None and written[0] == run_id and written[1]:
                # counted and totalled by add_activity_lines as they were written
                for basis_id, (count, cents) in written[1].items():
                    entry = counts.setdefault(basis_id, [0, 0, 0])
                    entry[1] = count
                    entry[2] += cents
                continue
            query = (
                sa.select(
                    lines.c.invoice_basis_id,
                    sa.func.count(),
                    *amount_sums(lines.c.amount, dialect),
                )
                .join(b, b.c.id == lines.c.invoice_basis_id)
                .where(b.c.run_id == run_id)
                .group_by(lines.c.invoice_basis_id)
            )
            with planner(self._c, work_mem=SORT_MEMORY):
                found = self._c.execute(query).all()
            for basis_id, count, *sums in found:
                entry = counts.setdefault(basis_id, [0, 0, 0])
                entry[slot] = int(count)
                entry[2] += total_cents(sums, dialect)
        sl, al = t.invoice_subscription_lines, t.invoice_activity_lines
        self._c.execute(
            b.delete().where(
                b.c.run_id == run_id,
                ~sa.exists().where(sl.c.invoice_basis_id == b.c.id),
                ~sa.exists().where(al.c.invoice_basis_id == b.c.id),
            )
        )
        if counts:
            self._c.execute(
                b.update()
                .where(b.c.id == sa.bindparam("basis_id"))
                .values(
                    subscription_lines=sa.bindparam("subscription_lines"),
                    activity_lines=sa.bindparam("activity_lines"),
                    total=sa.bindparam("total"),
                ),
                [
                    {
                        "basis_id": basis_id,
                        "subscription_lines": entry[0],
                        "activity_lines": entry[1],
                        # R0.3: a total beyond MAX_AMOUNT is refused (money.out_of_range)
                        "total": Money.from_cents(entry[2]).amount,
                    }
                    for basis_id, entry in counts.items()
                ],
            )
        rows = self._c.execute(sa.select(b).where(b.c.run_id == run_id).order_by(b.c.employer_id))
        return [_basis(r) for r in rows]

    def get(self, basis_id: uuid.UUID) -> InvoiceBasis:
        row = self._c.execute(
            sa.select(t.invoice_bases).where(t.invoice_bases.c.id == basis_id)
        ).first()
        if row is None:
            raise _missing("invoice_basis", basis_id)
        return _basis(row)

    def lock(self, basis_id: uuid.UUID) -> InvoiceBasis:
        """The InvoiceBasis locked until the transaction ends (read-check-write)."""
        lock_row(self._c, t.invoice_bases, basis_id)
        return self.get(basis_id)

    def save(self, basis: InvoiceBasis) -> None:
        self._c.execute(
            t.invoice_bases.update()
            .where(t.invoice_bases.c.id == basis.id)
            .values(status=basis.status.value, sent_on=basis.sent_on)
        )
        self._track(basis)

    def list(self, period: DateRange | None = None) -> list[InvoiceBasis]:
        b = t.invoice_bases
        query = sa.select(b).order_by(b.c.period_from, b.c.employer_id)
        if period is not None:
            query = query.where(_overlapping(b.c.period_from, b.c.period_until, period))
        return [_basis(r) for r in self._c.execute(query)]

    def delete(self, basis_id: uuid.UUID) -> None:
        for lines in (t.invoice_subscription_lines, t.invoice_activity_lines):
            self._c.execute(lines.delete().where(lines.c.invoice_basis_id == basis_id))
        self._c.execute(t.invoice_bases.delete().where(t.invoice_bases.c.id == basis_id))

    def lines(self, basis_id: uuid.UUID) -> Iterator[InvoiceLine]:
        sl, s = t.invoice_subscription_lines, t.subscriptions
        query = (
            sa.select(sl, s.c.description)
            .join(s, s.c.id == sl.c.subscription_id)
            .where(sl.c.invoice_basis_id == basis_id)
            .order_by(sl.c.period_from, sl.c.subscription_id)
        )
        for row in self._c.execute(query):
            yield InvoiceLine(
                invoice_basis_id=basis_id,
                kind=LineKind.SUBSCRIPTION,
                reference_id=row.subscription_id,
                description=row.description,
                period=DateRange(row.period_from, row.period_until),
                amount=Money(row.amount),
            )
        al = t.invoice_activity_lines
        query = (
            sa.select(al)
            .where(al.c.invoice_basis_id == basis_id)
            .order_by(al.c.performed_on, al.c.activity_id)
        )
        for row in self._c.execute(query):
            yield InvoiceLine(
                invoice_basis_id=basis_id,
                kind=LineKind.ACTIVITY,
                reference_id=row.activity_id,
                description=row.activity_type,
                period=DateRange.from_inclusive(row.performed_on, row.performed_on),
                amount=Money(row.amount),
                employee_id=row.employee_id,
            )

    def offer_activities(self, basis_id: uuid.UUID) -> int:
        a, al = t.activities, t.invoice_activity_lines
        result = self._c.execute(
            a.update()
            .where(a.c.id.in_(sa.select(al.c.activity_id).where(al.c.invoice_basis_id == basis_id)))
            .values(status=ActivityStatus.OFFERED.value)
        )
        return int(result.rowcount)
