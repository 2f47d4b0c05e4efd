"""The ``xs`` command line: database upgrades, the demo, search, data generation, trajectories,
the agenda, billing, policy registration, configuration parameters and reimbursements
(:mod:`xs_app.cli_reimbursements`).

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

import attrs
import pendulum
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xs_app.bootstrap import Xs, bootstrap
from xs_app.cli_evaluation import ChangeWriter, status_line, summary_table
from xs_app.cli_support import (
    CliFailure,
    CliRefusal,
    atomic_text_file,
    database_errors,
    language,
    run,
)
from xs_app.cli_types import (
    age_option,
    amount_option,
    check_after,
    count_option,
    date_option,
    instant_option,
    parse_count,
    parse_database_url,
    uuid_argument,
    uuid_option,
)
from xs_app.services.billing import ExportInvoiceBasis, RunBilling, SubscriptionSchedule
from xs_app.services.configuration import GetParameterHistory, ListParameters, SetParameter
from xs_app.services.organisation import AdvancedSearch, EmployerByCode
from xs_app.services.policies import (
    ClearPolicyOverride,
    CreateInsuranceProduct,
    CreateInsurer,
    CreatePolicy,
    GetParticipants,
    GetPolicyConditions,
    ListInsuranceProducts,
    ListInsurers,
    ListPolicies,
    ParticipantPage,
    RegisterParticipation,
    SetPolicyOverrides,
    SetProductConditions,
)
from xs_app.services.policy_evaluation import (
    DEFAULT_CHUNK_SIZE,
    MAX_CHUNK_SIZE,
    EvaluatePolicies,
    GetPolicyEvaluation,
)
from xs_app.services.protocols import ListProtocols
from xs_app.worker import enqueue, libpq_url, run_worker
from xs_core.billing import BillingFrequency, billing_periods, check_deviation
from xs_core.billing.run import STAGES
from xs_core.dates import DateRange
from xs_core.limits import INTEGER_MAX, MAX_PAGE
from xs_core.money import Money
from xs_core.organisation.model import EmploymentType
from xs_core.organisation.search import MAX_PAGE_SIZE, SearchContext, SearchResult
from xs_core.policies.conditions import (
    Age,
    AgeCondition,
    ConditionName,
    Conditions,
    EmploymentTypeCondition,
    SalaryCondition,
    SicknessCondition,
)
from xs_core.policies.model import ProductKind
from xs_core.progress import Progress as ProgressReport
from xs_core.settings import Parameter

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
policies_app = typer.Typer(
    help="Policy registration: insurers, products, policies, conditions, participants (R6).",
    no_args_is_help=True,
)
app.add_typer(policies_app, name="policies")
settings_app = typer.Typer(help="Configuration parameters (R6.1).", no_args_is_help=True)
app.add_typer(settings_app, name="settings")

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


def _employer_id(xs: Xs, actor: uuid.UUID, code: str) -> uuid.UUID:
    found = xs.organisation.employer_by_code(EmployerByCode(actor=actor, code=code))
    if found is None:
        raise CliRefusal("cli.unknown_employer", {"code": code})
    return found.id


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


# -- policy registration (R6) --------------------------------------------------------------------

ConditionOption = Annotated[
    ConditionName,
    typer.Option("--condition", help="age | sickness | salary | employment_type"),
]


def _conditions_table(title: str, rows: Sequence[tuple[str, str, str, str]]) -> Table:
    table = Table(title=title)
    for column in ("Voorwaarde", "Product", "Polis (eigen)", "Geldt"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    return table


def _describe(condition: object | None) -> str:
    """A condition in a few Dutch words (R6.2); ``—`` for none."""
    if condition is None:
        return "—"
    if isinstance(condition, AgeCondition):
        bounds = []
        if condition.younger_than is not None:
            bounds.append(f"jonger dan {condition.younger_than}")
        if condition.older_than is not None:
            bounds.append(f"ouder dan {condition.older_than}")
        text = "uitsluiten indien " + " of ".join(bounds) if bounds else ""
    elif isinstance(condition, EmploymentTypeCondition):
        text = "uitsluiten: " + ", ".join(sorted(t.value for t in condition.excluded))
    else:
        text = ""
    active = getattr(condition, "active", False)
    return ("aan" if active else "uit") + (f" ({text})" if text and active else "")


def _conditions_from_options(
    younger_than: Age | None,
    older_than: Age | None,
    sick_at_start: bool,
    salary_above_max: bool,
    exclude_type: list[EmploymentType] | None,
) -> Conditions:
    """The conditions the options describe; a condition without options is off (R6.1)."""
    return Conditions(
        age=AgeCondition(
            active=younger_than is not None or older_than is not None,
            younger_than=younger_than,
            older_than=older_than,
        ),
        sickness=SicknessCondition(active=sick_at_start),
        salary=SalaryCondition(active=salary_above_max),
        employment_type=EmploymentTypeCondition(
            active=bool(exclude_type), excluded=frozenset(exclude_type or ())
        ),
    )


YoungerOption = Annotated[
    Age | None, age_option("--younger-than", "exclude until this age is reached")
]
OlderOption = Annotated[Age | None, age_option("--older-than", "exclude from this age on")]
SickOption = Annotated[
    bool, typer.Option("--sick-at-start", help="exclude when sick on the policy start date")
]
SalaryOption = Annotated[
    bool,
    typer.Option("--salary-above-max", help="include only above the maximum SV-wage"),
]
TypesOption = Annotated[
    list[EmploymentType] | None,
    typer.Option("--exclude-type", help="exclude this employment type (repeatable)"),
]


@policies_app.command("insurers")
def list_insurers(as_email: AsOption = None, database_url: DatabaseOption = None) -> None:
    """The insurers (verzekeraars)."""
    with _open(database_url) as xs:
        insurers = xs.policies.insurers(ListInsurers(actor=_actor(xs, as_email)))
    table = Table(title="Verzekeraars")
    for column in ("Id", "Naam", "Code"):
        table.add_column(column)
    for insurer in insurers:
        table.add_row(str(insurer.id), insurer.name, insurer.code or "")
    console.print(table)


@policies_app.command("create-insurer")
def create_insurer(
    name: str,
    code: Annotated[str | None, typer.Option(help="insurer code (unique)")] = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create an insurer."""
    with _open(database_url) as xs:
        insurer = xs.policies.create_insurer(
            CreateInsurer(actor=_actor(xs, as_email), name=name, code=code)
        )
    console.print(f"Verzekeraar {name}: {insurer}")


@policies_app.command("products")
def list_products(
    insurer: Annotated[uuid.UUID | None, uuid_option("--insurer", "insurer id")] = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """The insurance products, of one insurer or of all."""
    with _open(database_url) as xs:
        products = xs.policies.products(
            ListInsuranceProducts(actor=_actor(xs, as_email), insurer_id=insurer)
        )
    table = Table(title="Verzekeringsproducten")
    for column in ("Id", "Naam", "Code", "Soort", "Verzekeraar"):
        table.add_column(column)
    for product in products:
        table.add_row(
            str(product.id),
            product.name,
            product.code or "",
            product.kind.value,
            str(product.insurer_id),
        )
    console.print(table)


@policies_app.command("create-product")
def create_product(
    name: str,
    insurer: Annotated[uuid.UUID, uuid_option("--insurer", "insurer id")],
    kind: Annotated[ProductKind, typer.Option(help="kind of product")],
    code: Annotated[str | None, typer.Option(help="product code (unique per insurer)")] = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create an insurance product of an insurer; its conditions are all off (R6.1)."""
    with _open(database_url) as xs:
        product = xs.policies.create_product(
            CreateInsuranceProduct(
                actor=_actor(xs, as_email), insurer_id=insurer, name=name, kind=kind, code=code
            )
        )
    console.print(f"Verzekeringsproduct {name}: {product}")


@policies_app.command("policies")
def list_policies(
    employer: Annotated[str | None, typer.Option(help="employer code")] = None,
    product: Annotated[uuid.UUID | None, uuid_option("--product", "product id")] = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """The policies of the employers in the acting user's scope."""
    with _open(database_url) as xs:
        actor = _actor(xs, as_email)
        employer_id = None if employer is None else _employer_id(xs, actor, employer)
        policies = xs.policies.policies(
            ListPolicies(actor=actor, employer_id=employer_id, product_id=product)
        )
    table = Table(title="Verzekeringspolissen")
    for column in ("Id", "Polisnummer", "Werkgever", "Product", "Ingang", "Einde (tot)"):
        table.add_column(column)
    for policy in policies:
        table.add_row(
            str(policy.id),
            policy.number,
            str(policy.employer_id),
            str(policy.product_id),
            policy.period.start.isoformat(),
            "" if policy.period.end is None else policy.period.end.isoformat(),
        )
    console.print(table)


@policies_app.command("create-policy")
def create_policy(
    employer: Annotated[str, typer.Option(help="employer code")],
    product: Annotated[uuid.UUID, uuid_option("--product", "product id")],
    number: Annotated[str, typer.Option(help="policy number (unique per product)")],
    start: Annotated[_dt.date, date_option("--start", "first day")],
    end: Annotated[
        _dt.date | None, date_option("--end", "first day no longer insured", end=True)
    ] = None,
    run_in: Annotated[
        _dt.date | None, date_option("--run-in", "run-in damage date (datum inloopschade)")
    ] = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create an employer's policy on a product over [--start, --end)."""
    if end is not None:
        check_after("--start", start, "--end", end)
    with _open(database_url) as xs:
        actor = _actor(xs, as_email)
        policy = xs.policies.create_policy(
            CreatePolicy(
                actor=actor,
                employer_id=_employer_id(xs, actor, employer),
                product_id=product,
                number=number,
                start=start,
                end=end,
                run_in_damage_date=run_in,
            )
        )
    console.print(f"Polis {number}: {policy}")


@policies_app.command("set-conditions")
def set_conditions(
    product: Annotated[uuid.UUID, uuid_option("--product", "product id")],
    younger_than: YoungerOption = None,
    older_than: OlderOption = None,
    sick_at_start: SickOption = False,
    salary_above_max: SalaryOption = False,
    exclude_type: TypesOption = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Set a product's conditions (R6.2, R6.3), whole: a condition without options is off.
    Needs BusinessRules 1 ('xs settings set BusinessRules 1')."""
    conditions = _conditions_from_options(
        younger_than, older_than, sick_at_start, salary_above_max, exclude_type
    )
    with _open(database_url) as xs:
        xs.policies.set_product_conditions(
            SetProductConditions(
                actor=_actor(xs, as_email), product_id=product, conditions=conditions
            )
        )
    console.print(f"Voorwaarden van product {product} ingesteld")


@policies_app.command("override")
def override_condition(
    policy: Annotated[uuid.UUID, uuid_option("--policy", "policy id")],
    condition: ConditionOption,
    younger_than: YoungerOption = None,
    older_than: OlderOption = None,
    sick_at_start: SickOption = False,
    salary_above_max: SalaryOption = False,
    exclude_type: TypesOption = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Override one condition of a policy (R6.3) with the options given (off without them);
    the policy's other overrides stay."""
    chosen = getattr(
        _conditions_from_options(
            younger_than, older_than, sick_at_start, salary_above_max, exclude_type
        ),
        condition.value,
    )
    with _open(database_url) as xs:
        actor = _actor(xs, as_email)
        current = xs.policies.conditions(GetPolicyConditions(actor=actor, policy_id=policy))
        overrides = attrs.evolve(current.overrides, **{condition.value: chosen})
        xs.policies.set_policy_overrides(
            SetPolicyOverrides(actor=actor, policy_id=policy, overrides=overrides)
        )
    console.print(f"Voorwaarde {condition.value} van polis {policy}: {_describe(chosen)}")


@policies_app.command("clear-override")
def clear_override(
    policy: Annotated[uuid.UUID, uuid_option("--policy", "policy id")],
    condition: ConditionOption,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """The policy's condition follows its product again (R6.3)."""
    with _open(database_url) as xs:
        xs.policies.clear_policy_override(
            ClearPolicyOverride(actor=_actor(xs, as_email), policy_id=policy, condition=condition)
        )
    console.print(f"Voorwaarde {condition.value} van polis {policy} volgt het product")


@policies_app.command("conditions")
def show_conditions(
    policy: Annotated[uuid.UUID, uuid_option("--policy", "policy id")],
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """The conditions of a policy: the product's, the policy's own and what applies (R6.3)."""
    with _open(database_url) as xs:
        seen = xs.policies.conditions(
            GetPolicyConditions(actor=_actor(xs, as_email), policy_id=policy)
        )
    rows = [
        (
            name.label_nl if language() == "nl" else name.label_en,
            _describe(getattr(seen.product, name.value)),
            _describe(getattr(seen.overrides, name.value)),
            _describe(getattr(seen.effective, name.value)),
        )
        for name in ConditionName
    ]
    console.print(_conditions_table(f"Aanvullende voorwaarden polis {policy}", rows))


@policies_app.command("register")
def register_participation(
    policy: Annotated[uuid.UUID, uuid_option("--policy", "policy id")],
    employee: Annotated[uuid.UUID, uuid_option("--employee", "employee id")],
    start: Annotated[_dt.date, date_option("--from", "first day")],
    until: Annotated[
        _dt.date | None, date_option("--until", "first day after the period", end=True)
    ] = None,
    include: Annotated[
        bool, typer.Option("--include/--exclude", help="include or exclude by hand")
    ] = False,
    note: Annotated[str | None, typer.Option(help="why")] = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Include or exclude an employee by hand over [--from, --until) (R6.4): never overwritten
    by the automatic evaluation."""
    if until is not None:
        check_after("--from", start, "--until", until)
    with _open(database_url) as xs:
        registration = xs.policies.register_manually(
            RegisterParticipation(
                actor=_actor(xs, as_email),
                policy_id=policy,
                employee_id=employee,
                period=DateRange(start, until),
                included=include,
                note=note,
            )
        )
    console.print(f"Handmatige registratie: {registration}")


@policies_app.command("participants")
def participants(
    policy: Annotated[uuid.UUID, uuid_option("--policy", "policy id")],
    page: Annotated[int, count_option("--page", "page number", 1, MAX_PAGE)] = 1,
    page_size: Annotated[
        int, count_option("--page-size", "participants per page", 1, MAX_PAGE_SIZE)
    ] = 50,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """The participant page of a policy (deelnemerregistratie, R6.6)."""
    with _open(database_url) as xs:
        shown = xs.policies.participants(
            GetParticipants(
                actor=_actor(xs, as_email), policy_id=policy, page=page, page_size=page_size
            )
        )
    console.print(participants_table(shown))


@policies_app.command("evaluate")
def evaluate_policies(
    on: Annotated[_dt.date, date_option("--on", "the evaluation date")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="write nothing; list what would change and why")
    ] = False,
    policy: Annotated[uuid.UUID | None, uuid_option("--policy", "only this policy")] = None,
    queue: Annotated[
        bool,
        typer.Option("--queue", help="enqueue the chunks for `xs worker` (PostgreSQL)"),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--csv", help="dry run: the CSV file (replaced only when complete)"),
    ] = None,
    chunk_size: Annotated[
        int, count_option("--chunk-size", "employees per chunk", 1, MAX_CHUNK_SIZE)
    ] = DEFAULT_CHUNK_SIZE,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """The nightly evaluation of participation as of --on (R6.6): writes only what changed; run
    again after an interruption, it resumes. --dry-run lists the changes (CSV) and counts them
    per reason; --queue leaves the chunks to `xs worker` processes."""
    if out is not None and not dry_run:
        raise CliRefusal("cli.csv_needs_dry_run", {})
    command_on = on
    with _open(database_url) as xs:
        actor = _actor(xs, as_email)
        command = EvaluatePolicies(
            actor=actor, on=command_on, policy_id=policy, chunk_size=chunk_size
        )
        if dry_run:
            _dry_run(xs, command, out)
            return
        if queue:
            url = xs.settings.database_url
            libpq_url(url)  # refused early on SQLite
            status = xs.policy_evaluation.start(command)
            jobs = enqueue(url, actor, status)
            console.print(f"{status_line(status)}; {jobs} taken up by `xs worker`")
            return
        with _chunk_progress() as advance:
            status = xs.policy_evaluation.evaluate(command, advance)
    console.print(status_line(status))


@contextlib.contextmanager
def _chunk_progress() -> Iterator[ProgressReport]:
    """A progress bar over a run's chunks."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("Delen / chunks", total=None)

        def advance(stage: str, done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


def _dry_run(xs: Xs, command: EvaluatePolicies, out: Path | None) -> None:
    if out is None:
        with _chunk_progress() as advance:
            summary = xs.policy_evaluation.dry_run(command, ChangeWriter(sys.stdout), advance)
    else:
        with atomic_text_file(out) as stream, _chunk_progress() as advance:
            summary = xs.policy_evaluation.dry_run(command, ChangeWriter(stream), advance)
    Console(stderr=out is None).print(summary_table(summary))


@policies_app.command("run-status")
def evaluation_status(
    run: Annotated[uuid.UUID, uuid_argument("RUN", "evaluation run id")],
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Where a nightly evaluation stands (chunks done, what it changed)."""
    with _open(database_url) as xs:
        status = xs.policy_evaluation.status(
            GetPolicyEvaluation(actor=_actor(xs, as_email), run_id=run)
        )
    console.print(status_line(status))


@app.command()
def worker(
    concurrency: Annotated[
        int, count_option("--concurrency", "jobs at once in this process", 1, 64)
    ] = 1,
    once: Annotated[bool, typer.Option("--once", help="stop when the queue is empty")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Work the chunks of nightly evaluations enqueued with `xs policies evaluate --queue`
    (PostgreSQL, the extra xs[worker]); SIGTERM/SIGINT stop after the current chunk, and the
    chunks of a killed worker are taken up again by the others."""
    url = database_url or os.environ.get("XS_DATABASE_URL") or "sqlite:///xs.sqlite3"
    libpq_url(url)
    with _open(url):  # the schema is checked and the database reached, as for every command
        pass
    run_worker(url, concurrency=concurrency, wait=not once)


def participants_table(page: ParticipantPage, policy: str | None = None) -> Table:
    """A participant page as a table, the texts in the language of ``XS_LANG``; ``policy`` names
    the policy in the title (default its id)."""
    nl = language() == "nl"
    table = Table(
        title=f"Deelnemerregistratie polis {policy or page.policy_id} — pagina {page.page} "
        f"({page.total} deelnemers)"
    )
    for column in ("Werknemer", "Van", "Tot", "Deelname", "Bron", "Uitsluitingsreden", "Notitie"):
        table.add_column(column)
    for participant in page.participants:
        for n, line in enumerate(participant.registrations):
            notes = [n.nl if nl else n.en for n in line.notes]
            table.add_row(
                participant.name if n == 0 else "",
                line.period.start.isoformat(),
                "" if line.period.end is None else line.period.end.isoformat(),
                "ingesloten" if line.included else "uitgesloten",
                line.source.nl if nl else line.source.en,
                ", ".join(r.nl if nl else r.en for r in line.reasons),
                "; ".join([*notes, *([line.note] if line.note else [])]),
            )
    return table


@settings_app.command("show")
def settings_show(as_email: AsOption = None, database_url: DatabaseOption = None) -> None:
    """The configuration parameters with their values."""
    with _open(database_url) as xs:
        settings = xs.configuration.parameters(ListParameters(actor=_actor(xs, as_email)))
    table = Table(title="Configuratieparameters")
    for column in ("Parameter", "Waarde", "Standaard", "Toegestaan", "Omschrijving"):
        table.add_column(column)
    for setting in settings:
        table.add_row(
            setting.parameter.value,
            str(setting.value),
            str(setting.default),
            ", ".join(str(a) for a in setting.allowed),
            setting.label_nl if language() == "nl" else setting.label_en,
        )
    console.print(table)


@settings_app.command("set")
def settings_set(
    parameter: Annotated[Parameter, typer.Argument(help="the parameter, e.g. BusinessRules")],
    value: Annotated[
        int,
        typer.Argument(
            help="the new value",
            metavar="VALUE",
            parser=lambda v: parse_count("VALUE", v, -INTEGER_MAX, INTEGER_MAX),
        ),
    ],
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Set a configuration parameter, e.g. 'xs settings set BusinessRules 1' (R6.1); every
    change is kept with who made it and when."""
    with _open(database_url) as xs:
        old = xs.configuration.set_parameter(
            SetParameter(actor=_actor(xs, as_email), parameter=parameter, value=value)
        )
    console.print(f"{parameter.value}: {old} → {value}")


@settings_app.command("history")
def settings_history(
    parameter: Annotated[Parameter, typer.Argument(help="the parameter, e.g. BusinessRules")],
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """The changes of a configuration parameter, oldest first."""
    with _open(database_url) as xs:
        changes = xs.configuration.history(
            GetParameterHistory(actor=_actor(xs, as_email), parameter=parameter)
        )
    table = Table(title=f"Wijzigingen {parameter.value}")
    for column in ("Tijdstip (UTC)", "Van", "Naar", "Door"):
        table.add_column(column)
    for change in changes:
        table.add_row(
            change.changed_at.isoformat(timespec="seconds"),
            str(change.old_value),
            str(change.new_value),
            str(change.changed_by),
        )
    console.print(table)


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
    so a failed demo leaves an existing database as it was. R3.1's absence report is written
    beside it as ``<name>-verzuim.csv`` and ``<name>-verzuim.xlsx``."""
    from xs_app.demo import run_demo

    os.environ.pop("XS_STORAGE", None)
    if database.is_dir():  # refused before any work
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(database))
    temporary = database.with_name(f".{database.name}.{secrets.token_hex(6)}.tmp")
    shown = f"sqlite:///{database}"
    try:
        with database_errors(shown):
            run_demo(
                f"sqlite:///{temporary}",
                seed,
                console,
                label=shown,
                report_files=(
                    database.with_name(f"{database.stem}-verzuim.csv"),
                    database.with_name(f"{database.stem}-verzuim.xlsx"),
                ),
            )
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


# the reimbursement commands (R5.2–R5.5) register themselves on ``app`` and ``users_app``
# passwords, mail and secure messaging (R2.6, R2.7) register their commands on ``app``
# reports (R3) register ``xs reports``
# the external API (R7.1): ``xs api-clients``, ``xs serve``
from xs_app import (  # noqa: E402
    cli_mail,  # noqa: F401
    cli_reimbursements,  # noqa: F401
    cli_reports,  # noqa: F401
    cli_web,  # noqa: F401
)


def main(args: Sequence[str] | None = None) -> NoReturn:
    """The ``xs`` script: every error is one line on standard error and an exit code."""
    sys.exit(run(typer.main.get_command(app), args))


__all__ = ["CliFailure", "CliRefusal", "app", "main"]


if __name__ == "__main__":
    main()
