"""The ``xs`` command line's error handling and file writing: one line, never a traceback.

:func:`run` runs the command line and turns whatever stops a command into **one line on
standard error** and an exit code:

====  ==============================================================================
0     done
1     a runtime failure: the database cannot be reached or used (unreachable server,
      missing directory, locked database), a file cannot be written, an internal error
2     refused: a usage error, an invalid argument, or a refusal by a business rule
      (a :class:`~xs_core.errors.DomainError`; nothing changed)
130   interrupted (Ctrl-C)
====  ==============================================================================

The line reads ``xs: <code>: <message>``: the stable code and the message in Dutch (default) or
English, chosen by ``XS_LANG`` (``nl``, ``en``). An unexpected exception is ``cli.internal_error``
with its type; ``XS_DEBUG=1`` prints the traceback of any failure before the line.

Files are written through :func:`atomic_text_file`: into a temporary file in the target's
directory, renamed over the target only when complete, so a failed command leaves an existing
file untouched and never leaves a partial one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import sys
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import sqlalchemy as sa
import typer
from alembic.util import CommandError

from xs_app.cli_types import shown_url
from xs_core.errors import DomainError, InvalidInput, Lang, register_messages

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_REFUSED = 2
EXIT_INTERRUPTED = 130


class CliRefusal(InvalidInput):
    """A refusal found by the command line itself (an unknown user, protocol or employer code;
    options that do not go together): exit code 2, like every other DomainError."""

    default_code = "cli.refused"


class CliFailure(DomainError):
    """A runtime failure (the database, the file system, an internal error): exit code 1."""

    default_code = "cli.failure"


register_messages(
    {
        "cli.refused": ("De opdracht is geweigerd.", "The command was refused."),
        "cli.usage": (
            "Onjuist gebruik van '{command}': {problem} Zie '{command} --help'.",
            "Incorrect use of '{command}': {problem} See '{command} --help'.",
        ),
        "cli.unknown_user": (
            "Er is geen gebruiker met e-mailadres {email} (--as).",
            "There is no user with e-mail address {email} (--as).",
        ),
        "cli.unknown_protocol": (
            "Er is geen protocol '{protocol}'; zie 'xs trajectories protocols'.",
            "There is no protocol '{protocol}'; see 'xs trajectories protocols'.",
        ),
        "cli.unknown_employer": (
            "Er is geen werkgever met code '{code}'.",
            "There is no employer with code '{code}'.",
        ),
        "cli.schedule_source": (
            "Geef --subscription, of --amount en --subscribed (met eventueel --ends), niet beide.",
            "Give --subscription, or --amount and --subscribed (optionally with --ends), not both.",
        ),
        "cli.already_generated": (
            "De database bevat al werkgever {code}: genereer in een lege database.",
            "The database already holds employer {code}: generate into an empty database.",
        ),
        "cli.unknown_storage": (
            "XS_STORAGE moet 'sql' of 'memory' zijn, niet '{storage}'.",
            "XS_STORAGE must be 'sql' or 'memory', not '{storage}'.",
        ),
        "cli.csv_needs_dry_run": (
            "--csv hoort bij --dry-run: een echte evaluatie schrijft registraties, geen CSV.",
            "--csv goes with --dry-run: a real evaluation writes registrations, not a CSV.",
        ),
    },
    kind=InvalidInput,
)

register_messages(
    {
        "cli.failure": ("De opdracht is mislukt.", "The command failed."),
        "cli.database_unavailable": (
            "De database {database} is niet bruikbaar: {reason}.",
            "The database {database} cannot be used: {reason}.",
        ),
        "cli.database_directory_missing": (
            "De map {directory} voor de SQLite-database bestaat niet.",
            "The directory {directory} for the SQLite database does not exist.",
        ),
        "cli.database_not_migrated": (
            "De database {database} heeft het schema van xs niet: voer eerst 'xs db upgrade' uit.",
            "The database {database} does not have the xs schema: run 'xs db upgrade' first.",
        ),
        "cli.database_error": (
            "Databasefout in {database}: {reason}.",
            "Database error in {database}: {reason}.",
        ),
        "cli.file_not_found": (
            "Bestand {path}: de map of het bestand bestaat niet.",
            "File {path}: the directory or the file does not exist.",
        ),
        "cli.file_no_permission": (
            "Bestand {path}: geen toestemming.",
            "File {path}: no permission.",
        ),
        "cli.file_is_directory": (
            "{path} is een map, geen bestand.",
            "{path} is a directory, not a file.",
        ),
        "cli.file_no_space": (
            "Bestand {path}: geen ruimte meer op het apparaat.",
            "File {path}: no space left on the device.",
        ),
        "cli.file_error": (
            "Bestand {path}: {reason}.",
            "File {path}: {reason}.",
        ),
        "cli.internal_error": (
            "Interne fout ({type}): {text}. XS_DEBUG=1 toont de traceback.",
            "Internal error ({type}): {text}. XS_DEBUG=1 shows the traceback.",
        ),
        "cli.interrupted": ("Afgebroken.", "Interrupted."),
    },
    kind=CliFailure,
)

#: The codes of the usual file-system errors; others are ``cli.file_error`` with the system's text.
_FILE_CODES = {
    errno.ENOENT: "cli.file_not_found",
    errno.EACCES: "cli.file_no_permission",
    errno.EPERM: "cli.file_no_permission",
    errno.EROFS: "cli.file_no_permission",
    errno.EISDIR: "cli.file_is_directory",
    errno.ENOSPC: "cli.file_no_space",
}


def language() -> Lang:
    """The language of messages: ``XS_LANG`` ``en`` (or ``en_GB`` …) is English, else Dutch."""
    return "en" if os.environ.get("XS_LANG", "").strip().lower().startswith("en") else "nl"


def _debug() -> bool:
    return os.environ.get("XS_DEBUG", "").strip().lower() not in ("", "0", "false", "no")


def _first_line(text: str, limit: int = 300) -> str:
    for line in text.splitlines():
        line = " ".join(line.split()).rstrip(".")
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


# -- the database --------------------------------------------------------------------------------


def database_failure(url: str, error: Exception) -> CliFailure:
    """The one-line failure for an error of the database at ``url`` (password hidden)."""
    database = shown_url(url)
    if isinstance(error, sa.exc.DBAPIError):
        original = error.orig
        reason = _first_line(str(original)) or type(original).__name__
        if type(original).__name__ == "UndefinedTable":  # PostgreSQL without the schema
            return CliFailure("cli.database_not_migrated", {"database": database})
        if isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError):
            return CliFailure("cli.database_unavailable", {"database": database, "reason": reason})
        return CliFailure("cli.database_error", {"database": database, "reason": reason})
    reason = _first_line(str(error)) or type(error).__name__
    return CliFailure("cli.database_error", {"database": database, "reason": reason})


@contextlib.contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Turn errors of the database at ``url`` (connection, locking, SQL, migrations) into a
    :class:`CliFailure` that names it; a SQLite file in a missing directory is named as such."""
    sqlite_file = _sqlite_file(url)
    if sqlite_file is not None and not sqlite_file.parent.is_dir():
        raise CliFailure("cli.database_directory_missing", {"directory": str(sqlite_file.parent)})
    try:
        yield
    except (sa.exc.SQLAlchemyError, CommandError) as error:
        raise database_failure(url, error) from error


def _sqlite_file(url: str) -> Path | None:
    try:
        parsed = sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).absolute()


# -- files ---------------------------------------------------------------------------------------


def _about(error: OSError, path: Path) -> OSError:
    """The same error, naming the file the user gave instead of a temporary one."""
    return OSError(error.errno, error.strerror or str(error), str(path))


@contextlib.contextmanager
def atomic_text_file(path: Path) -> Iterator[TextIO]:
    """A UTF-8 text stream whose content replaces ``path`` only when the block completes.

    The content goes into a temporary file beside ``path`` (same directory, so the final
    ``os.replace`` is atomic); on any exception the temporary file is removed and ``path`` is left
    as it was. A new file gets the usual permissions (``0666`` less the umask), a replaced file
    keeps its own.
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        mode = (target.stat().st_mode & 0o7777) if target.exists() else 0o666
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except OSError as error:
        raise _about(error, target) from error
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.replace(temporary, target)
        except OSError as error:
            raise _about(error, target) from error
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise


# -- the one line --------------------------------------------------------------------------------


def _usage(error: typer.TyperException) -> CliRefusal:
    context = getattr(error, "ctx", None)
    command = getattr(context, "command_path", None) or "xs"
    return CliRefusal(
        "cli.usage", {"command": command, "problem": _first_line(error.format_message()) + "."}
    )


def _file(error: OSError) -> CliFailure:
    reason = error.strerror or _first_line(str(error)) or type(error).__name__
    path = error.filename if error.filename is not None else "?"
    code = _FILE_CODES.get(error.errno or 0, "cli.file_error")
    return CliFailure(code, {"path": str(path), "reason": reason, "errno": error.errno})


def _internal(error: BaseException) -> CliFailure:
    return CliFailure(
        "cli.internal_error",
        {"type": type(error).__name__, "text": _first_line(str(error), 200) or "-"},
    )


#: Refusals of :func:`xs_app.bootstrap` that are about the environment, not the arguments: the
#: database cannot be reached, is behind or ahead of the code, or its directory is missing.
ENVIRONMENT_FAILURES = frozenset(
    {
        "config.database_unreachable",
        "config.database_behind",
        "config.database_ahead",
        "config.database_directory_missing",
    }
)


def classify(error: BaseException) -> tuple[DomainError, int]:
    """The coded error to show for ``error`` and the exit code."""
    if isinstance(error, CliFailure) or (
        isinstance(error, DomainError) and error.code in ENVIRONMENT_FAILURES
    ):
        return error, EXIT_FAILURE
    if isinstance(error, DomainError):
        return error, EXIT_REFUSED
    if isinstance(error, typer.TyperException):  # click usage errors: exit code 2
        code = getattr(error, "exit_code", EXIT_REFUSED)
        return _usage(error), code if isinstance(code, int) and code else EXIT_REFUSED
    if isinstance(error, KeyboardInterrupt):
        return CliFailure("cli.interrupted"), EXIT_INTERRUPTED
    if isinstance(error, typer.Abort):  # end of input at a prompt
        return CliFailure("cli.interrupted"), EXIT_FAILURE
    if isinstance(error, sa.exc.SQLAlchemyError | CommandError):  # outside database_errors()
        return database_failure("", error), EXIT_FAILURE
    if isinstance(error, OSError):
        return _file(error), EXIT_FAILURE
    return _internal(error), EXIT_FAILURE


def one_line(error: DomainError, lang: Lang) -> str:
    """``xs: <code>: <message>`` on one line."""
    return f"xs: {error.code}: {' '.join(error.message(lang).split())}"


def report(error: BaseException, stream: TextIO | None = None) -> int:
    """Write the one line for ``error`` (after its traceback with ``XS_DEBUG=1`` when it is not a
    refusal) and return the exit code."""
    out = sys.stderr if stream is None else stream
    shown, code = classify(error)
    if _debug() and code != EXIT_REFUSED:
        traceback.print_exception(error, file=out)
    out.write(one_line(shown, language()) + "\n")
    out.flush()
    return code


def _quiet_stdout() -> None:
    """After a broken pipe (``xs … | head``): send what is left to /dev/null, so that flushing
    at exit raises nothing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def run(command: Any, args: Sequence[str] | None = None, prog_name: str = "xs") -> int:
    """Run the (typer/click) ``command`` and return its exit code; every error is one line."""
    try:
        result = command.main(
            args=None if args is None else list(args), prog_name=prog_name, standalone_mode=False
        )
        sys.stdout.flush()  # a broken pipe shows here, not at interpreter exit
    except SystemExit:
        raise
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_FAILURE
    except BaseException as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # the help is already shown
            return EXIT_REFUSED
        return report(error)
    return result if isinstance(result, int) else EXIT_OK
