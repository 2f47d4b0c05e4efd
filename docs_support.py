"""Build support for the documentation site (``mkdocs.yml``): a MkDocs hook and a Griffe
extension. Not part of the library.

* :class:`SphinxRoles` (Griffe extension): the docstrings are written for readers of the code
  and use reStructuredText roles (``:class:`~xs_core.money.Money```); the reference shows them as
  code (`Money`), and fences doctest lines (``>>>``) as Python console blocks.
* :func:`on_files` (MkDocs hook): pages that other branches are writing (``testing.md``,
  ``events.md``, ``errors.md``) are linked from the nav and from other pages; until they exist a
  placeholder stands in, so that ``mkdocs build --strict`` still checks every link. Once a real
  page exists the hook leaves it alone (and can be removed when all three are there).
"""

from __future__ import annotations

import re
from typing import Any

import griffe
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

#: Pages linked before they are merged: name -> title.
PENDING_PAGES = {
    "testing.md": "Testing",
    "events.md": "Events",
    "errors.md": "Errors",
}

ROLE = re.compile(r":(?:class|meth|func|data|attr|mod|exc|obj):`(?P<tilde>~?)(?P<target>[^`]+)`")


def _role(match: re.Match[str]) -> str:
    target = match["target"]
    if match["tilde"]:
        target = target.rsplit(".", 1)[-1]
    return f"`{target}`"


def _fence_doctests(text: str) -> str:
    """Put runs of ``>>>`` lines (with their output) in a ```` ```pycon ```` fence."""
    out: list[str] = []
    in_block = False
    for line in text.split("\n"):
        starts = line.lstrip().startswith(">>>")
        if starts and not in_block:
            out.append("```pycon")
            in_block = True
        elif in_block and not line.strip():
            out.append("```")
            in_block = False
        out.append(line)
    if in_block:
        out.append("```")
    return "\n".join(out)


def rewrite(text: str) -> str:
    """A docstring as Markdown for the reference."""
    return _fence_doctests(ROLE.sub(_role, text))


class SphinxRoles(griffe.Extension):
    """Docstrings written with reStructuredText roles, shown as Markdown."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and "```" not in obj.docstring.value:
            obj.docstring.value = rewrite(obj.docstring.value)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """A placeholder for each pending page that is not there yet."""
    for name, title in PENDING_PAGES.items():
        if files.get_file_from_path(name) is None:
            content = f"# {title}\n\nThis page is being written and comes with a later merge.\n"
            files.append(File.generated(config, name, content=content))
    return files
