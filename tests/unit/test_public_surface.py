"""The public surface of the library is a visible decision (``import xs``).

``tests/public_api.txt`` lists every name ``xs`` exports with its kind; a change to the surface
changes that file in the same commit (regenerate it with
``python -m tests.unit.test_public_surface`` and read the diff). Each context package names its
public names in ``__all__``; every command of every service is on the surface.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil
from pathlib import Path

import attrs

import xs
import xs_app.services
from xs_app.services.command import Command, CommandPart
from xs_core.errors import DomainError
from xs_core.events import DomainEvent

LISTED = Path(__file__).resolve().parents[1] / "public_api.txt"
CONTEXTS = (
    "access",
    "organisation",
    "agenda",
    "protocols",
    "billing",
    "parameters",
    "policies",
    "reimbursements",
    "reports",
)


def kind(obj: object) -> str:
    if inspect.isclass(obj):
        if issubclass(obj, Command | CommandPart):
            return "command"
        if issubclass(obj, DomainEvent):
            return "event"
        if issubclass(obj, DomainError):
            return "error"
        if issubclass(obj, enum.Enum):
            return "enum"
        if attrs.has(obj):
            return "value"
        return "class"
    if inspect.isfunction(obj):
        return "function"
    return "constant"


def surface() -> list[str]:
    return [f"{name} {kind(getattr(xs, name))}" for name in sorted(xs.__all__)]


def test_the_public_surface_is_the_listed_one() -> None:
    listed = LISTED.read_text(encoding="utf-8").splitlines()
    assert surface() == listed, (
        "the public surface changed: regenerate tests/public_api.txt "
        "(python -m tests.unit.test_public_surface) and review the diff"
    )


def test_every_exported_name_exists_and_nothing_private_is_exported() -> None:
    for name in xs.__all__:
        assert hasattr(xs, name), name
        assert not name.startswith("_") or name == "__version__"


def test_every_command_of_every_service_is_public() -> None:
    commands = set()
    for info in pkgutil.iter_modules(xs_app.services.__path__):
        module = importlib.import_module(f"xs_app.services.{info.name}")
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, Command | CommandPart)
                and obj.__module__ == module.__name__
            ):
                commands.add(name)
                assert name in module.__all__, f"{module.__name__}.{name} is not in __all__"
    assert commands and commands <= set(xs.__all__)


def test_every_context_names_its_public_names() -> None:
    for context in CONTEXTS:
        package = importlib.import_module(f"xs_core.{context}")
        exported = package.__all__
        assert exported == sorted(exported, key=lambda n: (not n.isupper(), n))
        for name in exported:
            assert hasattr(package, name), f"xs_core.{context}.{name}"


def test_the_version_is_the_distribution_version() -> None:
    from importlib.metadata import version

    assert xs.__version__ == version("xs")


if __name__ == "__main__":
    LISTED.write_text("\n".join(surface()) + "\n", encoding="utf-8")
    print(f"written {LISTED}")
