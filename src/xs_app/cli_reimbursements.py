"""The ``xs suppliers``, ``xs users contract`` and ``xs reimbursements`` commands (R5.2–R5.5).

Registered on the ``xs`` application by :mod:`xs_app.cli` (imported at its end). Suppliers are
named by their code, users by their e-mail address, reimbursement contract models by name (or
id), batches by id. The account reimbursements are paid from is a setting:
``XS_PAYING_ACCOUNT_NAME`` and ``XS_PAYING_ACCOUNT_IBAN`` (or ``--paying-name`` and
``--paying-iban``).
"""

from __future__ import annotations

import datetime as _dt
import sys
import uuid
from io import StringIO
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xs_app import cli
from xs_app.bootstrap import Xs
from xs_app.cli import AsOption, DatabaseOption, _actor, _open, app, users_app
from xs_app.cli_support import CliRefusal, atomic_text_file
from xs_app.cli_types import date_option, parse_uuid, uuid_argument
from xs_app.services.billing import ListContractModels
from xs_app.services.reimbursements import (
    CreateRelation,
    DecideReimbursementLines,
    DiscardReimbursementBatch,
    ExportReimbursementBatch,
    ExportSepaTransfer,
    FinaliseReimbursementBatch,
    GenerateReimbursementBatch,
    GetContractSettings,
    GetReimbursementBatch,
    ListReimbursementBatches,
    ListRelations,
    PayingAccount,
    ReimbursementBatchLines,
    RelationDetails,
    SetContractSettings,
    SetRelationActive,
)
from xs_core.errors import InvalidInput, register_messages
from xs_core.reimbursements import LineDecision, Relation, RelationKind

register_messages(
    {
        "cli.unknown_supplier": (
            "Er is geen {kind} met code '{code}'; zie 'xs suppliers list'.",
            "There is no {kind} with code '{code}'; see 'xs suppliers list'.",
        ),
        "cli.unknown_reimbursement_model": (
            "Er is geen vergoedingscontractmodel '{model}'.",
            "There is no reimbursement contract model '{model}'.",
        ),
        "cli.no_paying_account": (
            "Geef de betalende rekening op: XS_PAYING_ACCOUNT_NAME en XS_PAYING_ACCOUNT_IBAN "
            "(of --paying-name en --paying-iban).",
            "Name the paying account: XS_PAYING_ACCOUNT_NAME and XS_PAYING_ACCOUNT_IBAN (or "
            "--paying-name and --paying-iban).",
        ),
        "cli.export_target": (
            "Kies --csv of --sepa (niet beide).",
            "Choose --csv or --sepa (not both).",
        ),
    },
    kind=InvalidInput,
)

suppliers_app = typer.Typer(
    help="Suppliers and referrers (leveranciers, aanmelders), R5.2.", no_args_is_help=True
)
app.add_typer(suppliers_app, name="suppliers")
contract_app = typer.Typer(help="A user's contract settings (R5.3).", no_args_is_help=True)
users_app.add_typer(contract_app, name="contract")
reimbursements_app = typer.Typer(
    help="Reimbursement batches (vergoedingsbatches), R5.5.", no_args_is_help=True
)
app.add_typer(reimbursements_app, name="reimbursements")

ReferrerOption = Annotated[
    bool, typer.Option("--referrers/--suppliers", help="referrers instead of suppliers")
]
DECISIONS_NL = {"reimburse": "vergoeden", "exclude": "uitsluiten", "postpone": "uitstellen"}


def _kind(referrers: bool) -> RelationKind:
    return RelationKind.REFERRER if referrers else RelationKind.SUPPLIER


def _relation(xs: Xs, actor: uuid.UUID, code: str, kind: RelationKind) -> Relation:
    wanted = code.strip().casefold()
    for relation in xs.reimbursements.relations(ListRelations(actor=actor, kind=kind, term=code)):
        if relation.code.casefold() == wanted:
            return relation
    raise CliRefusal("cli.unknown_supplier", {"code": code, "kind": kind.label_nl})


def _model_id(xs: Xs, actor: uuid.UUID, model: str) -> uuid.UUID:
    for found in xs.billing.contract_models(ListContractModels(actor=actor)):
        if found.is_reimbursement and (found.name == model or str(found.id) == model.strip()):
            return found.id
    raise CliRefusal("cli.unknown_reimbursement_model", {"model": model})


def _user_id(xs: Xs, email: str) -> uuid.UUID:
    user_id = xs.installation.user_id(email)
    if user_id is None:
        raise CliRefusal("cli.unknown_user", {"email": email})
    return user_id


# -- suppliers (R5.2) -------------------------------------------------------------------------


@suppliers_app.command("list")
def list_suppliers(
    term: Annotated[str | None, typer.Option(help="code prefix or part of the name")] = None,
    referrers: ReferrerOption = False,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Suppliers (or referrers) by name; exact codes first when searching."""
    kind = _kind(referrers)
    with _open(database_url) as xs:
        found = xs.reimbursements.relations(
            ListRelations(actor=_actor(xs, as_email), kind=kind, term=term)
        )
    table = Table(title="Aanmelders" if referrers else "Leveranciers")
    for column in ("Code", "Naam", "Adres", "BTW-nummer", "IBAN", "BIC", "Actief"):
        table.add_column(column)
    for r in found:
        table.add_row(
            r.code,
            r.name,
            str(r.address),
            "" if r.vat_number is None else r.vat_number.formatted,
            "" if r.iban is None else r.iban.formatted,
            "" if r.iban is None else r.iban.bic or "",
            "ja" if r.active else "nee",
        )
    cli.console.print(table)


@suppliers_app.command("create")
def create_supplier(
    name: str,
    code: Annotated[str, typer.Option(help="code (unique per kind, case-insensitively)")],
    street: Annotated[str, typer.Option()] = "",
    number: Annotated[str, typer.Option(help="house number")] = "",
    postcode: Annotated[str, typer.Option(help="1234 AB when the country is NL")] = "",
    city: Annotated[str, typer.Option()] = "",
    country: Annotated[str, typer.Option(help="ISO 3166 code")] = "NL",
    vat: Annotated[str | None, typer.Option(help="VAT number (BTW-nummer)")] = None,
    iban: Annotated[str | None, typer.Option(help="IBAN")] = None,
    referrer: Annotated[bool, typer.Option("--referrer", help="a referrer")] = False,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create a supplier (or, with --referrer, a referrer)."""
    details = RelationDetails(
        name=name,
        code=code,
        street=street,
        house_number=number,
        postcode=postcode,
        city=city,
        country=country,
        vat_number=vat,
        iban=iban,
    )
    with _open(database_url) as xs:
        relation = xs.reimbursements.create_relation(
            CreateRelation(actor=_actor(xs, as_email), kind=_kind(referrer), details=details)
        )
    cli.console.print(f"{'Aanmelder' if referrer else 'Leverancier'} {code}: {relation}")


def _set_active(
    code: str, active: bool, referrers: bool, as_email: str | None, url: str | None
) -> None:
    with _open(url) as xs:
        actor = _actor(xs, as_email)
        relation = _relation(xs, actor, code, _kind(referrers))
        xs.reimbursements.set_relation_active(
            SetRelationActive(actor=actor, relation_id=relation.id, active=active)
        )
    cli.console.print(f"{code}: {'actief' if active else 'niet actief'}")


@suppliers_app.command("deactivate")
def deactivate_supplier(
    code: str,
    referrers: ReferrerOption = False,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Make a supplier (referrer) inactive: no new batches or settings use it."""
    _set_active(code, False, referrers, as_email, database_url)


@suppliers_app.command("activate")
def activate_supplier(
    code: str,
    referrers: ReferrerOption = False,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Make a supplier (referrer) active again."""
    _set_active(code, True, referrers, as_email, database_url)


# -- user contract settings (R5.3) -------------------------------------------------------------


@contract_app.command("show")
def contract_show(
    email: str, as_email: AsOption = None, database_url: DatabaseOption = None
) -> None:
    """A user's dated contract settings."""
    with _open(database_url) as xs:
        settings = xs.reimbursements.contract_settings(
            GetContractSettings(actor=_actor(xs, as_email), user_id=_user_id(xs, email))
        )
    table = Table(title=f"Contract van {email}")
    for column in ("Vanaf", "Tot", "Verrichtingen", "Vergoeding via", "Leverancier", "Model"):
        table.add_column(column)
    for version in settings.versions:
        s = version.settings
        table.add_row(
            version.valid.start.isoformat(),
            "" if version.valid.end is None else version.valid.end.isoformat(),
            "ja" if s.may_register_activities else "nee",
            "leverancier" if s.reimbursed_via_supplier else "-",
            "" if s.supplier_id is None else str(s.supplier_id),
            "" if s.contract_model_id is None else str(s.contract_model_id),
        )
    cli.console.print(table)


@contract_app.command("set")
def contract_set(
    email: str,
    start: Annotated[_dt.date, date_option("--from", "first day the settings apply")],
    register: Annotated[
        bool, typer.Option("--may-register/--may-not-register", help="may register activities")
    ] = True,
    supplier: Annotated[
        str | None, typer.Option(help="supplier code: reimbursed through this supplier")
    ] = None,
    model: Annotated[str | None, typer.Option(help="reimbursement contract model")] = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Set a user's contract settings from a day on (until the next change)."""
    with _open(database_url) as xs:
        actor = _actor(xs, as_email)
        supplier_id = (
            None if supplier is None else _relation(xs, actor, supplier, RelationKind.SUPPLIER).id
        )
        model_id = None if model is None else _model_id(xs, actor, model)
        xs.reimbursements.set_contract_settings(
            SetContractSettings(
                actor=actor,
                user_id=_user_id(xs, email),
                valid_from=start,
                may_register_activities=register,
                reimbursed_via_supplier=supplier is not None or model is not None,
                supplier_id=supplier_id,
                contract_model_id=model_id,
            )
        )
    cli.console.print(f"Contract van {email} vanaf {start.isoformat()} ingesteld")


# -- batches (R5.5) ---------------------------------------------------------------------------


@reimbursements_app.command("generate")
def reimbursements_generate(
    supplier: Annotated[str, typer.Option(help="supplier code")],
    model: Annotated[str, typer.Option(help="reimbursement contract model (name or id)")],
    reference: Annotated[
        _dt.date, date_option("--reference", "reference date (inclusive, not after today)")
    ],
    user: Annotated[
        list[str] | None, typer.Option(help="contract holder's e-mail (repeatable); default all")
    ] = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Generate a draft reimbursement batch, set-based, with progress."""
    labels = {"contract holders": "Contracthouders", "lines": "Regels"}
    with _open(database_url) as xs:
        actor = _actor(xs, as_email)
        command = GenerateReimbursementBatch(
            actor=actor,
            supplier_id=_relation(xs, actor, supplier, RelationKind.SUPPLIER).id,
            contract_model_id=_model_id(xs, actor, model),
            reference_date=reference,
            user_ids=None if not user else frozenset(_user_id(xs, e) for e in user),
        )
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=cli.console
        ) as progress:
            task = progress.add_task("Vergoedingsbatch", total=len(labels))

            def advance(stage: str, done: int, total: int | None) -> None:
                progress.update(
                    task,
                    completed=list(labels).index(stage) + (1 if total is not None else 0.5),
                    description=f"Vergoedingsbatch: {labels[stage]} ({done})",
                )

            batch = xs.reimbursements.generate(command, advance)
    cli.console.print(
        f"Vergoedingsbatch {batch.id} (concept): {batch.counts.lines} regels, totaal "
        f"{batch.counts.total.display_nl()}"
    )


@reimbursements_app.command("list")
def reimbursements_list(
    supplier: Annotated[str | None, typer.Option(help="supplier code")] = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """The reimbursement batches, of one supplier or of all."""
    with _open(database_url) as xs:
        actor = _actor(xs, as_email)
        supplier_id = (
            None if supplier is None else _relation(xs, actor, supplier, RelationKind.SUPPLIER).id
        )
        batches = xs.reimbursements.batches(
            ListReimbursementBatches(actor=actor, supplier_id=supplier_id)
        )
    table = Table(title="Vergoedingsbatches")
    for column in ("Id", "Referentiedatum (t/m)", "Status", "Regels", "Totaal"):
        table.add_column(column)
    for b in batches:
        table.add_row(
            str(b.id),
            b.reference_date.isoformat(),
            "definitief" if b.final else "concept",
            str(b.counts.lines),
            b.counts.total.display_nl(),
        )
    cli.console.print(table)


@reimbursements_app.command("show")
def reimbursements_show(
    batch: Annotated[uuid.UUID, uuid_argument("BATCH", "reimbursement batch id")],
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """A batch and its lines."""
    with _open(database_url) as xs:
        actor = _actor(xs, as_email)
        found = xs.reimbursements.batch(GetReimbursementBatch(actor=actor, batch_id=batch))
        lines = xs.reimbursements.lines(ReimbursementBatchLines(actor=actor, batch_id=batch))
    c = found.counts
    table = Table(
        title=(
            f"Vergoedingsbatch {found.id} t/m {found.reference_date.isoformat()} "
            f"({'definitief' if found.final else 'concept'}): {c.reimbursed} vergoed, "
            f"{c.excluded} uitgesloten, {c.postponed} uitgesteld, totaal {c.total.display_nl()}"
        )
    )
    for column in ("Verrichting", "Datum", "Soort", "Contracthouder", "Keuze", "Bedrag"):
        table.add_column(column)
    for line in lines:
        table.add_row(
            str(line.activity_id),
            line.performed_on.isoformat(),
            line.activity_type,
            str(line.user_id),
            DECISIONS_NL[line.decision.value],
            line.amount.display_nl(),
        )
    cli.console.print(table)


@reimbursements_app.command("decide")
def reimbursements_decide(
    batch: Annotated[uuid.UUID, uuid_argument("BATCH", "reimbursement batch id")],
    decision: Annotated[LineDecision, typer.Option(help="reimburse | exclude | postpone")],
    activity: Annotated[list[str], typer.Option(help="activity id (repeatable)")],
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Reimburse, exclude or postpone lines of a draft batch."""
    ids = frozenset(parse_uuid("--activity", a) for a in activity)
    with _open(database_url) as xs:
        counts = xs.reimbursements.decide(
            DecideReimbursementLines(
                actor=_actor(xs, as_email), batch_id=batch, activity_ids=ids, decision=decision
            )
        )
    cli.console.print(
        f"{len(ids)} regels: {DECISIONS_NL[decision.value]}; totaal {counts.total.display_nl()}"
    )


@reimbursements_app.command("finalise")
def reimbursements_finalise(
    batch: Annotated[uuid.UUID, uuid_argument("BATCH", "reimbursement batch id")],
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Make a draft batch final: it never changes again."""
    with _open(database_url) as xs:
        found = xs.reimbursements.finalise(
            FinaliseReimbursementBatch(actor=_actor(xs, as_email), batch_id=batch)
        )
    cli.console.print(
        f"Vergoedingsbatch {found.id} definitief: totaal {found.counts.total.display_nl()}"
    )


@reimbursements_app.command("discard")
def reimbursements_discard(
    batch: Annotated[uuid.UUID, uuid_argument("BATCH", "reimbursement batch id")],
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Discard a draft batch; its activities can be in a batch again."""
    with _open(database_url) as xs:
        xs.reimbursements.discard(
            DiscardReimbursementBatch(actor=_actor(xs, as_email), batch_id=batch)
        )
    cli.console.print(f"Vergoedingsbatch {batch} verwijderd")


@reimbursements_app.command("export")
def reimbursements_export(
    batch: Annotated[uuid.UUID, uuid_argument("BATCH", "reimbursement batch id")],
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="CSV for bookkeeping ('-': standard output)")
    ] = None,
    sepa_out: Annotated[
        Path | None, typer.Option("--sepa", help="SEPA credit transfer, pain.001.001.03")
    ] = None,
    execution: Annotated[
        _dt.date | None, date_option("--execution-date", "payment date (default today)")
    ] = None,
    paying_name: Annotated[
        str | None, typer.Option(envvar="XS_PAYING_ACCOUNT_NAME", help="paying account's holder")
    ] = None,
    paying_iban: Annotated[
        str | None, typer.Option(envvar="XS_PAYING_ACCOUNT_IBAN", help="paying account's IBAN")
    ] = None,
    as_email: AsOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Export a final batch: CSV for bookkeeping, or a SEPA file paying the supplier. Files are
    replaced only when complete."""
    if (csv_out is None) == (sepa_out is None):
        raise CliRefusal("cli.export_target", {})
    with _open(database_url) as xs:
        actor = _actor(xs, as_email)
        if csv_out is not None:
            command = ExportReimbursementBatch(actor=actor, batch_id=batch)
            if str(csv_out) == "-":
                buffer = StringIO()
                xs.reimbursements.export_csv(command, buffer)
                sys.stdout.write(buffer.getvalue())
                return
            with atomic_text_file(csv_out) as stream:
                count = xs.reimbursements.export_csv(command, stream)
            cli.console.print(f"{count} regels geschreven naar {csv_out}")
            return
        assert sepa_out is not None
        if not paying_name or not paying_iban:
            raise CliRefusal("cli.no_paying_account", {})
        document = xs.reimbursements.export_sepa(
            ExportSepaTransfer(
                actor=actor,
                batch_id=batch,
                paying_account=PayingAccount(name=paying_name, iban=paying_iban),
                execution_date=execution,
            )
        )
        with atomic_text_file(sepa_out) as stream:
            stream.write(document.decode("utf-8"))
    cli.console.print(f"SEPA-overboeking (pain.001.001.03) geschreven naar {sepa_out}")
