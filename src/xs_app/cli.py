"""The ``xs`` command line: database upgrades, the demo, search, data generation, trajectories,
the agenda and billing.

Every argument is checked where it is read (:mod:`xs_app.cli_types`); whatever stops a command is
one line on standard error with a stable code, and an exit code (:mod:`xs_app.cli_support`):
0 done, 1 a runtime failure (database, file system, internal error), 2 refused (usage, invalid
argument, business rule). Messages are Dutch unless ``XS_LANG=en``; ``XS_DEBUG=1`` adds the
traceback of a failure. Files are written completely or not at all.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import os
import secrets
import sqlite3
import sys
import uuid
from collections.abc import Iterator, Sequence
from io import StringIO
from pathlib import Path
from typing import Annotated, NoReturn

import pendulum
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xs_app.bootstrap import Xs, bootstrap
from xs_app.cli_support import (
    CliFailure,
    CliRefusal,
    atomic_text_file,
    database_errors,
    run,
)
from xs_app.cli_types import (
    amount_option,
    check_after,
    count_option,
    date_option,
    instant_option,
    parse_database_url,
    uuid_argument,
    uuid_option,
)
from xs_app.services.billing import ExportInvoiceBasis, RunBilling, SubscriptionSchedule
from xs_app.services.organisation import AdvancedSearch, EmployerByCode
from xs_app.services.protocols import ListProtocols
from xs_core.billing import BillingFrequency, billing_periods, check_deviation
from xs_core.billing.run import STAGES
from xs_core.dates import DateRange
from xs_core.limits import INTEGER_MAX, MAX_PAGE
from xs_core.money import Money
from xs_core.organisation.search import MAX_PAGE_SIZE, SearchContext, SearchResult

EXIT_CODES = (
    "Exit codes: 0 done; 1 runtime failure (database unreachable or locked, file not writable, "
    "internal error); 2 refused (usage, invalid argument, business rule: nothing changed). "
    "An error is one line on standard error, 'xs: <code>: <message>', in Dutch or English "
    "(XS_LANG=nl|en, default nl); XS_DEBUG=1 adds the traceback of a failure."
)

app = typer.Typer(
    help="xs: the business rules of an occupational-health suite.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
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
        help="SQLAlchemy URL (sqlite:///… or postgresql://…); default sqlite:///xs.sqlite3",
        parser=lambda value: parse_database_url("--database-url (XS_DATABASE_URL)", value),
    ),
]
AsOption = Annotated[
    str | None, typer.Option("--as", help="act as this user (e-mail); default the operator")
]
EmployerCodes = Annotated[list[str] | None, typer.Option(help="employer code (repeatable)")]


@contextlib.contextmanager
def _open(database_url: str | None, migrate: bool | None = None) -> Iterator[Xs]:
    """The application on the database; its errors become one-line failures naming it."""
    url = database_url or os.environ.get("XS_DATABASE_URL") or "sqlite:///xs.sqlite3"
    storage = os.environ.get("XS_STORAGE", "sql")
    if storage not in ("sql", "memory"):
        raise CliRefusal("cli.unknown_storage", {"storage": storage})
    with database_errors(url if storage == "sql" else "sqlite://"):
        xs = bootstrap(database_url=database_url, migrate_database=migrate)
        try:
            yield xs
        finally:
            xs.close()


def _actor(xs: Xs, as_email: str | None) -> uuid.UUID:
    """The user named by ``--as``, or the installation operator (a real super administrator,
    made on first use; see :mod:`xs_app.installation`)."""
    if as_email is None:
        return xs.installation.operator()
    user_id = xs.installation.user_id(as_email)
    if user_id is None:
        raise CliRefusal("cli.unknown_user", {"email": as_email})
    return user_id


def _employer_ids(xs: Xs, actor: uuid.UUID, codes: list[str] | None) -> frozenset[uuid.UUID]:
    found_ids: set[uuid.UUID] = set()
    for code in codes or []:
        found = xs.organisation.employer_by_code(EmployerByCode(actor=actor, code=code))
        if found is None:
            raise CliRefusal("cli.unknown_employer", {"code": code})
        found_ids.add(found.id)
    return frozenset(found_ids)


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseOption = None) -> None:
    """Apply the migrations (Alembic) to the database."""
    with _open(database_url, migrate=True) as xs:
        console.print(
            f"[green]Database is up to date[/green]: {xs.container.config.database_url()}"
        )


@users_app.command("create-super-admin")
def create_super_admin(name: str, email: str, database_url: DatabaseOption = None) -> None:
    """Create a super administrator (installation step)."""
    with _open(database_url) as xs:
        user_id = xs.installation.create_super_administrator(name, email)
    console.print(f"Super administrator {email}: {user_id}")


@app.command()
def search(
    term: str,
    database_url: DatabaseOption = None,
    as_email: Annotated[str | None, typer.Option("--as", help="search as this user")] = None,
    context: Annotated[SearchContext, typer.Option(help="where the search starts")] = (
        SearchContext.PORTAL
    ),
    page: Annotated[int, count_option("--page", "page number", 1, MAX_PAGE)] = 1,
    page_size: Annotated[
        int, count_option("--page-size", "results per page", 1, MAX_PAGE_SIZE)
    ] = 20,
) -> None:
    """Advanced search (R1.3) over employees, employers and departments."""
    with _open(database_url) as xs:
        result = xs.organisation.search(
            AdvancedSearch(
                actor=_actor(xs, as_email),
                term=term,
                context=context,
                page=page,
                page_size=page_size,
            )
        )
    console.print(search_table(f"Zoeken naar '{term}'", result.results))


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
    table = Table(title="Protocollen")
    for column in ("Id", "Naam", "Soort", "In bulk", "Lege einddatum", "Einde in toekomst"):
        table.add_column(column)
    with _open(database_url) as xs:
        protocols = xs.protocols.protocols(ListProtocols(actor=_actor(xs, None)))
    for p in protocols:
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


def _yes(value: bool) -> str:
    return "ja" if value else "nee"


@trajectories_app.command("bulk-start")
def bulk_start(
    protocol: Annotated[str, typer.Option(help="protocol id or name")],
    start: Annotated[_dt.date, date_option("--start", "first day")],
    employer: EmployerCodes = None,
    department: Annotated[uuid.UUID | None, uuid_option("--department", "department id")] = None,
    end: Annotated[_dt.date | None, date_option("--end", "last day")] = None,
    request_id: Annotated[uuid.UUID | None, uuid_option("--request-id", "idempotency key")] = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Start a protocol for every proposed employee of a unit (R2.2), with progress."""
    from xs_app.services.protocols import BulkStart
    from xs_core.protocols.bulk import BulkStartRequest, BulkUnit

    stages = ["proposal", "checks", "writing", "done"]
    with _open(database_url) as xs:
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
            raise CliRefusal("cli.unknown_protocol", {"protocol": protocol})
        request = BulkStartRequest(
            request_id=request_id or uuid.uuid4(),
            protocol_id=chosen.id,
            unit=BulkUnit(
                employer_ids=_employer_ids(xs, actor, employer), department_id=department
            ),
            start=start,
            end_date=end,
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
    console.print(
        f"Verzoek {result.request_id}: {result.started} gestart, {result.skipped} overgeslagen"
        + (" (herhaald verzoek: niets opnieuw gestart)" if result.repeated else "")
    )
    for reason, count in sorted(result.skipped_by_reason().items(), key=lambda kv: kv[0].value):
        console.print(f"  overgeslagen ({reason.value}): {count}")


@agenda_app.command("create-location")
def create_location(
    name: str,
    max_parallel: Annotated[
        int | None,
        count_option("--max-parallel", "maximum parallel availabilities", 1, INTEGER_MAX),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create an appointment location, optionally with a limit (R4.3)."""
    from xs_app.services.agenda import CreateLocation

    with _open(database_url) as xs:
        location = xs.agenda.create_location(
            CreateLocation(actor=_actor(xs, None), name=name, max_parallel=max_parallel)
        )
    console.print(f"Oproeplocatie {name}: {location}")


@agenda_app.command("plan")
def plan_availability(
    location: Annotated[uuid.UUID, uuid_option("--location", "location id")],
    start: Annotated[pendulum.DateTime, instant_option("--start", "start")],
    end: Annotated[pendulum.DateTime, instant_option("--end", "end (exclusive)")],
    professional: Annotated[
        str | None,
        typer.Option(
            "--professional",
            help="e-mail address of the professional (a user who holds availabilities); "
            "default: the acting user",
        ),
    ] = None,
    as_email: Annotated[str | None, typer.Option("--as", help="act as this user")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Plan an availability (R4.3): refused with the moments where the limit is exceeded, or
    when the professional already has one then."""
    from xs_app.services.agenda import PlanAvailability

    check_after("--start", start, "--end", end)
    with _open(database_url) as xs:
        actor = _actor(xs, as_email)
        planned = xs.agenda.plan_availability(
            PlanAvailability(
                actor=actor,
                professional_id=actor if professional is None else _actor(xs, professional),
                location_id=location,
                start=start,
                end=end,
            )
        )
    console.print(f"Beschikbaarheid gepland: {planned}")


@billing_app.command("schedule")
def billing_schedule(
    start: Annotated[_dt.date, date_option("--from", "first day")],
    until: Annotated[_dt.date, date_option("--until", "first day after the period", end=True)],
    subscription: Annotated[
        uuid.UUID | None, uuid_option("--subscription", "subscription id")
    ] = None,
    amount: Annotated[Money | None, amount_option("--amount", "amount per contract period")] = (
        None
    ),
    subscribed: Annotated[
        _dt.date | None, date_option("--subscribed", "subscription start")
    ] = None,
    ends: Annotated[
        _dt.date | None, date_option("--ends", "subscription end (exclusive)", end=True)
    ] = None,
    contract: BillingFrequency = BillingFrequency.YEARLY,
    billing: Annotated[BillingFrequency | None, typer.Option(help="deviating frequency")] = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """The billing periods starting in [--from, --until) and their amounts (R5.1): of a stored
    subscription, or of one described by --amount, --subscribed, --ends, --contract and
    --billing."""
    check_after("--from", start, "--until", until)
    window = DateRange(start, until)
    described = amount is not None or subscribed is not None or ends is not None
    if subscription is not None and not described:
        with _open(database_url) as xs:
            periods = xs.billing.schedule(
                SubscriptionSchedule(
                    actor=_actor(xs, as_email), subscription_id=subscription, window=window
                )
            )
    elif subscription is None and amount is not None and subscribed is not None:
        if ends is not None:
            check_after("--subscribed", subscribed, "--ends", ends)
        chosen = billing or contract
        if chosen is not contract:
            check_deviation(contract, chosen)
        periods = billing_periods(subscribed, ends, contract.months, chosen.months, amount, window)
    else:
        raise CliRefusal("cli.schedule_source")
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
    start: Annotated[_dt.date, date_option("--from", "first day")],
    until: Annotated[_dt.date, date_option("--until", "first day after the period", end=True)],
    employer: EmployerCodes = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Generate draft invoice bases for a period, set-based, with progress (R5.1, R4.4)."""
    check_after("--from", start, "--until", until)
    labels = {
        "customers": "Klanten",
        "subscriptions": "Abonnementen",
        "activities": "Verrichtingen",
        "totals": "Totalen",
    }
    with _open(database_url) as xs:
        actor = _actor(xs, as_email)
        employer_ids = _employer_ids(xs, actor, employer)
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
                    period=DateRange(start, until),
                    employer_ids=employer_ids or None,
                ),
                advance,
            )
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


@billing_app.command("export")
def billing_export(
    basis: Annotated[uuid.UUID, uuid_argument("BASIS", "invoice basis id")],
    out: Annotated[
        Path | None, typer.Option(help="CSV file (replaced only when complete); default stdout")
    ] = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Write an invoice basis as CSV."""
    with _open(database_url) as xs:
        command = ExportInvoiceBasis(actor=_actor(xs, as_email), basis_id=basis)
        if out is None:
            buffer = StringIO()  # nothing reaches standard output unless the export completes
            xs.billing.export_csv(command, buffer)
            sys.stdout.write(buffer.getvalue())
            return
        with atomic_text_file(out) as stream:
            count = xs.billing.export_csv(command, stream)
    console.print(f"{count} regels geschreven naar {out}")


@app.command()
def generate(
    database_url: DatabaseOption = None,
    seed: Annotated[int, count_option("--seed", "random seed", 0, INTEGER_MAX)] = 2021,
    employers: Annotated[int, count_option("--employers", "employers", 1, 10_000)] = 20,
    departments: Annotated[int, count_option("--departments", "departments", 0, 100_000)] = 120,
    employees: Annotated[int, count_option("--employees", "employees", 1, 1_000_000)] = 400,
) -> None:
    """Load a deterministic synthetic organisation (Faker nl_NL) into an empty database, with a
    progress bar (at most the search benchmark's size)."""
    from xs_app.synthetic import SyntheticGenerator, SyntheticSize, load

    size = SyntheticSize(
        folders=max(1, employers // 100),
        employers=employers,
        departments=departments,
        branches=employers * 2,
        employees=employees,
    )
    with _open(database_url) as xs:
        with xs.unit_of_work(write=False) as uow:
            first = uow.employers.find_by_code("WG00001")
        if first is not None:
            raise CliRefusal("cli.already_generated", {"code": "WG00001"})
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("Werknemers", total=employees)
            load(
                xs.unit_of_work,
                SyntheticGenerator(seed, size),
                lambda n: progress.advance(task, n),
            )
    console.print(
        f"[green]Loaded[/green] {employers} employers, {departments} departments, "
        f"{employees} employees"
    )


@app.command()
def demo(
    database: Annotated[
        Path, typer.Option(help="SQLite file to (re)create, replaced only when complete")
    ] = Path("xs-demo.sqlite3"),
    seed: Annotated[int, count_option("--seed", "random seed", 0, INTEGER_MAX)] = 2021,
) -> None:
    """The main job: create a SQLite database, load a synthetic organisation and show the rules.

    The database is built in a temporary file beside ``--database`` and replaces it at the end,
    so a failed demo leaves an existing database as it was."""
    from xs_app.demo import run_demo

    os.environ.pop("XS_STORAGE", None)
    if database.is_dir():  # refused before any work
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(database))
    temporary = database.with_name(f".{database.name}.{secrets.token_hex(6)}.tmp")
    shown = f"sqlite:///{database}"
    try:
        with database_errors(shown):
            run_demo(f"sqlite:///{temporary}", seed, console, label=shown)
            _checkpoint(temporary)
        for suffix in ("-wal", "-shm"):  # a stale log of the old database must not survive
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        os.replace(temporary, database)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{temporary}{suffix}").unlink(missing_ok=True)


def _checkpoint(path: Path) -> None:
    """Move everything from the SQLite write-ahead log into the database file itself, so that
    the file alone is the whole database and can be renamed."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def main(args: Sequence[str] | None = None) -> NoReturn:
    """The ``xs`` script: every error is one line on standard error and an exit code."""
    sys.exit(run(typer.main.get_command(app), args))


__all__ = ["CliFailure", "CliRefusal", "app", "main"]


if __name__ == "__main__":
    main()
