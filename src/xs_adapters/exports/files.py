"""Writing a report to a file, atomically (R3.4)."""

from __future__ import annotations

import contextlib
import enum
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from xs_adapters.exports.csv_file import write_csv
from xs_adapters.exports.xlsx_file import write_xlsx
from xs_core.progress import Progress, silent
from xs_core.reports.columns import Cell, ReportTable


class ExportFormat(enum.Enum):
    CSV = "csv"
    XLSX = "xlsx"


#: How often an export tells its progress, in rows.
PROGRESS_EVERY = 1000


def _counted(table: ReportTable, tell: Progress) -> Iterator[tuple[Cell, ...]]:
    done = 0
    tell("rows", 0, table.size)
    for row in table.rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            tell("rows", done, table.size)
    tell("rows", done, table.size if table.size is not None else done)


def _about(error: OSError, path: Path) -> OSError:
    """The same error, naming the file the user gave instead of the temporary one."""
    return type(error)(error.errno, error.strerror or str(error), str(path))


def export_report(
    table: ReportTable, path: Path, fmt: ExportFormat, progress: Progress | None = None
) -> int:
    """Write ``table`` to ``path`` in ``fmt``; returns the number of rows. The rows stream
    into a temporary file in the same directory, renamed to ``path`` when complete; an
    ``OSError`` (a missing directory, ``path`` a directory) names ``path``."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    rows = _counted(table, progress or silent)
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise _about(error, path) from error
    os.close(handle)
    try:
        if fmt is ExportFormat.CSV:
            count = write_csv(table, rows, Path(temporary))
        else:
            count = write_xlsx(table, rows, Path(temporary))
        try:
            os.replace(temporary, path)
        except OSError as error:
            raise _about(error, path) from error
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return count
