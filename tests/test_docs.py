"""The documentation as a user reads it: every example in ``README.md``, ``CHANGELOG.md`` and
``docs/**/*.md`` runs, and the API reference covers the public surface.

The pages are parsed with Sybil. A fenced ```` ```python ```` block is run as code; a block whose
first line starts with ``>>>`` is a doctest, and what it prints is compared with what the page
shows (``...`` matches anything, whitespace is normalised). The blocks of one page run in page
order in one namespace, so a page can build an example step by step; each page starts afresh.

A page runs in an empty temporary working directory with no ``XS_*`` variables set (its
``tempfile`` files go to pytest's temporary directory), and a ``DeprecationWarning`` fails it:
the examples use the current API and write nothing next to the reader's code (no fixed paths).
Blocks that are not Python say what they are (```` ```bash ````, ```` ```text ````, …); a Python
block that must not run is preceded by ``<!-- skip: next -->``. New pages are picked up by the
glob: nothing to register.
"""

from __future__ import annotations

import doctest
import os
import re
import tempfile
import warnings
from pathlib import Path

import pytest
from sybil import Sybil
from sybil.example import SybilFailure
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser

import xs

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(
    [ROOT / "README.md", ROOT / "CHANGELOG.md", *(ROOT / "docs").glob("**/*.md")],
    key=lambda p: p.relative_to(ROOT).as_posix(),
)
REFERENCE = ROOT / "docs" / "reference"

#: The languages a fenced block may declare; Python only as ``python`` (so none escapes Sybil).
LANGUAGES = {"python", "bash", "console", "text", "sql", "toml", "yaml", "json", "csv", "ini"}

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)(?P<info>[^`\n]*)$")

SYBIL = Sybil(
    parsers=[
        PythonCodeBlockParser(doctest_optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE),
        SkipParser(),
    ],
    path=str(ROOT),
)
PYTHON_BLOCKS = Sybil(parsers=[CodeBlockParser("python", evaluator=lambda _: None)])


def page_id(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def openers(page: Path) -> list[tuple[int, str, str]]:
    """The opening fences of a page: (line, indentation, info string)."""
    found = []
    closing: str | None = None
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
        match = FENCE.match(line)
        if match is None:
            continue
        if closing is None:
            closing = match["fence"]
            found.append((number, match["indent"], match["info"].strip()))
        elif match["fence"].startswith(closing) and not match["info"].strip():
            closing = None
    return found


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_example_of_the_page_runs(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not page.exists():
        pytest.fail(f"{page_id(page)} is missing")
    work, scratch = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    scratch.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # the examples' temporary files
    for name in [n for n in os.environ if n.startswith("XS_")]:
        monkeypatch.delenv(name)
    document = SYBIL.parse(page)
    differs = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            for example in document.examples():
                where = f"{page_id(page)}, line {example.line}"
                try:
                    example.evaluate()
                except SybilFailure as failure:
                    differs = f"{where}: the output differs\n{failure}"
                    break
                except Exception as error:
                    raise AssertionError(f"{where}: the example raised {error!r}") from error
    finally:
        for value in document.namespace.values():
            if isinstance(value, xs.Xs):
                value.close()
    if differs is not None:
        pytest.fail(differs, pytrace=False)
    assert sorted(p.name for p in work.iterdir()) == [], (
        f"{page_id(page)} wrote into the working directory (use a temporary directory)"
    )


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_block_says_what_it_is(page: Path) -> None:
    """A fence without a language, or Python spelled otherwise (``py``, ``pycon``), would be
    shown but never run."""
    if not page.exists():
        pytest.fail(f"{page_id(page)} is missing")
    for line, _, info in openers(page):
        language = info.split()[0] if info else ""
        assert language in LANGUAGES, f"{page_id(page)}:{line}: fence language {language!r}"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_python_block_is_collected(page: Path) -> None:
    """Each ```` ```python ```` fence of the page is an example Sybil runs (none hides in an
    indentation Sybil does not read)."""
    if not page.exists():
        pytest.fail(f"{page_id(page)} is missing")
    fences = [line for line, _, info in openers(page) if info.split()[:1] == ["python"]]
    collected = [e.line for e in PYTHON_BLOCKS.parse(page).examples()]
    assert collected == fences


def test_the_examples_are_checked(tmp_path: Path) -> None:
    """The mechanism itself: a wrong output and a failing block are failures."""
    page = tmp_path / "page.md"
    page.write_text(
        "```python\n>>> 1 + 1\n3\n```\n\n```python\nraise ValueError('broken')\n```\n",
        encoding="utf-8",
    )
    first, second = SYBIL.parse(page).examples()
    with pytest.raises(SybilFailure):
        first.evaluate()
    with pytest.raises(ValueError, match="broken"):
        second.evaluate()


def documented_names() -> list[str]:
    names = []
    for page in sorted(REFERENCE.glob("*.md")):
        names += re.findall(r"^::: xs\.(\w+)\s*$", page.read_text(encoding="utf-8"), re.M)
    return names


def test_the_reference_documents_every_public_name_once() -> None:
    names = documented_names()
    public = set(xs.__all__)
    assert sorted(public - set(names)) == [], "public names missing from docs/reference"
    assert sorted(set(names) - public) == [], "docs/reference names what xs does not export"
    assert sorted(n for n in set(names) if names.count(n) > 1) == []


def test_every_public_service_method_has_a_docstring() -> None:
    services = [getattr(xs, n) for n in xs.__all__ if n.endswith("Service") and n != "Service"]
    services += [xs.Installation, xs.OutboxConsumer, xs.Xs]
    missing = [
        f"{cls.__name__}.{name}"
        for cls in services
        for name, member in vars(cls).items()
        if not name.startswith("_")
        and callable(getattr(member, "fget", member))
        and not (getattr(member, "fget", member).__doc__ or "").strip()
    ]
    assert missing == []


def test_the_version_is_the_package_version() -> None:
    from importlib.metadata import version

    assert xs.__version__ == version("xs")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(xs.__version__)}\]", changelog, re.M), (
        "CHANGELOG.md has no entry for the current version"
    )
