"""Every refusal and failure of the ``xs`` command line is one line on stderr, never a traceback,
with exit code 2 (refused: usage, invalid argument, business rule) or 1 (runtime failure), and
no command leaves a file it has not finished (R0.5 for the command line).

Each case runs ``python -m xs_app.cli`` as a real process in a directory of its own (holding
``existing.csv``); afterwards that directory must hold exactly what it held before. Process
start-up dominates, so the cases share one migrated SQLite database (nothing in it changes: every
case is refused) and are started a few at a time by one module fixture; each case is still its
own test.
"""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa
import typer

from tests.apps import user_with
from tests.conftest import _server_url, create_database, drop_database
from xs_app import bootstrap, cli
from xs_app.cli_support import atomic_text_file, run
from xs_app.services.organisation import CreateEmployer
from xs_app.services.protocols import CreateProtocol
from xs_core.protocols.model import ProtocolCharacteristics, ProtocolKind

EXISTING = "existing.csv"
OLD = "invoice_basis,old content\n"
MISSING_ID = "6c2a9a3e-0a52-4f0f-9d3e-0b6f7a1c2d33"
SCHEDULE = ("billing", "schedule", "--from", "2026-01-01", "--until", "2027-01-01")
DESCRIBED = (*SCHEDULE, "--subscribed", "2026-01-01")
PLAN = ("agenda", "plan", "--location", MISSING_ID)
BULK = ("trajectories", "bulk-start")


@attrs.frozen
class Case:
    """One command line that must be refused (exit 2) or fail (exit 1) with one line.

    ``args`` may name ``{db}`` (the shared SQLite URL), ``{pg_empty}`` (a PostgreSQL database
    without the schema) and ``{here}`` (the case's directory); ``db`` sets ``XS_DATABASE_URL``
    to the shared database; ``files`` are made in the case's directory beforehand (beside
    ``existing.csv``); ``line`` is the whole expected line when given, else the line must start
    with ``xs: <code>: `` and contain ``fragment``. ``in_process`` cases (more variants of the
    argument checks) run through the same entry point, :func:`xs_app.cli_support.run`, inside
    the test process, to keep the module's run time down.
    """

    id: str
    args: tuple[str, ...]
    exit: int
    code: str
    fragment: str = ""
    line: str | None = None
    db: bool = False
    env: Mapping[str, str] = attrs.field(factory=dict)
    files: Mapping[str, str] = attrs.field(factory=dict)
    in_process: bool = False


CASES = [
    # -- dates and ranges (R0.1, R0.2) ----------------------------------------------------------
    Case(
        "impossible-date",
        ("billing", "schedule", "--from", "2026-13-01", "--until", "2027-01-01"),
        2,
        "cli.not_a_date",
        line="xs: cli.not_a_date: --from: '2026-13-01' is geen geldige datum; gebruik JJJJ-MM-DD.",
    ),
    Case(
        "impossible-date-english",
        ("billing", "schedule", "--from", "2026-02-30", "--until", "2027-01-01"),
        2,
        "cli.not_a_date",
        line="xs: cli.not_a_date: --from: '2026-02-30' is not a valid date; use YYYY-MM-DD.",
        env={"XS_LANG": "en"},
    ),
    Case(
        "date-not-iso",
        ("billing", "run", "--from", "01-01-2026", "--until", "2026-04-01"),
        2,
        "cli.not_a_date",
        "'01-01-2026'",
        in_process=True,
    ),
    Case(
        "date-outside-window",
        ("billing", "schedule", "--from", "1800-01-01", "--until", "2027-01-01"),
        2,
        "cli.date_outside_window",
        "--from: 1800-01-01 valt buiten de ondersteunde periode 1900-01-01 t/m 2199-12-31",
        in_process=True,
    ),
    Case(
        "reversed-range",
        ("billing", "run", "--from", "2026-04-01", "--until", "2026-01-01"),
        2,
        "cli.range_reversed",
        line="xs: cli.range_reversed: --until (2026-01-01) moet na --from (2026-04-01) liggen.",
    ),
    Case(
        "empty-range",
        ("billing", "schedule", "--from", "2026-01-01", "--until", "2026-01-01", "--amount", "1"),
        2,
        "cli.range_reversed",
        in_process=True,
    ),
    Case(
        "ends-before-subscribed",
        (*SCHEDULE, "--amount", "100.00", "--subscribed", "2026-05-01", "--ends", "2026-02-01"),
        2,
        "cli.range_reversed",
        line="xs: cli.range_reversed: --ends (2026-02-01) moet na --subscribed (2026-05-01) "
        "liggen.",
    ),
    # -- amounts (R0.3) -------------------------------------------------------------------------
    Case(
        "amount-1e30",
        (*DESCRIBED, "--amount", "1e30"),
        2,
        "cli.amount_too_large",
        line="xs: cli.amount_too_large: --amount is te groot: 1e30 (ten hoogste 999999999999.99).",
    ),
    Case(
        "amount-just-above-limit",
        (*DESCRIBED, "--amount", "1000000000000.00"),
        2,
        "cli.amount_too_large",
        in_process=True,
    ),
    Case(
        "amount-negative",
        (*DESCRIBED, "--amount", "-5.00"),
        2,
        "cli.negative_amount",
        line="xs: cli.negative_amount: --amount mag niet negatief zijn: -5.00.",
    ),
    Case(
        "amount-three-decimals",
        (*DESCRIBED, "--amount", "10.005"),
        2,
        "cli.amount_too_many_decimals",
        "10.005",
        in_process=True,
    ),
    Case(
        "amount-not-a-number",
        (*DESCRIBED, "--amount", "tien"),
        2,
        "cli.not_an_amount",
        in_process=True,
    ),
    Case("amount-nan", (*DESCRIBED, "--amount", "NaN"), 2, "cli.not_an_amount", in_process=True),
    Case(
        "amount-infinity",
        (*DESCRIBED, "--amount", "Infinity"),
        2,
        "cli.not_an_amount",
        in_process=True,
    ),
    Case(
        "schedule-without-source",
        SCHEDULE,
        2,
        "cli.schedule_source",
        line="xs: cli.schedule_source: Geef --subscription, of --amount en --subscribed (met "
        "eventueel --ends), niet beide.",
        in_process=True,
    ),
    Case(
        "schedule-both-sources",
        (*DESCRIBED, "--amount", "1.00", "--subscription", MISSING_ID),
        2,
        "cli.schedule_source",
        in_process=True,
    ),
    # -- counts and pages -----------------------------------------------------------------------
    Case(
        "page-huge",
        ("search", "jans", "--page", "100000000000000000000"),
        2,
        "cli.out_of_range",
        line="xs: cli.out_of_range: --page moet tussen 1 en 10000 liggen: 100000000000000000000.",
        db=True,
    ),
    Case(
        "page-zero",
        ("search", "jans", "--page", "0"),
        2,
        "cli.out_of_range",
        db=True,
        in_process=True,
    ),
    Case(
        "page-size-too-big",
        ("search", "jans", "--page-size", "201"),
        2,
        "cli.out_of_range",
        "--page-size moet tussen 1 en 200 liggen: 201",
        db=True,
        in_process=True,
    ),
    Case(
        "page-not-a-number",
        ("search", "jans", "--page", "1.5"),
        2,
        "cli.not_an_integer",
        "--page: '1.5' is geen geheel getal",
        db=True,
        in_process=True,
    ),
    Case(
        "generate-negative-employees",
        ("generate", "--employees", "-5"),
        2,
        "cli.out_of_range",
        line="xs: cli.out_of_range: --employees moet tussen 1 en 1000000 liggen: -5.",
    ),
    Case(
        "generate-too-many-employers",
        ("generate", "--employers", "10001"),
        2,
        "cli.out_of_range",
        "--employers",
        in_process=True,
    ),
    Case(
        "max-parallel-zero",
        ("agenda", "create-location", "Locatie A", "--max-parallel", "0"),
        2,
        "cli.out_of_range",
        "--max-parallel moet tussen 1 en 2147483647 liggen: 0",
        db=True,
    ),
    # -- ids and instants -----------------------------------------------------------------------
    Case(
        "malformed-uuid",
        ("billing", "export", "not-a-uuid", "--out", EXISTING),
        2,
        "cli.not_a_uuid",
        line="xs: cli.not_a_uuid: BASIS: 'not-a-uuid' is geen geldige id (UUID).",
        db=True,
    ),
    Case(
        "malformed-uuid-option",
        (*BULK, "--protocol", "P", "--start", "2027-01-04", "--department", "12345"),
        2,
        "cli.not_a_uuid",
        "--department: '12345'",
        db=True,
        in_process=True,
    ),
    Case(
        "impossible-time",
        (*PLAN, "--start", "2026-12-01T25:00", "--end", "2026-12-01T26:00"),
        2,
        "cli.not_a_time",
        "--start: '2026-12-01T25:00'",
        db=True,
        in_process=True,
    ),
    Case(
        "plan-end-before-start",
        (*PLAN, "--start", "2026-12-01T10:00", "--end", "2026-12-01T09:00"),
        2,
        "cli.range_reversed",
        line="xs: cli.range_reversed: --end (2026-12-01T09:00+01:00) moet na --start "
        "(2026-12-01T10:00+01:00) liggen.",
        db=True,
        in_process=True,
    ),
    Case(
        "plan-time-in-spring-gap",  # R0.1: 02:30 does not exist on 29 March 2026
        (*PLAN, "--start", "2026-03-29T02:30", "--end", "2026-03-29T04:00"),
        2,
        "time.nonexistent_local_time",
        "2026-03-29T02:30",
        db=True,
    ),
    Case(
        "plan-time-in-autumn-fold",  # R0.1: 02:30 happens twice on 25 October 2026
        (*PLAN, "--start", "2026-10-25T02:30", "--end", "2026-10-25T04:00"),
        2,
        "time.ambiguous_local_time",
        "(+02:00, +01:00)",
        db=True,
        in_process=True,
    ),
    Case(
        "plan-unknown-location",
        (*PLAN, "--start", "2026-12-01T09:00", "--end", "2026-12-01T10:00"),
        2,
        "not_found",
        MISSING_ID,
        db=True,
        in_process=True,
    ),
    # -- usage ----------------------------------------------------------------------------------
    Case(
        "missing-option",
        ("billing", "schedule", "--until", "2027-01-01"),
        2,
        "cli.usage",
        line="xs: cli.usage: Onjuist gebruik van 'xs billing schedule': Missing option "
        "'--from'. Zie 'xs billing schedule --help'.",
    ),
    Case(
        "unknown-option",
        ("search", "jans", "--colour", "red"),
        2,
        "cli.usage",
        "--colour",
        in_process=True,
    ),
    Case(
        "unknown-choice",
        ("search", "jans", "--context", "everywhere"),
        2,
        "cli.usage",
        "everywhere",
        in_process=True,
    ),
    Case("unknown-command", ("frobnicate",), 2, "cli.usage", "frobnicate", in_process=True),
    # -- the database ---------------------------------------------------------------------------
    Case(
        "database-url-not-a-url",
        ("db", "upgrade", "--database-url", "nonsense"),
        2,
        "cli.invalid_database_url",
        in_process=True,
    ),
    Case(
        "database-url-unsupported",
        ("trajectories", "protocols"),
        2,
        "cli.invalid_database_url",
        "XS_DATABASE_URL",
        env={"XS_DATABASE_URL": "mysql://localhost/xs"},
        in_process=True,
    ),
    Case(
        "sqlite-in-missing-directory",
        ("search", "jans", "--database-url", "sqlite:///{here}/missing/xs.sqlite3"),
        1,
        "cli.database_directory_missing",
        "/missing voor de SQLite-database bestaat niet",
    ),
    Case(
        "postgres-unreachable",
        ("db", "upgrade", "--database-url", "postgresql://xs:geheim@127.0.0.1:1/xs"),
        1,
        "config.database_unreachable",
        "De database postgresql://xs:***@127.0.0.1:1/xs is niet bereikbaar",
    ),
    Case(
        "postgres-without-schema",
        ("search", "jans", "--database-url", "{pg_empty}"),
        1,
        "config.database_behind",
        "voer `xs db upgrade` uit",
    ),
    Case(
        "sqlite-file-is-not-a-database",
        ("search", "jans", "--database-url", "sqlite:///{here}/notes.txt"),
        1,
        "cli.database_error",
        "notes.txt",
        files={"notes.txt": "not a database, just some words that fill the header page\n" * 4},
    ),
    Case(
        "unknown-storage",
        ("search", "jans"),
        2,
        "cli.unknown_storage",
        env={"XS_STORAGE": "cloud"},
        db=True,
    ),
    # -- files ----------------------------------------------------------------------------------
    Case(
        "export-unknown-basis-keeps-existing-file",
        ("billing", "export", MISSING_ID, "--out", EXISTING),
        2,
        "not_found",
        line=f"xs: not_found: invoice_basis {MISSING_ID} bestaat niet.",
        db=True,
    ),
    Case(
        "export-into-missing-directory",
        ("billing", "export", MISSING_ID, "--out", "missing/basis.csv"),
        1,  # the file is opened first
        "cli.file_not_found",
        line="xs: cli.file_not_found: Bestand missing/basis.csv: de map of het bestand bestaat "
        "niet.",
        db=True,
    ),
    Case(
        "export-onto-a-directory",
        ("billing", "export", MISSING_ID, "--out", "."),
        1,
        "cli.file_is_directory",
        line="xs: cli.file_is_directory: . is een map, geen bestand.",
        db=True,
    ),
    Case(
        "demo-into-missing-directory",
        ("demo", "--database", "missing/demo.sqlite3"),
        1,
        "cli.database_directory_missing",
        "missing",
    ),
    Case(
        "demo-onto-a-directory",
        ("demo", "--database", "."),
        1,
        "cli.file_is_directory",
        line="xs: cli.file_is_directory: . is een map, geen bestand.",
    ),
    # -- actors, codes, users -------------------------------------------------------------------
    Case(
        "as-unknown-user",
        ("search", "jans", "--as", "niemand@example.nl"),
        2,
        "cli.unknown_user",
        line="xs: cli.unknown_user: Er is geen gebruiker met e-mailadres niemand@example.nl "
        "(--as).",
        db=True,
    ),
    Case(
        "as-user-without-rights",
        ("search", "jans", "--as", "zonder@example.nl"),
        2,
        "access.not_authorised",
        db=True,
    ),
    Case(
        "bulk-start-unknown-protocol",
        (*BULK, "--protocol", "Onbekend", "--employer", "WG00001", "--start", "2027-01-04"),
        2,
        "cli.unknown_protocol",
        line="xs: cli.unknown_protocol: Er is geen protocol 'Onbekend'; zie 'xs trajectories "
        "protocols'.",
        db=True,
    ),
    Case(
        "bulk-start-unknown-employer-code",
        (*BULK, "--protocol", "PMO", "--employer", "GEEN", "--start", "2027-01-04"),
        2,
        "cli.unknown_employer",
        line="xs: cli.unknown_employer: Er is geen werkgever met code 'GEEN'.",
        db=True,
    ),
    Case(
        "billing-run-unknown-employer-code",
        ("billing", "run", "--from", "2026-01-01", "--until", "2026-04-01", "--employer", "GEEN"),
        2,
        "cli.unknown_employer",
        db=True,
        in_process=True,
    ),
    Case(
        "super-admin-bad-email",
        ("users", "create-super-admin", "Piet", "geen-adres"),
        2,
        "contact.invalid_email",
        "geen-adres",
        db=True,
    ),
    Case(
        "super-admin-email-in-use",
        ("users", "create-super-admin", "Piet", "beheer@example.nl"),
        2,
        "access.email_in_use",
        line="xs: access.email_in_use: Het e-mailadres beheer@example.nl is al in gebruik.",
        db=True,
    ),
    Case(
        "generate-into-a-filled-database",
        ("generate", "--employers", "1", "--departments", "0", "--employees", "1"),
        2,
        "cli.already_generated",
        "WG00001",
        db=True,
    ),
    # -- policy registration and configuration parameters (R6) ----------------------------------
    Case(
        "conditions-while-business-rules-is-0",
        ("policies", "set-conditions", "--product", MISSING_ID, "--salary-above-max"),
        2,
        "policies.business_rules_off",
        line="xs: policies.business_rules_off: Aanvullende voorwaarden kunnen niet worden "
        "ingesteld of getoond: de configuratieparameter BusinessRules staat op 0.",
        db=True,
    ),
    Case(
        "parameter-value-not-allowed",
        ("settings", "set", "BusinessRules", "2"),
        2,
        "settings.invalid_value",
        line="xs: settings.invalid_value: Ongeldige waarde 2 voor configuratieparameter "
        "BusinessRules; toegestaan: 0, 1.",
        db=True,
    ),
    Case(
        "parameter-unknown",
        ("settings", "set", "Bedrijfsregels", "1"),
        2,
        "cli.usage",
        "Bedrijfsregels",
        db=True,
        in_process=True,
    ),
    Case(
        "parameter-value-not-a-number",
        ("settings", "set", "BusinessRules", "aan"),
        2,
        "cli.not_an_integer",
        db=True,
        in_process=True,
    ),
    Case(
        "age-not-an-age",
        ("policies", "set-conditions", "--product", MISSING_ID, "--older-than", "66 jaar"),
        2,
        "cli.not_an_age",
        line="xs: cli.not_an_age: --older-than: '66 jaar' is geen leeftijd; gebruik jaren, "
        "eventueel met maanden: 66, 66j3m of 66y3m.",
        in_process=True,
    ),
    Case(
        "age-twelve-months",
        ("policies", "set-conditions", "--product", MISSING_ID, "--older-than", "66y12m"),
        2,
        "policies.invalid_age",
        "66 jaar en 12 maanden",
        in_process=True,
    ),
    Case(
        "age-bounds-reversed",
        (
            "policies",
            "set-conditions",
            "--product",
            MISSING_ID,
            "--younger-than",
            "67",
            "--older-than",
            "66y3m",
        ),
        2,
        "policies.age_bounds_reversed",
        in_process=True,
    ),
    Case(
        "employment-type-unknown",
        ("policies", "set-conditions", "--product", MISSING_ID, "--exclude-type", "zzp"),
        2,
        "cli.usage",
        "'zzp'",
        in_process=True,
    ),
    Case(
        "policy-end-before-start",
        (
            "policies",
            "create-policy",
            "--employer",
            "WG00001",
            "--product",
            MISSING_ID,
            "--number",
            "P-1",
            "--start",
            "2026-01-01",
            "--end",
            "2025-12-31",
        ),
        2,
        "cli.range_reversed",
        in_process=True,
    ),
    Case(
        "policy-unknown-product",
        (
            "policies",
            "create-policy",
            "--employer",
            "WG00001",
            "--product",
            MISSING_ID,
            "--number",
            "P-1",
            "--start",
            "2026-01-01",
        ),
        2,
        "not_found",
        MISSING_ID,
        db=True,
        in_process=True,
    ),
]


PROCESS_CASES = [case for case in CASES if not case.in_process]
IN_PROCESS_CASES = [case for case in CASES if case.in_process]


@attrs.frozen
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    before: dict[str, str]
    after: dict[str, str]


def _contents(directory: Path) -> dict[str, str]:
    """Every file below ``directory`` (hidden and temporary ones too) with its text."""
    return {
        str(path.relative_to(directory)): path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def shared_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One migrated SQLite database that the cases share: the operator, an administrator
    (beheer@example.nl), a user without rights (zonder@example.nl), employer WG00001 and a
    protocol PMO that may start in bulk. Every case is refused, so nothing in it changes."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli-errors') / 'xs.sqlite3'}"
    xs = bootstrap(database_url=url)
    operator = xs.installation.operator()
    xs.installation.create_super_administrator("Beheer", "beheer@example.nl")
    user_with(xs, operator, "zonder@example.nl", frozenset(), frozenset())
    xs.organisation.create_employer(CreateEmployer(actor=operator, name="Eerste", code="WG00001"))
    xs.protocols.create_protocol(
        CreateProtocol(
            actor=operator,
            name="PMO",
            kind=ProtocolKind.PMO,
            characteristics=ProtocolCharacteristics(may_start_in_bulk=True),
        )
    )
    xs.close()
    return url


@pytest.fixture(scope="module")
def empty_postgres(postgres_server: sa.Engine) -> Iterator[str]:
    """A PostgreSQL database without the xs schema."""
    name = create_database(postgres_server)
    yield _server_url(name)
    drop_database(postgres_server, name)


def _prepare(case: Case, root: Path, database: str, pg_empty: str) -> tuple[Path, list[str]]:
    """The case's directory (``existing.csv`` and the case's files) and its arguments."""
    here = root / case.id
    here.mkdir()
    (here / EXISTING).write_text(OLD, encoding="utf-8")
    for name, text in case.files.items():
        (here / name).write_text(text, encoding="utf-8")
    return here, [a.format(db=database, pg_empty=pg_empty, here=here) for a in case.args]


def _environment(case: Case, database: str) -> dict[str, str]:
    """The case's ``XS_*`` variables (none inherited)."""
    env = {"XS_DATABASE_URL": database} if case.db else {}
    return {**env, **case.env}


def _run(case: Case, root: Path, database: str, pg_empty: str) -> Outcome:
    here, args = _prepare(case, root, database, pg_empty)
    before = _contents(here)
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("XS_") or k == "XS_TEST_POSTGRES_URL"
    }
    done = subprocess.run(
        [sys.executable, "-m", "xs_app.cli", *args],
        cwd=here,
        env={**inherited, "COLUMNS": "160", **_environment(case, database)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Outcome(done.returncode, done.stdout, done.stderr, before, _contents(here))


@pytest.fixture(scope="module")
def outcomes(
    tmp_path_factory: pytest.TempPathFactory, shared_database: str, empty_postgres: str
) -> dict[str, Outcome]:
    """The process cases, run as real processes, three at a time."""
    root = tmp_path_factory.mktemp("cases")
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {
            case.id: pool.submit(_run, case, root, shared_database, empty_postgres)
            for case in PROCESS_CASES
        }
    return {name: future.result() for name, future in futures.items()}


def _check(case: Case, outcome: Outcome) -> None:
    assert "Traceback" not in outcome.stdout + outcome.stderr
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1, outcome.stderr
    if case.line is not None:
        assert lines[0] == case.line
    else:
        assert lines[0].startswith(f"xs: {case.code}: "), lines[0]
        assert case.fragment in lines[0]
    assert outcome.returncode == case.exit, outcome.stderr
    assert outcome.after == outcome.before  # nothing written, nothing truncated, no leftovers
    assert outcome.before[EXISTING] == OLD


def test_case_ids_are_unique() -> None:
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", PROCESS_CASES, ids=[case.id for case in PROCESS_CASES])
def test_a_process_is_refused_or_fails_with_one_line_and_writes_no_file(
    case: Case, outcomes: dict[str, Outcome]
) -> None:
    _check(case, outcomes[case.id])


@pytest.mark.parametrize("case", IN_PROCESS_CASES, ids=[case.id for case in IN_PROCESS_CASES])
def test_a_command_is_refused_with_one_line_and_writes_no_file(
    case: Case,
    shared_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    here, args = _prepare(case, tmp_path, shared_database, "")
    before = _contents(here)
    monkeypatch.chdir(here)
    for name in [k for k in os.environ if k.startswith("XS_") and k != "XS_TEST_POSTGRES_URL"]:
        monkeypatch.delenv(name)
    for name, value in _environment(case, shared_database).items():
        monkeypatch.setenv(name, value)
    code = run(typer.main.get_command(cli.app), args)
    captured = capsys.readouterr()
    _check(case, Outcome(code, captured.out, captured.err, before, _contents(here)))


def test_the_shared_database_is_unchanged_by_the_refusals(
    shared_database: str, outcomes: dict[str, Outcome]
) -> None:
    """The refusals changed nothing: still one employer and no location, basis or trajectory."""
    engine = sa.create_engine(shared_database)
    with engine.connect() as connection:
        counts = {
            table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("employers", "appointment_locations", "invoice_bases", "trajectories")
        }
    engine.dispose()
    assert counts == {
        "employers": 1,
        "appointment_locations": 0,
        "invoice_bases": 0,
        "trajectories": 0,
    }


def test_the_help_documents_the_exit_codes() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "xs_app.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0 and done.stderr == ""
    text = " ".join(done.stdout.replace("│", " ").split())
    assert "Exit codes: 0 done; 1 runtime failure" in text
    assert "2 refused (usage, invalid argument, business rule" in text


# -- the handler in-process: unexpected errors and the debug switch ------------------------------


def _failing(error: BaseException) -> object:
    app = typer.Typer()

    @app.command()
    def boom() -> None:
        raise error

    @app.command()
    def other() -> None:  # two commands: a group, as the real CLI
        pass

    return typer.main.get_command(app)


def test_an_unexpected_error_is_one_line_with_its_type(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XS_DEBUG", raising=False)
    monkeypatch.setenv("XS_LANG", "en")
    code = run(_failing(RuntimeError("kapot\nsecond line")), ["boom"])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err == (
        "xs: cli.internal_error: Internal error (RuntimeError): kapot. "
        "XS_DEBUG=1 shows the traceback.\n"
    )


def test_xs_debug_shows_the_traceback_before_the_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XS_DEBUG", "1")
    monkeypatch.delenv("XS_LANG", raising=False)
    code = run(_failing(ZeroDivisionError("nul")), ["boom"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("Traceback (most recent call last):")
    assert "ZeroDivisionError: nul" in err
    assert err.splitlines()[-1].startswith(
        "xs: cli.internal_error: Interne fout (ZeroDivisionError)"
    )


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (
            PermissionError(errno.EACCES, "Permission denied", "/data/out.csv"),
            "xs: cli.file_no_permission: File /data/out.csv: no permission.",
        ),
        (
            OSError(errno.ENOSPC, "No space left on device", "out.csv"),
            "xs: cli.file_no_space: File out.csv: no space left on the device.",
        ),
        (
            NotADirectoryError(errno.ENOTDIR, "Not a directory", "a.csv/b.csv"),
            "xs: cli.file_error: File a.csv/b.csv: Not a directory.",
        ),
    ],
)
def test_an_os_error_names_the_file(
    error: OSError,
    line: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("XS_DEBUG", raising=False)
    monkeypatch.setenv("XS_LANG", "en")
    assert run(_failing(error), ["boom"]) == 1
    assert capsys.readouterr().err == line + "\n"


# -- atomic files --------------------------------------------------------------------------------


def _write_half_then_fail(target: Path) -> None:
    with atomic_text_file(target) as stream:
        stream.write("half a line")
        raise ZeroDivisionError


def test_a_failed_write_leaves_the_existing_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "basis.csv"
    target.write_text(OLD, encoding="utf-8")
    with pytest.raises(ZeroDivisionError):
        _write_half_then_fail(target)
    assert target.read_text(encoding="utf-8") == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["basis.csv"]


def test_a_completed_write_replaces_the_file_and_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "basis.csv"
    target.write_text(OLD, encoding="utf-8")
    target.chmod(0o640)
    with atomic_text_file(target) as stream:
        stream.write("new,€ 1,00\n")
    assert target.read_text(encoding="utf-8") == "new,€ 1,00\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["basis.csv"]


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        with atomic_text_file(tmp_path / "new.csv") as stream:
            stream.write("x\n")
    finally:
        os.umask(previous)
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o644


def test_writing_into_a_missing_directory_names_the_target(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "basis.csv"
    with pytest.raises(OSError, match="No such file or directory") as refused:
        _write_half_then_fail(target)
    assert refused.value.filename == str(target)  # not the temporary file's name
    assert refused.value.errno == errno.ENOENT


def test_one_line_even_for_a_message_with_line_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    from xs_app.cli_support import report
    from xs_core.errors import DomainError

    monkeypatch.delenv("XS_LANG", raising=False)
    out = io.StringIO()
    code = report(DomainError("input.invalid", {"field": "naam", "reason": "a\nb"}), out)
    assert code == 2
    assert out.getvalue() == "xs: input.invalid: Ongeldige invoer voor naam: a b.\n"
