"""The ``xs`` command line: database upgrades, the demo, search and data generation."""

from __future__ import annotations

import datetime as _dt
import os
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xs_app.bootstrap import Xs, bootstrap
from xs_app.services.billing import ExportInvoiceBasis, RunBilling, SubscriptionSchedule
from xs_app.services.organisation import AdvancedSearch, EmployerByCode
from xs_app.services.protocols import ListProtocols
from xs_core.billing import BillingFrequency, billing_periods, check_deviation
from xs_core.billing.run import STAGES
from xs_core.dates import DateRange
from xs_core.errors import DomainError
from xs_core.money import Money
from xs_core.organisation.search import SearchContext, SearchResult

app = typer.Typer(
    help="xs: the business rules of an occupational-health suite.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Users.", no_args_is_help=True)
trajectories_app = typer.Typer(help="Protocols and trajectories.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
agenda_app = typer.Typer(help="Agenda: locations and availabilities.", no_args_is_help=True)
app.add_typer(trajectories_app, name="trajectories")
app.add_typer(agenda_app, name="agenda")
billing_app = typer.Typer(help="Contract management and billing (R5.1).", no_args_is_help=True)
app.add_typer(billing_app, name="billing")

console = Console()

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="XS_DATABASE_URL",
        help="SQLAlchemy URL; default sqlite:///xs.sqlite3",
    ),
]


def _app(database_url: str | None, migrate: bool | None = None) -> Xs:
    return bootstrap(database_url=database_url, migrate_database=migrate)


def _fail(error: DomainError) -> None:
    console.print(f"[red]{error.code}[/red]: {error.message('nl')} / {error.message('en')}")
    raise typer.Exit(2)


def _actor(xs: Xs, as_email: str | None) -> uuid.UUID:
    """The user named by ``--as``, or the installation operator (a real super administrator,
    made on first use; see :mod:`xs_app.installation`)."""
    if as_email is None:
        return xs.installation.operator()
    user_id = xs.installation.user_id(as_email)
    if user_id is None:
        console.print(f"[red]No user {as_email}[/red]")
        raise typer.Exit(2)
    return user_id


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseOption = None) -> None:
    """Apply the migrations (Alembic) to the database."""
    xs = _app(database_url, migrate=True)
    console.print(f"[green]Database is up to date[/green]: {xs.container.config.database_url()}")
    xs.close()


@users_app.command("create-super-admin")
def create_super_admin(name: str, email: str, database_url: DatabaseOption = None) -> None:
    """Create a super administrator (installation step)."""
    xs = _app(database_url)
    try:
        user_id = xs.installation.create_super_administrator(name, email)
    except DomainError as error:
        _fail(error)
    console.print(f"Super administrator {email}: {user_id}")
    xs.close()


@app.command()
def search(
    term: str,
    database_url: DatabaseOption = None,
    as_email: Annotated[str | None, typer.Option("--as", help="search as this user")] = None,
    context: Annotated[SearchContext, typer.Option(help="where the search starts")] = (
        SearchContext.PORTAL
    ),
    page: int = 1,
    page_size: int = 20,
) -> None:
    """Advanced search (R1.3) over employees, employers and departments."""
    xs = _app(database_url)
    actor = _actor(xs, as_email)
    try:
        result = xs.organisation.search(
            AdvancedSearch(actor=actor, term=term, context=context, page=page, page_size=page_size)
        )
    except DomainError as error:
        _fail(error)
    console.print(search_table(f"Zoeken naar '{term}'", result.results))
    xs.close()


def search_table(title: str, results: Sequence[SearchResult]) -> Table:
    """Search results as a table: kind, name, code, rank and target (R1.3)."""
    table = Table(title=title)
    for column in ("Soort", "Naam", "Code", "Rang", "Doel"):
        table.add_column(column)
    for r in results:
        table.add_row(
            r.kind.value,
            r.name,
            r.code or "",
            str(r.rank),
            "—" if r.target is None else r.target.kind.value,
        )
    return table


@trajectories_app.command("protocols")
def list_protocols(database_url: DatabaseOption = None) -> None:
    """The protocols with their characteristics (R2.1)."""
    xs = _app(database_url)
    table = Table(title="Protocollen")
    for column in ("Id", "Naam", "Soort", "In bulk", "Lege einddatum", "Einde in toekomst"):
        table.add_column(column)
    for p in xs.protocols.protocols(ListProtocols(actor=_actor(xs, None))):
        ch = p.characteristics
        table.add_row(
            str(p.id),
            p.name,
            p.kind.value,
            _yes(ch.may_start_in_bulk),
            _yes(ch.bulk_end_date_may_be_empty),
            _yes(ch.end_date_may_be_in_future),
        )
    console.print(table)
    xs.close()


def _yes(value: bool) -> str:
    return "ja" if value else "nee"


@trajectories_app.command("bulk-start")
def bulk_start(
    protocol: Annotated[str, typer.Option(help="protocol id or name")],
    start: Annotated[str, typer.Option(help="start date, YYYY-MM-DD")],
    employer: Annotated[list[str] | None, typer.Option(help="employer code (repeatable)")] = None,
    department: Annotated[str | None, typer.Option(help="department id")] = None,
    end: Annotated[str | None, typer.Option(help="last day, YYYY-MM-DD")] = None,
    request_id: Annotated[str | None, typer.Option(help="idempotency key (UUID)")] = None,
    as_email: Annotated[str | None, typer.Option("--as", help="act as this user")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Start a protocol for every proposed employee of a unit (R2.2), with progress."""
    import datetime as _dt
    import uuid as _uuid

    from xs_app.services.protocols import BulkStart
    from xs_core.protocols.bulk import BulkStartRequest, BulkUnit

    xs = _app(database_url)
    actor = _actor(xs, as_email)
    chosen = next(
        (
            p
            for p in xs.protocols.protocols(ListProtocols(actor=actor))
            if str(p.id) == protocol or p.name == protocol
        ),
        None,
    )
    if chosen is None:
        console.print(f"[red]No protocol {protocol}[/red]")
        raise typer.Exit(2)
    employer_ids = set()
    for code in employer or []:
        found = xs.organisation.employer_by_code(EmployerByCode(actor=actor, code=code))
        if found is None:
            console.print(f"[red]No employer with code {code}[/red]")
            raise typer.Exit(2)
        employer_ids.add(found.id)
    stages = ["proposal", "checks", "writing", "done"]
    try:
        unit = BulkUnit(
            employer_ids=frozenset(employer_ids),
            department_id=None if department is None else _uuid.UUID(department),
        )
        request = BulkStartRequest(
            request_id=_uuid.UUID(request_id) if request_id else _uuid.uuid4(),
            protocol_id=chosen.id,
            unit=unit,
            start=_dt.date.fromisoformat(start),
            end_date=None if end is None else _dt.date.fromisoformat(end),
        )
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
        ) as progress:
            task = progress.add_task("Bulkstart", total=len(stages))

            def advance(stage: str, done: int, total: int | None) -> None:
                progress.update(
                    task, completed=stages.index(stage) + 1, description=f"Bulkstart: {stage}"
                )

            result = xs.bulk_start.start(BulkStart(actor=actor, request=request), advance)
    except DomainError as error:
        _fail(error)
    console.print(
        f"Verzoek {result.request_id}: {result.started} gestart, {result.skipped} overgeslagen"
        + (" (herhaald verzoek: niets opnieuw gestart)" if result.repeated else "")
    )
    for reason, count in sorted(result.skipped_by_reason().items(), key=lambda kv: kv[0].value):
        console.print(f"  overgeslagen ({reason.value}): {count}")
    xs.close()


@agenda_app.command("create-location")
def create_location(
    name: str,
    max_parallel: Annotated[int | None, typer.Option(help="maximum parallel availabilities")] = (
        None
    ),
    database_url: DatabaseOption = None,
) -> None:
    """Create an appointment location, optionally with a limit (R4.3)."""
    from xs_app.services.agenda import CreateLocation

    xs = _app(database_url)
    try:
        location = xs.agenda.create_location(
            CreateLocation(actor=_actor(xs, None), name=name, max_parallel=max_parallel)
        )
    except DomainError as error:
        _fail(error)
    console.print(f"Oproeplocatie {name}: {location}")
    xs.close()


@agenda_app.command("plan")
def plan_availability(
    location: Annotated[str, typer.Option(help="location id")],
    start: Annotated[str, typer.Option(help="start, ISO 8601 (Europe/Amsterdam if no zone)")],
    end: Annotated[str, typer.Option(help="end, ISO 8601")],
    professional: Annotated[str | None, typer.Option(help="professional (user) id")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Plan an availability (R4.3): refused with the moments where the limit is exceeded."""
    import uuid as _uuid

    import pendulum

    from xs_app.services.agenda import PlanAvailability

    xs = _app(database_url)
    try:
        planned = xs.agenda.plan_availability(
            PlanAvailability(
                actor=_actor(xs, None),
                professional_id=_uuid.UUID(professional) if professional else _uuid.uuid4(),
                location_id=_uuid.UUID(location),
                start=pendulum.parse(start, tz="Europe/Amsterdam"),  # type: ignore[arg-type]
                end=pendulum.parse(end, tz="Europe/Amsterdam"),  # type: ignore[arg-type]
            )
        )
    except DomainError as error:
        _fail(error)
    console.print(f"Beschikbaarheid gepland: {planned}")
    xs.close()


def _date(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        console.print(f"[red]Not a date (YYYY-MM-DD): {text}[/red]")
        raise typer.Exit(2) from None


@billing_app.command("schedule")
def billing_schedule(
    start: Annotated[str, typer.Option("--from", help="first day, YYYY-MM-DD")],
    until: Annotated[str, typer.Option(help="first day after the period, YYYY-MM-DD")],
    subscription: Annotated[str | None, typer.Option(help="subscription id")] = None,
    amount: Annotated[str | None, typer.Option(help="amount per contract period")] = None,
    subscribed: Annotated[str | None, typer.Option(help="subscription start, YYYY-MM-DD")] = None,
    ends: Annotated[str | None, typer.Option(help="subscription end (exclusive)")] = None,
    contract: BillingFrequency = BillingFrequency.YEARLY,
    billing: Annotated[BillingFrequency | None, typer.Option(help="deviating frequency")] = None,
    as_email: Annotated[str | None, typer.Option("--as", help="act as this user")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """The billing periods starting in [--from, --until) and their amounts (R5.1): of a stored
    subscription, or of one described by --amount, --subscribed, --contract and --billing."""
    window = DateRange(_date(start), _date(until))
    try:
        if subscription is not None:
            xs = _app(database_url)
            periods = xs.billing.schedule(
                SubscriptionSchedule(
                    actor=_actor(xs, as_email),
                    subscription_id=uuid.UUID(subscription),
                    window=window,
                )
            )
            xs.close()
        else:
            if amount is None or subscribed is None:
                console.print("[red]Give --subscription, or --amount and --subscribed[/red]")
                raise typer.Exit(2)
            chosen = billing or contract
            if chosen is not contract:
                check_deviation(contract, chosen)
            periods = billing_periods(
                _date(subscribed),
                None if ends is None else _date(ends),
                contract.months,
                chosen.months,
                Money(amount),
                window,
            )
    except DomainError as error:
        _fail(error)
    table = Table(title=f"Facturatieschema {window.display_nl()}")
    for column in ("Periode", "t/m", "Contractperiode", "Bedrag", "Pro rata"):
        table.add_column(column)
    for period in periods:
        last = period.period.last_day
        table.add_row(
            period.period.start.isoformat(),
            "" if last is None else last.isoformat(),
            str(period.contract_period),
            period.amount.display_nl(),
            "" if period.full else "ja",
        )
    console.print(table)


@billing_app.command("run")
def billing_run(
    start: Annotated[str, typer.Option("--from", help="first day, YYYY-MM-DD")],
    until: Annotated[str, typer.Option(help="first day after the period, YYYY-MM-DD")],
    employer: Annotated[list[str] | None, typer.Option(help="employer code (repeatable)")] = None,
    as_email: Annotated[str | None, typer.Option("--as", help="act as this user")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Generate draft invoice bases for a period, set-based, with progress (R5.1, R4.4)."""
    xs = _app(database_url)
    actor = _actor(xs, as_email)
    employer_ids: set[uuid.UUID] = set()
    for code in employer or []:
        found = xs.organisation.employer_by_code(EmployerByCode(actor=actor, code=code))
        if found is None:
            console.print(f"[red]No employer with code {code}[/red]")
            raise typer.Exit(2)
        employer_ids.add(found.id)
    labels = {
        "customers": "Klanten",
        "subscriptions": "Abonnementen",
        "activities": "Verrichtingen",
        "totals": "Totalen",
    }
    try:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
        ) as progress:
            task = progress.add_task("Facturatierun", total=len(STAGES))

            def advance(stage: str, done: int, total: int | None) -> None:
                progress.update(
                    task,
                    completed=STAGES.index(stage) + (1 if total is not None else 0.5),
                    description=f"Facturatierun: {labels[stage]} ({done})",
                )

            summary = xs.billing.run(
                RunBilling(
                    actor=actor,
                    period=DateRange(_date(start), _date(until)),
                    employer_ids=frozenset(employer_ids) if employer_ids else None,
                ),
                advance,
            )
    except DomainError as error:
        _fail(error)
    console.print(
        f"{len(summary.invoice_bases)} factuurgrondslagen (concept): "
        f"{summary.subscription_lines} abonnementsregels, {summary.activity_lines} "
        f"verrichtingsregels, totaal {summary.total.display_nl()}"
    )
    if summary.unbilled_activities:
        console.print(
            f"[yellow]{summary.unbilled_activities} vrijgegeven verrichtingen zonder "
            "prijscategorie niet gefactureerd[/yellow] / released activities without a price "
            "category left unbilled"
        )
    xs.close()


@billing_app.command("export")
def billing_export(
    basis: Annotated[str, typer.Argument(help="invoice basis id")],
    out: Annotated[Path | None, typer.Option(help="CSV file; default standard output")] = None,
    as_email: Annotated[str | None, typer.Option("--as", help="act as this user")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Write an invoice basis as CSV."""
    xs = _app(database_url)
    try:
        if out is None:
            xs.billing.export_csv(
                ExportInvoiceBasis(actor=_actor(xs, as_email), basis_id=uuid.UUID(basis)),
                sys.stdout,
            )
        else:
            with out.open("w", encoding="utf-8", newline="") as stream:
                count = xs.billing.export_csv(
                    ExportInvoiceBasis(actor=_actor(xs, as_email), basis_id=uuid.UUID(basis)),
                    stream,
                )
            console.print(f"{count} regels geschreven naar {out}")
    except DomainError as error:
        _fail(error)
    xs.close()


@app.command()
def generate(
    database_url: DatabaseOption = None,
    seed: int = 2021,
    employers: int = 20,
    departments: int = 120,
    employees: int = 400,
) -> None:
    """Load a deterministic synthetic organisation (Faker nl_NL) with a progress bar."""
    from xs_app.synthetic import SyntheticGenerator, SyntheticSize, load

    xs = _app(database_url)
    size = SyntheticSize(
        folders=max(1, employers // 100),
        employers=employers,
        departments=departments,
        branches=employers * 2,
        employees=employees,
    )
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("Werknemers", total=employees)
        load(xs.unit_of_work, SyntheticGenerator(seed, size), lambda n: progress.advance(task, n))
    console.print(
        f"[green]Loaded[/green] {employers} employers, {departments} departments, "
        f"{employees} employees"
    )
    xs.close()


@app.command()
def demo(
    database: Annotated[Path, typer.Option(help="SQLite file to (re)create")] = Path(
        "xs-demo.sqlite3"
    ),
    seed: int = 2021,
) -> None:
    """The main job: create a SQLite database, load a synthetic organisation and show the rules."""
    from xs_app.demo import run_demo

    for suffix in ("", "-wal", "-shm"):
        candidate = Path(f"{database}{suffix}")
        if candidate.exists():
            candidate.unlink()
    os.environ.pop("XS_STORAGE", None)
    run_demo(f"sqlite:///{database}", seed, console)


def main() -> None:
    app()


__all__ = ["app", "main"]


if __name__ == "__main__":
    main()
