"""Use cases of the configuration parameters (Beheer › Applicatieinstellingen ›
Configuratieparameters), R6.1.

A parameter is an application-wide setting: changing one needs the feature
``settings.manage_parameters`` and a scope covering the whole organisation (super administrators
have both). Every change is kept in the history (who, when, from what to what) and written as a
``ConfigurationParameterChanged`` event — setting the value a parameter already has included: the
history records each act of an administrator. The parameter's row is locked while it changes, so
that of two changes at once the second starts from the first's value.
"""

from __future__ import annotations

import uuid

import attrs

from xs_app.services.base import Service
from xs_app.services.command import Command
from xs_core.access.features import Feature
from xs_core.reports.categories import DurationCategories
from xs_core.settings import (
    DURATION_PARAMETERS,
    ConfigurationParameterChanged,
    Parameter,
    ParameterChange,
    SettingsStore,
)


def _lock(settings: SettingsStore, parameter: Parameter, value: int) -> int:
    """Lock the parameter and return its value; a duration category (R3.1) locks all three
    (in one order, so two changes cannot deadlock) and refuses a value that would make them
    overlap or leave a gap (``reports.invalid_duration_categories``)."""
    if parameter not in DURATION_PARAMETERS:
        return settings.lock(parameter)
    current = {p: settings.lock(p) for p in DURATION_PARAMETERS}
    DurationCategories(tuple(value if p is parameter else current[p] for p in DURATION_PARAMETERS))
    return current[parameter]


@attrs.frozen(kw_only=True)
class SetParameter(Command):
    """Set a configuration parameter, e.g. ``BusinessRules`` to 1 (R6.1)."""

    actor: uuid.UUID
    parameter: Parameter
    value: int


@attrs.frozen(kw_only=True)
class ListParameters(Command):
    actor: uuid.UUID


@attrs.frozen(kw_only=True)
class GetParameterHistory(Command):
    actor: uuid.UUID
    parameter: Parameter


@attrs.frozen(kw_only=True)
class ParameterSetting:
    """A parameter with its current value, default, allowed values and label."""

    parameter: Parameter
    value: int
    default: int
    allowed: tuple[int, ...]
    label_nl: str
    label_en: str


class ConfigurationService(Service):
    """The configuration parameters and the history of their changes (R6.1)."""

    def set_parameter(self, cmd: SetParameter) -> int:
        """The new value, checked against the parameter (``settings.invalid_value``); returns
        the value it had."""
        value = cmd.parameter.check(cmd.value)
        with self._uow() as uow:
            auth, principal = self._authorise(uow, cmd.actor, Feature.MANAGE_CONFIGURATION)
            auth.require_everything(principal)
            old = _lock(uow.settings, cmd.parameter, value)
            uow.settings.change(
                ParameterChange(
                    parameter=cmd.parameter,
                    old_value=old,
                    new_value=value,
                    changed_by=cmd.actor,
                    changed_at=self._clock.now(),
                )
            )
            uow.publish(
                ConfigurationParameterChanged(
                    parameter_id=cmd.parameter.value,
                    old_value=old,
                    new_value=value,
                    changed_by=cmd.actor,
                )
            )
            uow.commit()
            return old

    def parameters(self, cmd: ListParameters) -> list[ParameterSetting]:
        """Every configuration parameter with its current value (R6.1)."""
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_CONFIGURATION)
            return [
                ParameterSetting(
                    parameter=p,
                    value=uow.settings.value(p),
                    default=p.spec.default,
                    allowed=p.spec.allowed,
                    label_nl=p.spec.label_nl,
                    label_en=p.spec.label_en,
                )
                for p in Parameter
            ]

    def history(self, cmd: GetParameterHistory) -> list[ParameterChange]:
        """The changes of a parameter, oldest first."""
        with self._uow(write=False) as uow:
            self._authorise(uow, cmd.actor, Feature.MANAGE_CONFIGURATION)
            return uow.settings.history(cmd.parameter)


__all__ = [
    "ConfigurationService",
    "GetParameterHistory",
    "ListParameters",
    "ParameterSetting",
    "SetParameter",
]
