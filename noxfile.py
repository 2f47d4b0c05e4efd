"""Sessions: tests (SQLite and PostgreSQL), lint, typecheck, imports, docs, bench."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "imports", "docs"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

PYTHON = "3.11"


def _install(session: nox.Session) -> None:
    session.install("-e", ".[dev]")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Unit, contract (memory, SQLite, PostgreSQL) and integration tests."""
    _install(session)
    session.run("pytest", "-n", "2", "--dist", "loadfile", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    _install(session)
    paths = ("src", "tests", "benchmarks", "noxfile.py", "docs_support.py")
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    _install(session)
    session.run("mypy")


@nox.session(python=PYTHON)
def imports(session: nox.Session) -> None:
    """The import-linter contracts of ARCHITECTURE.md (needs the package installed)."""
    _install(session)
    session.run("lint-imports")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """The site with the API reference from the docstrings; any warning fails (``--strict``).
    The examples in the pages run in the tests session (``tests/test_docs.py``)."""
    _install(session)
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")


#: ``./run bench``: sizes that finish in under ten minutes together on the project's machine
#: (the floors and ratios hold at these sizes too); ``--full``: each benchmark's own, 1M sizes
QUICK = {
    "search": ["--employees", "50000", "--rounds", "3"],
    "bulk_start": ["--employees", "20000", "--skip-naive"],
    "agenda": ["--existing", "100000", "--plans", "1000"],
    "billing": ["--employers", "1000", "--subscriptions", "10000", "--activities", "100000"],
    "reimbursements": ["--suppliers", "100", "--users", "1000", "--activities", "50000"],
    "memory_store": ["--employees", "20000", "--use-cases", "2000", "--examples", "50"],
    "import_time": ["--runs", "5"],
    "policies": ["--employees", "10000"],
    "mail": ["--mails", "2000"],
    # `xs serve` on PostgreSQL, 2 workers, 50 clients; 15 s per scenario (30 s with --full)
    "api": ["--seconds", "15"],
}


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks; figures (each beside its floor: ``ratio = use case / floor``, and the peak
    memory) are printed and written to benchmarks/results/*.json.

    ``nox -s bench`` runs all at the quick sizes of ``QUICK``; ``nox -s bench -- search`` (or
    ``bulk_start``, ``agenda``, ``billing``, ``reimbursements``, ``memory_store``,
    ``import_time``, ``policies``, ``mail``, ``api``) one; ``--full`` the 1M sizes.
    """
    _install(session)
    full = "--full" in session.posargs
    names = [name for name in session.posargs if name != "--full"] or list(QUICK)
    for name in names:
        session.run("python", "-m", f"benchmarks.{name}", *([] if full else QUICK[name]))
