"""A separate project embeds xs from its wheel, through ``import xs`` only, and passes
``mypy --strict``.

The test builds the wheel (``pip wheel . --no-deps``), creates a fresh virtual environment and
installs the wheel into it with pip, which resolves the runtime dependencies the wheel declares
(from the configured index and pip's shared cache). **Decision:** the environment does *not*
see the test environment's packages (no ``--system-site-packages``): a dependency the wheel
forgets to declare, or a module the wheel forgets to ship, must fail here, and the packages of
the ``dev`` extra (hypothesis, typer, pytest …) would hide exactly that. pip runs from the outer
environment (``pip --python``), so the new environment needs no pip of its own; mypy also runs
from the outer environment, pointed at the new one's interpreter (``--python-executable``), so
it type-checks against the installed wheel and its ``py.typed`` markers, not against ``src/``.

The consumer package (written below) bootstraps xs on the memory store and on a temporary
SQLite file, runs a few use cases, drains the outbox, and handles one refusal of each kind; a
second module names every public name of ``tests/public_api.txt``. It fails when a public name is
missing (at run time and for mypy), when a module or dependency is missing from the wheel, and,
under ``--strict``, when something it uses is untyped or a package lost its ``py.typed``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("xs", "xs_core", "xs_adapters", "xs_app")

CONSUMER = {
    "embedder/__init__.py": '''
        """A service that embeds xs through its public surface (``import xs``) only."""
    ''',
    "embedder/py.typed": "",
    "embedder/service.py": '''
        """What an embedding service does with xs: use cases, the outbox, refusals by kind."""

        from __future__ import annotations

        import datetime as dt
        import uuid
        from collections.abc import Callable

        import xs

        #: How this service's web layer answers each kind of refusal.
        HTTP_STATUS: dict[type[xs.DomainError], int] = {
            xs.NotFound: 404,
            xs.Conflict: 409,
            xs.InvalidInput: 422,
            xs.NotAllowed: 403,
        }


        def status(error: xs.DomainError) -> int:
            return next(code for kind, code in HTTP_STATUS.items() if isinstance(error, kind))


        def onboard(app: xs.Xs) -> dict[str, object]:
            """An employer with a department and an employee who reports sick."""
            admin = app.installation.create_super_administrator("Beheer", "beheer@example.nl")
            employer = app.organisation.create_employer(
                xs.CreateEmployer(actor=admin, name="Bakkerij Jansen", code="BAK")
            )
            vat = app.organisation.set_vat_number(
                xs.SetVatNumber(actor=admin, employer_id=employer, vat_number="NL004495445B01")
            )
            app.organisation.create_department(
                xs.CreateDepartment(actor=admin, employer_id=employer, name="Bakkerij")
            )
            employee = app.organisation.register_employee(
                xs.RegisterEmployee(
                    actor=admin,
                    first_name="Anna",
                    last_name="de Vries",
                    birth_date=dt.date(1960, 3, 1),
                    employment=xs.EmploymentTerms(employer_id=employer, start=dt.date(2024, 1, 1)),
                )
            )
            protocol = app.protocols.create_protocol(
                xs.CreateProtocol(actor=admin, name="Verzuim", kind=xs.ProtocolKind.SICKNESS)
            )
            trajectory: xs.Trajectory = app.trajectories.report_sickness(
                xs.ReportSickness(
                    actor=admin,
                    protocol_id=protocol,
                    employee_id=employee,
                    first_sick_day=dt.date(2026, 11, 2),
                )
            )
            found: xs.Employer = app.organisation.employer(
                xs.GetEmployer(actor=admin, employer_id=employer)
            )
            return {
                "admin": str(admin),
                "employer": found.name,
                "vat": None if vat is None else str(vat),
                "trajectory_kind": trajectory.kind.value,
                "tasks": [task.code for task in trajectory.tasks],
            }


        def refusals(app: xs.Xs, admin: uuid.UUID) -> list[dict[str, object]]:
            """One refusal of each kind, caught by its kind."""
            reader = app.access.create_user(
                xs.CreateUser(actor=admin, name="Lezer", email="lezer@example.nl")
            )
            attempts: list[Callable[[], object]] = [
                lambda: app.organisation.employer(
                    xs.GetEmployer(actor=admin, employer_id=uuid.uuid4())
                ),
                lambda: app.organisation.create_employer(
                    xs.CreateEmployer(actor=admin, name="Tweede bakkerij", code="BAK")
                ),
                lambda: app.organisation.create_employer(
                    xs.CreateEmployer(actor=admin, name="Derde", vat_number="NL123")
                ),
                lambda: app.organisation.create_employer(
                    xs.CreateEmployer(actor=reader, name="Vierde")
                ),
            ]
            caught: list[dict[str, object]] = []
            for attempt in attempts:
                try:
                    attempt()
                except xs.DomainError as error:
                    caught.append(
                        {
                            "code": error.code,
                            "status": status(error),
                            "nl": error.message("nl"),
                            "en": error.message("en"),
                            "details": error.details,
                        }
                    )
            return caught


        def drain(app: xs.Xs) -> list[tuple[str, int]]:
            """Claim, handle and acknowledge every event once."""
            handled: list[xs.OutboxMessage] = []
            while app.outbox.consume(handled.append, consumer="embedder-1", limit=5):
                pass
            assert app.outbox.claim(consumer="embedder-1") == []
            return [(message.name, message.version) for message in handled]


        def run(app: xs.Xs) -> dict[str, object]:
            facts = onboard(app)
            admin = uuid.UUID(str(facts["admin"]))
            facts["refusals"] = refusals(app, admin)
            facts["events"] = drain(app)
            return facts
    ''',
    "embedder/__main__.py": '''
        """``python -m embedder SQLITE_FILE``: the service on memory and on a SQLite file."""

        from __future__ import annotations

        import datetime as dt
        import json
        import sys

        import xs

        from embedder.service import run
        from embedder.surface import NAMES


        def main(sqlite_file: str) -> None:
            clock = xs.FixedClock.on(dt.date(2026, 11, 29))
            results: dict[str, object] = {"version": xs.__version__, "names": len(NAMES)}
            with xs.bootstrap(storage="memory", clock=clock) as app:
                results["memory"] = run(app)
            with xs.bootstrap(f"sqlite:///{sqlite_file}", clock=clock) as app:
                results["sqlite"] = run(app)
            json.dump(results, sys.stdout, default=str)


        main(sys.argv[1])
    ''',
    "mypy.ini": """
        [mypy]
        strict = True
        warn_unreachable = True
    """,
}


def surface_module() -> str:
    """Every public name, as the consumer would name it."""
    listed = (ROOT / "tests" / "public_api.txt").read_text(encoding="utf-8").split("\n")
    names = [line.split()[0] for line in listed if line and not line.startswith("__")]
    body = "".join(f"    xs.{name},\n" for name in names)
    return (
        f'"""Every name of the public surface."""\n\nimport xs\n\nNAMES: tuple[object, ...] = '
        f"(\n{body})\n"
    )


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args[:4]} failed:\n{done.stdout}\n{done.stderr}"
    return done


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from the working tree."""
    dist = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", str(dist)]
    run(command, ROOT, clean_env())
    (built,) = dist.glob("xs-*.whl")
    return built


@pytest.fixture(scope="module")
def python(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment's interpreter, with the wheel and the dependencies it
    declares installed (nothing else)."""
    venv = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], venv, clean_env())
    interpreter = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(interpreter)]
    run([*pip, "install", "-q", str(wheel)], venv, clean_env())
    return interpreter


def test_the_wheel_ships_every_package_typed(wheel: Path) -> None:
    files = set(zipfile.ZipFile(wheel).namelist())
    for package in PACKAGES:
        assert f"{package}/py.typed" in files, package
    assert "xs_adapters/sql/migrations/script.py.mako" in files
    assert not [f for f in files if f.startswith(("tests/", "benchmarks/"))]


def test_a_project_embeds_xs_from_the_wheel_and_passes_mypy_strict(
    python: Path, tmp_path: Path
) -> None:
    env = clean_env()
    project = tmp_path / "project"
    for name, text in {**CONSUMER, "embedder/surface.py": surface_module()}.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")

    checked = run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--python-executable",
            str(python),
            "--no-incremental",
            "--config-file",
            "mypy.ini",
            "embedder",
        ],
        project,
        env,
    )
    assert "Success: no issues found" in checked.stdout

    done = run([str(python), "-m", "embedder", str(tmp_path / "embedded.sqlite3")], project, env)
    results = json.loads(done.stdout)
    assert results["version"] == "0.2.0"
    assert results["names"] > 250
    for storage in ("memory", "sqlite"):
        facts = results[storage]
        assert facts["employer"] == "Bakkerij Jansen"
        assert facts["vat"] == "NL004495445B01"
        assert facts["trajectory_kind"] == "sickness"
        assert "COMPENSATIE_OUDERE_WERKNEMERS" in facts["tasks"]  # R2.5: born before 1962
        caught = [(r["code"], r["status"]) for r in facts["refusals"]]
        assert caught == [
            ("not_found", 404),
            ("organisation.code_in_use", 409),
            ("vat.invalid_format", 422),
            ("access.not_authorised", 403),
        ], storage
        assert all(r["nl"] != r["en"] and "{" not in r["nl"] for r in facts["refusals"])
        events = [tuple(e) for e in facts["events"]]
        assert ("TrajectoryStarted", 2) in events
        assert ("EmployerVatNumberChanged", 1) in events
        assert [name for name, _ in events].count("UserCreated") == 2  # admin, reader
    assert (tmp_path / "embedded.sqlite3").stat().st_size > 0


def test_an_embedder_on_the_memory_store_never_loads_the_sql_storage() -> None:
    """``import xs`` and ``bootstrap(storage="memory")`` leave SQLAlchemy, Alembic and the SQL
    adapters unloaded (the container imports them when the SQL storage is first built); about
    half of ``import xs`` (``benchmarks/import_time.py``)."""
    code = (
        "import sys, xs\n"
        "xs.bootstrap(storage='memory').organisation\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic')"
        " or m.startswith('xs_adapters.sql')))\n"
        "xs.bootstrap('sqlite:///:memory:')\n"
        "print('sqlalchemy' in sys.modules, 'xs_adapters.sql.engine' in sys.modules)\n"
    )
    done = run([sys.executable, "-c", code], ROOT, clean_env())
    assert done.stdout.splitlines() == ["[]", "True True"]
