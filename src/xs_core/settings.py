"""Configuration parameters (configuratieparameters): persistent, typed application settings
with audited changes (R6.1).

Each parameter has a name, a type, a default and the values it allows; the store keeps the
current value and the history of changes (who, when, from what to what). ``BusinessRules`` (R6.1)
switches automatic participation in insurance policies on (1) or off (0, the default);
``AbsenceDurationShort``, ``…Medium`` and ``…Long`` hold the last days of R3.1's absence-duration
categories (default 7, 42 and 365).
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from typing import ClassVar, Protocol

import attrs

from xs_core.errors import InvalidInput, register_messages
from xs_core.events import DomainEvent

register_messages(
    {
        "settings.invalid_value": (
            "Ongeldige waarde {value} voor configuratieparameter {parameter}; toegestaan: "
            "{allowed}.",
            "Invalid value {value} for configuration parameter {parameter}; allowed: {allowed}.",
        ),
    },
    kind=InvalidInput,
)


@attrs.frozen
class ParameterSpec:
    """What a configuration parameter holds: whole numbers within ``allowed``."""

    default: int
    allowed: tuple[int, ...]
    label_nl: str
    label_en: str


class Parameter(enum.Enum):
    """The configuration parameters of xs."""

    BUSINESS_RULES = "BusinessRules"
    #: R3.1: the last days of the absence-duration categories short, medium and long (the
    #: category after the last one is open: extra long)
    ABSENCE_DURATION_SHORT = "AbsenceDurationShort"
    ABSENCE_DURATION_MEDIUM = "AbsenceDurationMedium"
    ABSENCE_DURATION_LONG = "AbsenceDurationLong"

    @property
    def spec(self) -> ParameterSpec:
        return SPECS[self]

    def check(self, value: object) -> int:
        """``value`` if the parameter allows it; refused with ``settings.invalid_value``."""
        spec = self.spec
        if isinstance(value, bool) or not isinstance(value, int) or value not in spec.allowed:
            raise InvalidInput(
                "settings.invalid_value",
                {
                    "parameter": self.value,
                    "value": str(value),
                    "allowed": [str(a) for a in spec.allowed],
                },
            )
        return value


#: R3.1: the last days a duration category may have — the suite's (7, 42, 365) and Vernet's
#: (14, 91, 365, 730) boundaries and the usual ones in between.
DURATION_BOUNDS = (7, 14, 28, 42, 91, 182, 365, 730)

SPECS: dict[Parameter, ParameterSpec] = {
    Parameter.BUSINESS_RULES: ParameterSpec(
        default=0,
        allowed=(0, 1),
        label_nl="Automatisch in-/uitsluiten op verzekeringen (R6.1)",
        label_en="Automatic in- and exclusion on insurance policies (R6.1)",
    ),
    Parameter.ABSENCE_DURATION_SHORT: ParameterSpec(
        default=7,
        allowed=DURATION_BOUNDS,
        label_nl="Laatste dag van de verzuimduurcategorie kort (R3.1)",
        label_en="Last day of the absence-duration category short (R3.1)",
    ),
    Parameter.ABSENCE_DURATION_MEDIUM: ParameterSpec(
        default=42,
        allowed=DURATION_BOUNDS,
        label_nl="Laatste dag van de verzuimduurcategorie middellang (R3.1)",
        label_en="Last day of the absence-duration category medium (R3.1)",
    ),
    Parameter.ABSENCE_DURATION_LONG: ParameterSpec(
        default=365,
        allowed=DURATION_BOUNDS,
        label_nl="Laatste dag van de verzuimduurcategorie lang (R3.1)",
        label_en="Last day of the absence-duration category long (R3.1)",
    ),
}

#: R3.1: the duration-category parameters, in order; a change of one is checked with the others
#: (they must increase: no overlap, no gap) while all three are locked.
DURATION_PARAMETERS = (
    Parameter.ABSENCE_DURATION_SHORT,
    Parameter.ABSENCE_DURATION_MEDIUM,
    Parameter.ABSENCE_DURATION_LONG,
)


@attrs.frozen(kw_only=True)
class ConfigurationParameterChanged(DomainEvent):
    """R6.1: a configuration parameter (e.g. ``BusinessRules``) was set; the change is audited."""

    name: ClassVar[str] = "ConfigurationParameterChanged"
    #: the parameter's name (its identity), e.g. ``BusinessRules``
    parameter_id: str
    old_value: int
    new_value: int
    changed_by: uuid.UUID


@attrs.frozen(kw_only=True)
class ParameterChange:
    """One audited change of a configuration parameter."""

    parameter: Parameter
    old_value: int
    new_value: int
    changed_by: uuid.UUID
    changed_at: _dt.datetime


class SettingsStore(Protocol):
    """The configuration parameters and the history of their changes."""

    def value(self, parameter: Parameter) -> int:
        """The current value (the default when never set)."""
        ...

    def lock(self, parameter: Parameter) -> int:
        """The current value, locked until the transaction ends (read-check-write)."""
        ...

    def change(self, change: ParameterChange) -> None:
        """Set a new value and keep the change in the history."""
        ...

    def history(self, parameter: Parameter) -> list[ParameterChange]:
        """The changes, oldest first."""
        ...
